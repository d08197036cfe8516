"""A new channel is one module and one line in the table of channels (bot/channels.py).

`FakeChat` below is such a module, written against bot/channel.py alone: an adapter that takes
its updates on a webhook and keeps what it sends. Registered with ONE line (the monkeypatch of
`CHANNELS`, standing for the line a real channel adds to the table), and with nothing else
changed, it has its settings (FAKECHAT_BOT_TOKEN, FAKECHAT_WEBHOOK_URL, … read from the
environment and checked like every channel's), is built when its token is set, serves its
webhook on the configured path, runs a dialog end to end through the real core, shows in
/healthcheck, may be named in ADMIN_IDS, and gets what the bot sends on its own through the
outbox at its own send rate.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from bot import channels
from bot.channel import Capabilities, ChannelKind, Route, SendRate
from bot.console import render
from bot.settings import SettingsError, load_settings
from db import outbox
from db.users import find_user
from domain.messages import Handler, Incoming, Kind, Reply
from tests.support import open_app

if TYPE_CHECKING:
    from bot.channels import Wiring

SECRET = "fake-secret-1"
CHAT = "fc-0001"


# -- the new channel's module ----------------------------------------------------------------


class FakeChat:
    """The adapter: updates are POSTed to its webhook, its answers are the response's body."""

    channel = "fakechat"
    capabilities = Capabilities(frozenset({Kind.TEXT}))
    poll_lease = None

    def __init__(self, handler: Handler, webhook_path: str | None, secret: str | None,
                 rate: float) -> None:
        self.handler = handler
        self.webhook_path = webhook_path
        self.secret = secret
        self.send_rate = SendRate(rate)
        self.conflict = asyncio.Event()
        self.running = False
        self.sent: list[tuple[str, Reply]] = []

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.sent.append((chat_id, reply))

    async def set_chat_commands(self, chat_id: str, role: str) -> None:
        pass  # no per-chat command list on this platform

    def routes(self) -> list[Route]:
        return [("POST", self.webhook_path, self._webhook)] if self.webhook_path else []

    async def health(self) -> dict[str, object]:
        return {"mode": "webhook", "running": self.running}

    async def _webhook(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Fake-Secret") != self.secret:
            return web.Response(status=403)
        body = await request.json()
        event = Incoming(self.channel, body["chat"], body["chat"], Kind.TEXT, body["text"],
                         update_id=body["id"])
        replies = await self.handler.handle(event)
        return web.json_response([render(reply, lambda text: text) for reply in replies])


def build(wiring: Wiring) -> FakeChat:
    return FakeChat(wiring.core, wiring.webhook_path, wiring.setting("webhook_secret"),
                    wiring.setting("send_rate"))


KIND = ChannelKind("fakechat", "FakeChat", FakeChat.capabilities, send_rate=7.0, build=build,
                   webhook=True, settings={"bot_token": (SecretStr | None, None)})


# -- the tests ---------------------------------------------------------------------------------


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channels, "CHANNELS", (*channels.CHANNELS, KIND))  # the one line


async def test_a_channel_added_to_the_table_runs_a_dialog_end_to_end(registered, monkeypatch, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FAKECHAT_BOT_TOKEN", "t0ken")
    monkeypatch.setenv("FAKECHAT_WEBHOOK_URL", "https://bot.example.invalid/fake/in")
    monkeypatch.setenv("FAKECHAT_WEBHOOK_SECRET", SECRET)
    app = await open_app(sqlite_url, clock, web_port=0, admin_ids=f"fakechat:{CHAT}")
    app.delivery_options = {"handover_seconds": 0.0, "idle_seconds": 0.05}
    app.build_channels()
    base = (await app.serve_web()).rstrip("/")
    await app.start_channels()
    try:
        [fake] = app.channels
        assert isinstance(fake, FakeChat) and fake.running
        assert app.core.services.outbound["fakechat"] is fake  # type: ignore[union-attr]
        assert app.core.services.receives["fakechat"] == frozenset({Kind.TEXT})  # type: ignore[union-attr]

        async with aiohttp.ClientSession() as http:
            async def say(text: str, number: int, secret: str = SECRET) -> tuple[int, list[str]]:
                body = {"chat": CHAT, "text": text, "id": str(number)}
                async with http.post(base + "/fake/in", json=body,
                                     headers={"X-Fake-Secret": secret}) as response:
                    return response.status, (await response.json() if response.ok else [])

            assert (await say("/start", 1, secret="wrong"))[0] == 403
            status, [greeting] = await say("/start", 2)
            assert status == 200 and greeting.startswith("Xin chào! Tôi là trợ lý giảm nghèo")
            await say("/xoadulieu", 3)
            _status, answer = await say("2", 4)  # "Không, giữ lại", by its number
            assert "Chưa xóa gì cả." in answer[0]

            async with http.get(base + "/healthcheck") as response:
                health = await response.json()
            assert health["channels"]["fakechat"] == {"mode": "webhook", "running": True}
            async with http.post(base + "/fake/wrong", json={}) as response:
                assert response.status == 404

        async with app.core.sessions() as session, session.begin():  # type: ignore[union-attr]
            user = await find_user(session, "fakechat", CHAT)
            assert user is not None and user.role == "admin"  # ADMIN_IDS named it
            await outbox.enqueue(session, channel="fakechat", chat_id=CHAT,
                                 reply=Reply("Nhắc việc"), kind="test",
                                 now=app.core.services.clock(), user_id=user.id)  # type: ignore[union-attr]
        assert app.delivery.rates["fakechat"] == 7.0  # FAKECHAT_SEND_RATE's default
        app.core.services.wake_delivery()  # type: ignore[union-attr]
        async with asyncio.timeout(10):
            while not fake.sent:
                await asyncio.sleep(0.02)
        assert [(chat, reply.text) for chat, reply in fake.sent] == [(CHAT, "Nhắc việc")]
    finally:
        await app.close()
    assert not fake.running


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"fakechat_webhook_url": "https://h.vn/in"}, "FAKECHAT_WEBHOOK_SECRET: required when FAKECHAT_WEBHOOK_URL is set"),
        ({"fakechat_webhook_url": "https://h.vn/api/x", "fakechat_webhook_secret": SECRET}, "FAKECHAT_WEBHOOK_URL: the path /api/x is the web chat's own"),
        ({"fakechat_webhook_url": "https://h.vn/hook", "fakechat_webhook_secret": SECRET,
          "telegram_webhook_url": "https://h.vn/hook", "telegram_webhook_secret": SECRET}, "FAKECHAT_WEBHOOK_URL: the path /hook is already Telegram's webhook"),
        ({"fakechat_webhook_path": "in"}, "FAKECHAT_WEBHOOK_PATH: expected a path starting with /"),
        ({"fakechat_send_rate": "0"}, "FAKECHAT_SEND_RATE: Input should be greater than 0"),
        ({"admin_ids": "fakechat"}, "ADMIN_IDS: expected channel:id items"),
    ],
)
def test_its_settings_are_checked_like_every_channels(registered, env: dict[str, str], expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError) as error:
        load_settings(**env)
    assert str(error.value).startswith(expected)


def test_without_its_token_it_is_not_built(registered) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(fakechat_webhook_url="https://h.vn/in", fakechat_webhook_secret=SECRET)
    assert settings.fakechat_webhook_local_path == "/in"  # type: ignore[attr-defined]
    assert not channels.enabled(KIND, settings)
    assert "fakechat" in settings.channel_names()
