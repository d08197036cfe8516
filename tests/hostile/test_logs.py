"""At DEBUG, with every library logging, no line holds the bot token, a name, a phone number
or what someone typed (the filter `giamngheo run` installs on the root handlers)."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator

import pytest

from bot import logs
from tests.handlers.test_officers import _join
from tests.support import Chat, open_app

CHAT = 4242
NAME = "Phạm Thị Bí Ẩn"
PHONE = "0977123456"
TYPED = "vay vốn cho nhà Bí Ẩn"


@pytest.fixture
def debug_log() -> AsyncIterator[io.StringIO]:  # type: ignore[misc]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


async def test_no_token_name_phone_or_text_in_any_log_line(tg, debug_log, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock, web_port=0, admin_ids="web:admin",
                         telegram_bot_token=tg.token, telegram_api_base_url=tg.base_url)
    logs.install(logs.secrets_of(app.settings))
    try:
        app.build_channels()
        await app.start_channels()
        tg.push_command(CHAT, "start", first_name=NAME)
        await tg.wait_for_messages(CHAT, 1)
        tg.push_text(CHAT, TYPED, first_name=NAME)
        await tg.wait_for_messages(CHAT, 2)
        tg.push_command(CHAT, "timviec", first_name=NAME)
        await tg.wait_for_messages(CHAT, 3)
        officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
        await officer.send("/themho")
        for answer in ("PR-001", NAME, "7 Lê Lợi", PHONE, "4"):
            await officer.send(answer)
        await officer.press("Nghèo")
        await officer.press("2026")
        await officer.send(TYPED)
        await officer.press("Lưu")
        assert "Đã lưu" in officer.text
    finally:
        await app.close()
    text = debug_log.getvalue()
    assert "DEBUG giamngheo" in text or "INFO giamngheo" in text  # the bot did log
    assert "HTTP Request" in text  # httpx's request lines are there, redacted
    for secret in (tg.token, NAME, PHONE, TYPED, "Bí Ẩn"):
        assert secret not in text, secret
