"""The dialog explorer over every registered dialog, on the numbered-list rendering (Zalo, the
console) and the button rendering (Telegram). A bounded walk here; `make explore` walks wider."""

from __future__ import annotations

import time

import pytest

from tests.explorer import ENTRIES, RENDERINGS, Explorer, admin_ids
from tests.support import open_app

# Found by the explorer in issue 13's new self-assessment (merged at the end of issue 12): at the
# income question a typed 1, 2 or 3 is taken as an amount to confirm ("1 đ hay 1.000.000 đ?"),
# so the three listed choices cannot be chosen by their number. The dialog is issue 13's to
# change; the finding is printed on every run until it is fixed, then this entry goes.
KNOWN: set[tuple[str, str, str]] = set()


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
    known = [f for f in explorer.findings if (f.dialog, f.step, f.rule) in KNOWN]
    found = [f for f in explorer.findings if f not in known]
    print(f"\nexplorer {rendering}: {explorer.sent} messages in {elapsed:.1f} s, "
          f"{len(found)} findings, {len(known)} known: " + "; ".join(str(f) for f in known))
    assert not found, "\n".join(str(f) for f in found)
