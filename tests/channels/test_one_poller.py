"""Long polling is for one process: a second poller on the same database refuses to start, and
a process Telegram answers 409 Conflict (someone else polls the same bot) stops polling and
says so, instead of the two taking turns at getUpdates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import App, RefusedToStart
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support import open_app

CHAT = 5151


@pytest.fixture
async def tg(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramServer]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with FakeTelegramServer() as server:
        yield server


async def _polling(url: str, clock, tg: FakeTelegramServer) -> App:  # type: ignore[no-untyped-def]
    app = await open_app(url, clock, web_port=0, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url)
    app.build_channels()
    await app.serve_web()
    try:
        await app.start_channels()
    except BaseException:
        await app.close()
        raise
    return app


async def test_a_second_poller_on_the_same_database_refuses_to_start(tg, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    first = await _polling(sqlite_url, clock, tg)
    try:
        with pytest.raises(RefusedToStart, match="already polling Telegram"):
            await _polling(sqlite_url, clock, tg)
        tg.push_command(CHAT, "start")  # the first one still answers, alone
        [greeting] = await tg.wait_for_messages(CHAT, 1)
        assert greeting.body.startswith("Xin chào!")
        assert all(r.status != 409 for r in tg.calls("getUpdates"))
    finally:
        await first.close()
    second = await _polling(sqlite_url, clock, tg)  # once the first has stopped, it may poll
    await second.close()


async def test_a_409_from_telegram_stops_polling(tg, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _polling(sqlite_url, clock, tg)
    try:
        [conflict] = app.conflicts()
        await tg.wait_until(lambda: len(tg.calls("getUpdates")) >= 1)
        # another bot instance, elsewhere, polls the same token
        async with aiohttp.ClientSession() as http:
            other = asyncio.ensure_future(http.get(
                f"{tg.base_url}{tg.token}/getUpdates", params={"timeout": "1"}))
            await asyncio.wait_for(conflict.wait(), 10)
            (await other).close()
        assert any(r.status == 409 for r in tg.calls("getUpdates"))
        channel = next(c for c in app.channels if c.channel == "telegram")
        updater = channel.application.updater  # type: ignore[attr-defined]
        async with asyncio.timeout(5):
            while updater.running:  # polling stopped: no more turns at getUpdates
                await asyncio.sleep(0.05)
    finally:
        await app.close()
