"""Webhooks on the URL the deployer configures: the bot listens on the path of
TELEGRAM_WEBHOOK_URL / ZALO_WEBHOOK_URL (or *_WEBHOOK_PATH behind a proxy that rewrites paths),
a POST to any other path gets 404 and a log line naming the served path, and /healthcheck shows
each channel's mode and Telegram's own report of its last failed delivery."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import App
from bot.settings import SettingsError, load_settings
from tests.fakes.botapi_spec import check_requests
from tests.fakes.proxy import PrefixProxy
from tests.fakes.telegram_server import FakeTelegramServer
from tests.fakes.zalo_server import FakeZaloServer, post_webhook, text_update
from tests.support import open_app

CHAT = 5151
ZALO_CHAT = "7a1b2c3d4e5f60718293"
TG_SECRET = "tg-secret-token"
ZALO_SECRET = "zalo-secret-123"
TG_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
async def tg(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramServer]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with FakeTelegramServer() as server:
        yield server
    assert check_requests(server.requests) == []


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer(poll_timeout=0.05) as server:
        yield server


async def _running(url: str, clock, **settings: object) -> App:  # type: ignore[no-untyped-def]
    app = await open_app(url, clock, web_port=0, **settings)
    app.build_channels()
    app.base = (await app.serve_web()).rstrip("/")  # type: ignore[attr-defined]
    await app.start_channels()
    return app


async def _post_telegram(http: aiohttp.ClientSession, url: str, update: dict) -> int:  # type: ignore[type-arg]
    async with http.post(url, json=update, headers={TG_HEADER: TG_SECRET}) as response:
        return response.status


async def test_telegram_webhook_on_a_secret_path(tg: FakeTelegramServer, sqlite_url, clock, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    public = "https://bot.example.invalid/hooks/tg-8f3a91"
    app = await _running(sqlite_url, clock, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url, telegram_webhook_url=public,
                         telegram_webhook_secret=TG_SECRET)
    try:
        assert tg.webhook["url"] == public  # Telegram is told the public URL
        assert any(public in r.getMessage() and "local path /hooks/tg-8f3a91" in r.getMessage()
                   for r in caplog.records)  # start-up says what is served where
        async with aiohttp.ClientSession() as http:
            # the old fixed path is not served: 404, and the log names the path that is
            caplog.clear()
            assert await _post_telegram(http, app.base + "/telegram/webhook",  # type: ignore[attr-defined]
                                        tg.command_update(CHAT, "start")) == 404
            [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert "POST /telegram/webhook" in line and "/hooks/tg-8f3a91 (telegram)" in line
            assert not tg.sent(CHAT)

            assert await _post_telegram(http, app.base + "/hooks/tg-8f3a91",  # type: ignore[attr-defined]
                                        tg.command_update(CHAT, "start")) == 200
            [greeting] = await tg.wait_for_messages(CHAT, 1)
            assert greeting.body.startswith("Xin chào!")

            # Telegram's own report of its failed deliveries reaches /healthcheck
            async with http.get(app.base + "/healthcheck") as response:  # type: ignore[attr-defined]
                health = await response.json()
            assert health["status"] == "ok"
            assert health["channels"]["telegram"]["mode"] == "webhook"
            assert health["channels"]["telegram"]["last_error"] is None
            tg.webhook_error = (1764554400, "Wrong response from the webhook: 404 Not Found")
            async with http.get(app.base + "/healthcheck") as response:  # type: ignore[attr-defined]
                health = await response.json()
            telegram = health["channels"]["telegram"]
            assert telegram["last_error"] == "Wrong response from the webhook: 404 Not Found"
            assert telegram["last_error_at"].startswith("2025-12-01T02:00:00")
            assert telegram["registered"] is True
            assert "hooks" not in str(health)  # a secret path is not shown to the public
    finally:
        await app.close()


async def test_telegram_webhook_behind_a_path_rewriting_proxy(tg: FakeTelegramServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    """nginx: location /giamngheo/ { proxy_pass http://127.0.0.1:8080/; } — Telegram posts to
    /giamngheo/tg/k9, the bot sees /tg/k9: TELEGRAM_WEBHOOK_PATH says so."""
    public = "https://bot.example.invalid/giamngheo/tg/k9"
    app = await _running(sqlite_url, clock, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url, telegram_webhook_url=public,
                         telegram_webhook_secret=TG_SECRET, telegram_webhook_path="/tg/k9")
    try:
        assert tg.webhook["url"] == public
        async with PrefixProxy("/giamngheo", app.base) as proxy, aiohttp.ClientSession() as http:  # type: ignore[attr-defined]
            assert await _post_telegram(http, proxy.url + "/giamngheo/tg/k9",
                                        tg.command_update(CHAT, "start")) == 200
            [greeting] = await tg.wait_for_messages(CHAT, 1)
            assert greeting.body.startswith("Xin chào!")
            assert proxy.forwarded == ["/tg/k9"]
            # without the override the bot would listen on the public path, which the proxy
            # never forwards as such
            assert await _post_telegram(http, app.base + "/giamngheo/tg/k9",  # type: ignore[attr-defined]
                                        tg.command_update(CHAT, "menu")) == 404
            async with http.get(proxy.url + "/giamngheo/healthcheck") as response:
                health = await response.json()
            assert health["channels"]["telegram"]["mode"] == "webhook"
            assert health["channels"]["web"]["mode"] == "web chat"
    finally:
        await app.close()


async def test_zalo_webhook_on_a_secret_path(zalo: FakeZaloServer, sqlite_url, clock, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    public = "https://bot.example.invalid/z/4c1e-hook"
    app = await _running(sqlite_url, clock, zalo_bot_token=zalo.token,
                         zalo_api_base_url=zalo.base_url, zalo_webhook_url=public,
                         zalo_webhook_secret=ZALO_SECRET)
    try:
        assert zalo.webhook_url == public
        assert any(public in r.getMessage() and "local path /z/4c1e-hook" in r.getMessage()
                   for r in caplog.records)
        async with aiohttp.ClientSession() as http:
            caplog.clear()
            assert await post_webhook(http, app.base + "/zalo/webhook",  # type: ignore[attr-defined]
                                      text_update(ZALO_CHAT, "/start"), secret=ZALO_SECRET) == 404
            [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert "POST /zalo/webhook" in line and "/z/4c1e-hook (zalo)" in line
            assert not zalo.messages_to(ZALO_CHAT)
            assert await post_webhook(http, app.base + "/z/4c1e-hook",  # type: ignore[attr-defined]
                                      text_update(ZALO_CHAT, "/start"), secret=ZALO_SECRET) == 200
            [menu] = await zalo.wait_for_messages(ZALO_CHAT, 1)
            assert "Dữ liệu của tôi" in menu.text
            async with http.get(app.base + "/healthcheck") as response:  # type: ignore[attr-defined]
                health = await response.json()
            assert health["channels"]["zalo"] == {"mode": "webhook", "running": True}
    finally:
        await app.close()


async def test_zalo_webhook_behind_a_path_rewriting_proxy(zalo: FakeZaloServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    public = "https://bot.example.invalid/giamngheo/zalo/in"
    app = await _running(sqlite_url, clock, zalo_bot_token=zalo.token,
                         zalo_api_base_url=zalo.base_url, zalo_webhook_url=public,
                         zalo_webhook_secret=ZALO_SECRET, zalo_webhook_path="/zalo/in")
    try:
        assert zalo.webhook_url == public
        async with PrefixProxy("/giamngheo", app.base) as proxy, aiohttp.ClientSession() as http:  # type: ignore[attr-defined]
            assert await post_webhook(http, proxy.url + "/giamngheo/zalo/in",
                                      text_update(ZALO_CHAT, "/start"), secret=ZALO_SECRET) == 200
            [menu] = await zalo.wait_for_messages(ZALO_CHAT, 1)
            assert "Dữ liệu của tôi" in menu.text
            assert proxy.forwarded == ["/zalo/in"]
            assert await post_webhook(http, proxy.url + "/giamngheo/zalo/in",
                                      text_update(ZALO_CHAT, "/start"), secret="wrong") == 403
    finally:
        await app.close()


async def test_polling_channels_report_their_mode(tg: FakeTelegramServer, zalo: FakeZaloServer, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _running(sqlite_url, clock, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url, zalo_bot_token=zalo.token,
                         zalo_api_base_url=zalo.base_url)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(app.base + "/healthcheck") as response:  # type: ignore[attr-defined]
                health = await response.json()
        assert health["channels"] == {"web": {"mode": "web chat"}, "telegram": {"mode": "polling"},
                                      "zalo": {"mode": "polling", "running": True}}
    finally:
        await app.close()


@pytest.mark.parametrize(
    ("env", "paths"),
    [
        ({"telegram_webhook_url": "https://h.vn/a/b"}, ("/a/b", None)),
        ({"telegram_webhook_url": "https://h.vn"}, ("/", None)),
        ({"telegram_webhook_url": "https://h.vn/p/tg", "telegram_webhook_path": "/tg"},
         ("/tg", None)),
        ({"zalo_webhook_url": "https://h.vn/zz?x=1"}, (None, "/zz")),
        ({"telegram_webhook_path": "/tg"}, (None, None)),  # no URL: polling, the path is unused
    ],
)
def test_the_local_path_follows_the_public_url(env: dict[str, str], paths: tuple[str | None, str | None]) -> None:
    settings = load_settings(telegram_webhook_secret=TG_SECRET, zalo_webhook_secret=ZALO_SECRET,
                             **env)
    assert (settings.telegram_webhook_local_path, settings.zalo_webhook_local_path) == paths


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"telegram_webhook_url": "https://h.vn/healthcheck"}, "TELEGRAM_WEBHOOK_URL: the path /healthcheck"),
        ({"zalo_webhook_url": "https://h.vn/x", "zalo_webhook_path": "/api/chat"}, "ZALO_WEBHOOK_PATH: the path /api/chat"),
        ({"telegram_webhook_url": "https://a.vn/hook", "zalo_webhook_url": "https://b.vn/hook"}, "ZALO_WEBHOOK_URL: the path /hook is already"),
        ({"telegram_webhook_path": "tg"}, "TELEGRAM_WEBHOOK_PATH: expected a path starting with /"),
    ],
)
def test_a_webhook_path_that_cannot_work_stops_start_up(env: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(telegram_webhook_secret=TG_SECRET, zalo_webhook_secret=ZALO_SECRET, **env)
    assert str(error.value).startswith(expected)
