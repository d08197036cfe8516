"""The whole app on each platform: the real core, a real SQLite file, and the real client
libraries (python-telegram-bot, our Zalo client) talking HTTP to fake servers on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import App
from db.models import User
from domain.messages import DeliveryError, Reply
from tests.fakes.botapi_spec import check_requests
from tests.fakes.telegram_server import FakeTelegramServer
from tests.fakes.zalo_server import FakeZaloServer, post_webhook, text_update
from tests.support import open_app

CHAT = 4242
ZALO_CHAT = "6ede9afa66b88fe6d6a9"


@pytest.fixture
async def tg(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramServer]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with FakeTelegramServer() as server:
        yield server
    assert check_requests(server.requests) == []  # every request matches the Bot API spec


async def _running(url: str, clock, **settings: object) -> App:  # type: ignore[no-untyped-def]
    app = await open_app(url, clock, web_port=0, **settings)
    app.build_channels()
    app.base = await app.serve_web()  # type: ignore[attr-defined]
    await app.start_channels()
    return app


async def _user(app: App, channel: str) -> User:
    async with app.core.sessions() as session:  # type: ignore[union-attr]
        return (await session.execute(select(User).where(User.channel == channel))).scalar_one()


async def test_telegram_dialog_by_typing_and_buttons(tg: FakeTelegramServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _running(sqlite_url, clock, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url)
    try:
        default_menu = next(iter(tg.commands.values()))
        assert {"command": "xoadulieu", "description": "Xóa dữ liệu của bạn"} in default_menu

        tg.push_command(CHAT, "start")
        [greeting] = await tg.wait_for_messages(CHAT, 1)
        assert greeting.body.startswith("Xin chào! Tôi là trợ lý giảm nghèo của Phan Rang")
        assert "🔒 Dữ liệu của tôi" in greeting.button_labels()

        tg.push_command(CHAT, "xoadulieu")
        await tg.wait_for_messages(CHAT, 2)
        tg.press_button(CHAT, "Không, giữ lại")
        messages = await tg.wait_for_messages(CHAT, 3)
        assert "Chưa xóa gì cả." in messages[2].body
        assert tg.answered_callbacks  # the press was acknowledged

        tg.push_text(CHAT, "/xoadulieu")
        await tg.wait_for_messages(CHAT, 4)
        tg.push_text(CHAT, "co")  # "có" typed without diacritics
        messages = await tg.wait_for_messages(CHAT, 5)
        assert "Đã xóa lúc" in messages[4].body
    finally:
        await app.close()


async def test_telegram_blocked_user_is_marked(tg: FakeTelegramServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _running(sqlite_url, clock, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url)
    try:
        tg.push_command(CHAT, "start")
        await tg.wait_for_messages(CHAT, 1)
        tg.fail_next(CHAT, 1, "403")
        with pytest.raises(DeliveryError) as refused:
            await app.core.services.outbound["telegram"].send(str(CHAT), Reply("Nhắc việc"))  # type: ignore[union-attr]
        assert refused.value.permanent
        assert (await _user(app, "telegram")).blocked_at is not None
        tg.push_text(CHAT, "/menu")  # writing again clears the mark
        await tg.wait_for_messages(CHAT, 2)
        assert (await _user(app, "telegram")).blocked_at is None
    finally:
        await app.close()


async def test_telegram_network_error_keeps_the_dialog(tg: FakeTelegramServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _running(sqlite_url, clock, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url)
    try:
        tg.push_command(CHAT, "xoadulieu")
        await tg.wait_for_messages(CHAT, 1)
        tg.fail_next(CHAT, 4, "drop")  # the answer and its 3 retries all fail
        tg.push_text(CHAT, "/trogiup")
        await tg.wait_until(lambda: tg.pending_faults(CHAT) == 0, timeout=10)
        tg.push_text(CHAT, "không")  # the dialog is still there
        messages = await tg.wait_for_messages(CHAT, 2)
        assert "Chưa xóa gì cả." in messages[-1].body
    finally:
        await app.close()


async def test_telegram_webhook_checks_the_secret(tg: FakeTelegramServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _running(
        sqlite_url, clock, telegram_bot_token=tg.token, telegram_api_base_url=tg.base_url,
        telegram_webhook_url="https://bot.example.invalid/telegram/webhook",
        telegram_webhook_secret="s3cret-token",
    )
    try:
        assert tg.webhook["url"] == "https://bot.example.invalid/telegram/webhook"
        url = app.base + "telegram/webhook"  # type: ignore[attr-defined]
        update = tg.command_update(CHAT, "start")
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        [greeting] = await tg.wait_for_messages(CHAT, 1)
        assert greeting.body.startswith("Xin chào!")
        assert not tg.calls("getUpdates")
    finally:
        await app.close()


async def test_zalo_dialog_by_numbers_and_labels_and_webhook(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    async with FakeZaloServer(poll_timeout=0.05) as zalo:
        app = await _running(
            sqlite_url, clock, zalo_bot_token=zalo.token, zalo_api_base_url=zalo.base_url,
            zalo_webhook_url="https://bot.example.invalid/zalo/webhook",
            zalo_webhook_secret="zalo-secret-123",
        )
        try:
            url = app.base + "zalo/webhook"  # type: ignore[attr-defined]
            async with aiohttp.ClientSession() as http:
                assert await post_webhook(http, url, text_update(ZALO_CHAT, "/start"),
                                          secret="wrong") == 403
                assert await post_webhook(http, url, text_update(ZALO_CHAT, "/start"),
                                          secret="zalo-secret-123", shape="flat") == 200
                [menu] = await zalo.wait_for_messages(ZALO_CHAT, 1)
                assert re.search(r"^\d+\. 🔒 Dữ liệu của tôi$", menu.text, re.M)
                await post_webhook(http, url, text_update(ZALO_CHAT, "/xoadulieu"),
                                   secret="zalo-secret-123")
                await zalo.wait_for_messages(ZALO_CHAT, 2)
                await post_webhook(http, url, text_update(ZALO_CHAT, "2"),
                                   secret="zalo-secret-123")
                messages = await zalo.wait_for_messages(ZALO_CHAT, 3)
                assert "Chưa xóa gì cả." in messages[2].text
                await post_webhook(http, url, text_update(ZALO_CHAT, "/xoadulieu"),
                                   secret="zalo-secret-123")
                await zalo.wait_for_messages(ZALO_CHAT, 4)
                await post_webhook(http, url, text_update(ZALO_CHAT, "co, xoa het"),
                                   secret="zalo-secret-123")
                messages = await zalo.wait_for_messages(ZALO_CHAT, 5)
                assert "Đã xóa lúc" in messages[4].text
        finally:
            await app.close()


async def test_telegram_zalo_and_web_chat_in_one_process(tg: FakeTelegramServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    """Three channels, one core: a person is a separate user on each channel."""
    async with FakeZaloServer(poll_timeout=0.05) as zalo:
        app = await _running(sqlite_url, clock, telegram_bot_token=tg.token,
                             telegram_api_base_url=tg.base_url, zalo_bot_token=zalo.token,
                             zalo_api_base_url=zalo.base_url)
        try:
            tg.push_command(CHAT, "start")
            zalo.push(text_update(ZALO_CHAT, "/start"))
            async with aiohttp.ClientSession() as http:
                body = {"client_id": "browser-0009", "message_id": "w1", "text": "/start"}
                async with http.post(app.base + "api/chat", json=body) as response:  # type: ignore[attr-defined]
                    web = (await response.json())["replies"][0]["text"]
            [telegram] = await tg.wait_for_messages(CHAT, 1)
            [on_zalo] = await zalo.wait_for_messages(ZALO_CHAT, 1)
            for text in (telegram.body, on_zalo.text, web):
                assert text.startswith("Xin chào! Tôi là trợ lý giảm nghèo")
            async with app.core.sessions() as session:  # type: ignore[union-attr]
                channels = (await session.execute(select(User.channel))).scalars().all()
            assert sorted(channels) == ["telegram", "web", "zalo"]
        finally:
            await app.close()


async def test_a_role_change_shows_that_roles_commands_in_the_chat(tg: FakeTelegramServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    from conversations.context import Ctx
    from handlers.registry import Command

    async def promote(ctx: Ctx, _args: str) -> list[Reply]:
        ctx.user.role = "officer"
        return [Reply("ok")]

    app = await _running(sqlite_url, clock, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url)
    try:
        app.core.registry.command(Command("thangcap", "Promote (test)", promote))  # type: ignore[union-attr]
        tg.push_command(CHAT, "thangcap")
        await tg.wait_for_messages(CHAT, 1)
        await tg.wait_until(lambda: any(str(CHAT) in key for key in tg.commands))
    finally:
        await app.close()
