"""The web chat end to end over HTTP: the page, the JSON API, the inbox and /healthcheck."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession

from domain.messages import Choice, Reply


@pytest.fixture
async def site(app) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    yield await app.serve_web()


@pytest.fixture
async def app(sqlite_url, clock):  # a random free port instead of 8080  # type: ignore[no-untyped-def]
    from tests.support import open_app

    application = await open_app(sqlite_url, clock, web_port=0)
    yield application
    await application.close()


async def test_page_chat_buttons_and_healthcheck(site: str) -> None:
    async with ClientSession() as http:
        page = await http.get(site)
        assert page.status == 200
        assert 'lang="vi"' in await page.text()
        assert (await http.get(site + "static/chat.js")).status == 200
        assert (await http.get(site + "static/../settings.py")).status == 404

        body = {"client_id": "browser-0001", "message_id": "m-1", "text": "/start"}
        answer = await (await http.post(site + "api/chat", json=body)).json()
        menu = answer["replies"][-1]
        assert menu["text"].startswith("Xin chào!")
        mydata = next(c for c in menu["choices"] if "Dữ liệu của tôi" in c["label"])

        body = {"client_id": "browser-0001", "message_id": "m-2", "choice": mydata["payload"]}
        answer = await (await http.post(site + "api/chat", json=body)).json()
        assert "Đây là thông tin của bạn" in answer["replies"][0]["text"]

        again = await (await http.post(site + "api/chat", json=body)).json()
        assert again == answer  # a retried message is handled once and gets the same answer

        bad = await http.post(site + "api/chat", json={"client_id": "x", "text": "hi"})
        assert bad.status == 400
        health = await http.get(site + "healthcheck")
        assert health.status == 200 and (await health.json())["status"] == "ok"


async def test_messages_sent_by_the_bot_wait_in_the_inbox(site: str, app) -> None:  # type: ignore[no-untyped-def]
    await app.web_channel.send("browser-0002", Reply("Nhắc việc", (Choice("OK", "x:ok"),)))
    async with ClientSession() as http:
        inbox = await (await http.get(site + "api/inbox?client_id=browser-0002")).json()
        assert inbox["replies"][0]["text"] == "Nhắc việc"
        assert inbox["replies"][0]["choices"] == [{"label": "OK", "payload": "x:ok"}]
        empty = await (await http.get(site + "api/inbox?client_id=browser-0002")).json()
        assert empty == {"replies": []}


async def test_waiting_messages_survive_a_restart(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.support import open_app

    first = await open_app(database_url, clock)
    await first.web_channel.send("browser-0003", Reply("Lịch học ngày mai"))
    await first.close()
    second = await open_app(database_url, clock)
    [waiting] = await second.web_channel.take("browser-0003")
    assert waiting.text == "Lịch học ngày mai"
    assert await second.web_channel.take("browser-0003") == []
    await second.close()


def test_an_uploaded_file_becomes_a_photo_or_a_document_event() -> None:
    from bot.web import _web_upload
    from domain.messages import Kind

    kind, payload = _web_upload({"name": "ds.xlsx", "type": "application/vnd.ms-excel",
                                 "data": "UEsDBA=="})
    assert kind == Kind.DOCUMENT and payload["data"] == b"PK\x03\x04"
    assert payload["file_name"] == "ds.xlsx" and payload["file_id"].startswith("web:")
    kind, _ = _web_upload({"name": "anh.jpg", "type": "image/jpeg", "data": "/9j/4A=="})
    assert kind == Kind.PHOTO
    assert _web_upload({"name": "x", "type": "text/csv", "data": "not base64!"}) is None
    assert _web_upload({"name": "x", "type": "text/csv", "data": ""}) is None
