"""The dialog explorer over every registered dialog, on the numbered-list rendering (Zalo, the
console) and the button rendering (Telegram). A bounded walk here; `make explore` walks wider."""

from __future__ import annotations

import time

import pytest

from tests.explorer import ENTRIES, RENDERINGS, Explorer, admin_ids
from tests.support import open_app


@pytest.mark.parametrize("rendering", list(RENDERINGS))
async def test_every_dialog_works_as_a_new_user_would(rendering, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock, admin_ids=admin_ids())
    try:
        assert app.core is not None
        assert set(app.core.registry.dialogs) == set(ENTRIES), "every dialog has an entry"
        explorer = Explorer(app, rendering)
        await explorer.prepare()
        started = time.monotonic()
        for name in sorted(ENTRIES):
            await explorer.explore(name)
        elapsed = time.monotonic() - started
    finally:
        await app.close()
    print(f"\nexplorer {rendering}: {explorer.sent} messages in {elapsed:.1f} s, "
          f"{len(explorer.findings)} findings")
    assert not explorer.findings, "\n".join(str(f) for f in explorer.findings)
