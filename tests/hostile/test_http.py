"""Malformed requests on the three endpoints (web chat API, Telegram and Zalo webhooks) get a
4xx and a log line without their content; the server keeps answering; forged Telegram buttons
get a friendly answer; a web message retried after a lost answer gets the stored answer."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import App
from tests.fakes.telegram_server import FakeTelegramServer
from tests.fakes.zalo_server import FakeZaloServer, text_update
from tests.support import open_app

TG_SECRET = "s3cret-token"
ZALO_SECRET = "zalo-secret-123"
CHAT = 4242
ZALO_CHAT = "6ede9afa66b88fe6d6a9"
MARK = "Nguyễn-Thị-Bí-Mật"  # in every malformed body: it must never reach the log


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer(poll_timeout=0.05) as server:
        yield server


@pytest.fixture
async def running(tg, zalo, sqlite_url, clock) -> AsyncIterator[App]:  # type: ignore[no-untyped-def]
    app = await open_app(
        sqlite_url, clock, web_port=0,
        telegram_bot_token=tg.token, telegram_api_base_url=tg.base_url,
        telegram_webhook_url="https://bot.example.invalid/telegram/webhook",
        telegram_webhook_secret=TG_SECRET,
        zalo_bot_token=zalo.token, zalo_api_base_url=zalo.base_url,
        zalo_webhook_url="https://bot.example.invalid/zalo/webhook",
        zalo_webhook_secret=ZALO_SECRET,
    )
    app.build_channels()
    app.base = await app.serve_web()  # type: ignore[attr-defined]
    await app.start_channels()
    yield app
    await app.close()


def _endpoints(app: App) -> dict[str, tuple[str, dict[str, str]]]:
    base = app.base  # type: ignore[attr-defined]
    return {
        "web": (base + "api/chat", {}),
        "telegram": (base + "telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}),
        "zalo": (base + "zalo/webhook", {"X-Bot-Api-Secret-Token": ZALO_SECRET}),
    }


def _zalo_with_date(date: str) -> bytes:
    update = text_update(ZALO_CHAT, MARK)
    body = json.dumps({"ok": True, "result": update})
    return body.replace('"date": ', f'"date": {date}, "was": ', 1).encode()


MALFORMED = {
    "invalid-utf8": b'{"client_id": "browser-0001", "text": "' + MARK.encode() + b'\xff\xfe"}',
    "deep-lists": b"[" * 50_000 + MARK.encode() + b"]" * 50_000,
    "deep-objects": (b'{"a":' * 40) + json.dumps(MARK).encode() + b"}" * 40,
    "nan": b'{"text": "' + MARK.encode() + b'", "n": NaN}',
    "1e309": b'{"text": "' + MARK.encode() + b'", "n": 1e309}',
    "not-json": MARK.encode() + b"{{",
}


async def test_malformed_bodies_get_4xx_on_all_three_endpoints(
    running: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with aiohttp.ClientSession() as http:
        for case, body in MALFORMED.items():
            for name, (url, headers) in _endpoints(running).items():
                sent = {**headers, "Content-Type": "application/json"}
                async with http.post(url, data=body, headers=sent) as response:
                    assert 400 <= response.status < 500, (case, name, response.status)
    refused = [r for r in caplog.records if "request refused" in r.getMessage()]
    assert len(refused) == 3 * len(MALFORMED)  # one line each, naming route and reason
    assert not any(MARK in r.getMessage() or MARK in str(r.args) for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    await _still_answers(running)


async def test_gzip_declared_on_a_plain_body_and_a_real_gzip_body_get_4xx(running: App) -> None:
    plain = json.dumps({"client_id": "browser-0001", "text": MARK}).encode()
    async with aiohttp.ClientSession() as http:
        for _name, (url, headers) in _endpoints(running).items():
            for body in (plain, gzip.compress(plain)):
                sent = {**headers, "Content-Type": "application/json",
                        "Content-Encoding": "gzip"}
                async with http.post(url, data=body, headers=sent) as response:
                    assert response.status == 415
    await _still_answers(running)


async def test_zalo_dates_out_of_range_get_4xx(running: App) -> None:
    url, headers = _endpoints(running)["zalo"]
    async with aiohttp.ClientSession() as http:
        for date in ("1e309", "NaN", "1e20", "-1e20", "-Infinity"):
            async with http.post(url, data=_zalo_with_date(date), headers={
                    **headers, "Content-Type": "application/json"}) as response:
                assert response.status == 400, date
    await _still_answers(running)


async def test_long_static_file_name_is_404(running: App) -> None:
    async with aiohttp.ClientSession() as http:
        for name in ("a" * 5000, "%2e%2e%2fsettings.py", "chat.js" + "x" * 300):
            async with http.get(running.base + "static/" + name) as response:  # type: ignore[attr-defined]
                assert response.status == 404
        async with http.get(running.base + "static/chat.js") as response:  # type: ignore[attr-defined]
            assert response.status == 200


async def test_forged_telegram_buttons_get_a_friendly_answer(running: App, tg: FakeTelegramServer) -> None:
    url, headers = _endpoints(running)["telegram"]
    forged = ["job:fw:١٢٣", "job:fw:²", "job:fw:quay lại", "job:fw:" + "9" * 56,
              "off:hh:\ud800", "kh:show:99999999999999999999", "as:pick:\x00", "menu:page:²",
              "job:l:1:" + "7" * 30 + ":x"]
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=tg.command_update(CHAT, "start"), headers=headers):
            pass
        await tg.wait_for_messages(CHAT, 1)
        for number, data in enumerate(forged, start=2):
            latest = tg.messages[CHAT][-1]
            sent = tg.button_update(CHAT, latest.buttons()[0]["text"])
            sent["callback_query"]["data"] = data
            async with http.post(url, json=sent, headers=headers) as response:
                assert response.status == 200
            messages = await tg.wait_for_messages(CHAT, number)
            assert "trục trặc" not in messages[-1].body, data
            assert messages[-1].body.startswith("Nút này"), (data, messages[-1].body)


async def test_a_web_message_retried_gets_the_same_answer(running: App) -> None:
    url = running.base + "api/chat"  # type: ignore[attr-defined]
    body = {"client_id": "browser-0042", "message_id": "m-1", "text": "/start"}
    async with aiohttp.ClientSession() as http:
        first = await (await http.post(url, json=body)).json()
        again = await (await http.post(url, json=body)).json()
        other = await (await http.post(url, json={**body, "client_id": "browser-0043"})).json()
    assert first["replies"] and again == first
    # another browser's message with the same id is its own message, answered for itself
    assert other["replies"] and other["replies"][-1]["text"].startswith("Xin chào")


async def _still_answers(app: App) -> None:
    async with aiohttp.ClientSession() as http:
        body = {"client_id": "browser-0001", "text": "/start"}
        async with http.post(app.base + "api/chat", json=body) as response:  # type: ignore[attr-defined]
            assert response.status == 200
            assert (await response.json())["replies"][-1]["text"].startswith("Xin chào")
