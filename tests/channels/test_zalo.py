"""The Zalo channel end to end: the real adapter and client against a fake Zalo API on 127.0.0.1.

`scripted_core` stands in for the core: a three-step dialog that offers choices and itself maps
a typed number or label to the choice (the real core does that part; the adapter sends text).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable
from itertools import pairwise
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.i18n import load_catalogs
from bot.zalo import ZaloChannel, split_text
from bot.zalo.api import parse_event
from domain.messages import Choice, DeliveryError, Document, Incoming, Kind, Reply
from tests.fakes.zalo_server import FakeZaloServer, make_update, post_webhook, text_update

TOKEN = "1234567890:fake-bot-token"
SECRET = "webhook-secret-0123456789"
CHAT = "6ede9afa66b88fe6d6a9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4 test"

STEPS = (
    ("Bạn có muốn tự đánh giá hộ nghèo không?", (Choice("Có", "go"), Choice("Không", "stop"))),
    ("Hộ gia đình bạn sống ở đâu?", (Choice("Thành thị", "urban"), Choice("Nông thôn", "rural"))),
    ("Hộ bạn có thẻ bảo hiểm y tế không?", (Choice("Có", "bhyt"), Choice("Không", "no_bhyt"))),
)
FRIENDLY = "Mình chỉ đọc được chữ. Bạn trả lời giúp mình câu này nhé:"
LONG_TEXT = "\n".join(f"Dòng {i:02d} ".ljust(49, ".") for i in range(50)) + "!"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class ScriptedCore:
    """A Handler with a 3-step dialog; remembers the choices it offered, as the real core will."""

    def __init__(self) -> None:
        self.events: list[Incoming] = []
        self.step: dict[str, int] = {}
        self.answers: dict[str, list[str]] = {}

    async def handle(self, event: Incoming) -> list[Reply]:
        self.events.append(event)
        if event.kind is Kind.COMMAND:
            return self._command(event)
        step = self.step.get(event.chat_id, 0)
        if event.kind is not Kind.TEXT:
            return [Reply(FRIENDLY), self._question(step)]
        choice = self._match(event.text, STEPS[step][1])
        if choice is None:
            return [Reply("Mình chưa hiểu ý bạn."), self._question(step)]
        self.answers.setdefault(event.chat_id, []).append(choice.payload)
        if step + 1 == len(STEPS):
            return [Reply("Xong: " + ", ".join(self.answers[event.chat_id]))]
        self.step[event.chat_id] = step + 1
        return [self._question(step + 1)]

    def _command(self, event: Incoming) -> list[Reply]:
        special = {
            "long": Reply(LONG_TEXT),
            "chart": Reply("Biểu đồ thu nhập của hộ", image=PNG),
            "phone": Reply("Cho mình xin số điện thoại liên hệ.", request="phone"),
            "file": Reply("Phiếu tự đánh giá", document=Document(PDF, "phiếu tự đánh giá.pdf")),
        }
        if event.command in special:
            return [special[event.command]]
        self.step[event.chat_id], self.answers[event.chat_id] = 0, []
        return [self._question(0)]

    @staticmethod
    def _question(step: int) -> Reply:
        text, choices = STEPS[step]
        return Reply(text, choices=choices)

    @staticmethod
    def _match(text: str, choices: tuple[Choice, ...]) -> Choice | None:
        typed = _fold(text)
        if typed.isdigit() and 1 <= int(typed) <= len(choices):
            return choices[int(typed) - 1]
        return next((c for c in choices if _fold(c.label) == typed), None)


@pytest.fixture
def scripted_core() -> ScriptedCore:
    return ScriptedCore()


@pytest.fixture
def vi() -> Callable[[str], str]:
    """The shipped Vietnamese catalog, for the adapter's own strings."""
    return load_catalogs(("vi",))["vi"].gettext


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer(TOKEN, poll_timeout=0.05) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class BotServer:
    """The bot's own aiohttp server on 127.0.0.1, its port known before the channel exists."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.runner: web.AppRunner | None = None

    async def serve(self, channel: ZaloChannel) -> None:
        app = web.Application()
        for method, path, route in channel.routes():
            app.router.add_route(method, path, route)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.SockSite(self.runner, self.sock).start()

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
        self.sock.close()


MakeChannel = Callable[..., Awaitable[ZaloChannel]]


@pytest.fixture
async def bot_server() -> AsyncIterator[BotServer]:
    server = BotServer()
    yield server
    await server.close()


@pytest.fixture
async def make_channel(
    fake: FakeZaloServer, scripted_core: ScriptedCore, vi: Callable[[str], str]
) -> AsyncIterator[MakeChannel]:
    """Start a ZaloChannel against the fake (polling unless a webhook is given); stop it after."""
    channels: list[ZaloChannel] = []

    async def make(serve_on: BotServer | None = None, **options: Any) -> ZaloChannel:
        settings: dict[str, Any] = {
            "token": TOKEN,
            "handler": scripted_core,
            "base_url": fake.base_url,
            "translate": vi,
            "poll_timeout": 1.0,
            "send_rate_per_second": 1000.0,
            "retry_delays": (0.05, 0.1),
        }
        channel = ZaloChannel(**(settings | options))
        channels.append(channel)
        if serve_on is not None:
            await serve_on.serve(channel)
        await channel.start()
        return channel

    yield make
    for channel in channels:
        await channel.stop()


async def _say(fake: FakeZaloServer, text: str, expect_total: int) -> list[str]:
    fake.push(text_update(CHAT, text))
    return [sent.text for sent in await fake.wait_for_messages(CHAT, expect_total)]


# -- a whole dialog --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(["1", "2", "2"], id="numbers"),
        pytest.param(["co", "Nông thôn", "khong"], id="labels-without-diacritics"),
        pytest.param(["Có", "nong thon", " KHÔNG "], id="labels-mixed"),
    ],
)
async def test_whole_dialog_answered_by_numbers_or_labels(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    scripted_core: ScriptedCore,
    answers: list[str],
) -> None:
    await make_channel()
    texts = await _say(fake, "/start", 1)
    assert texts[0] == (
        "Bạn có muốn tự đánh giá hộ nghèo không?\n\n1. Có\n2. Không\nBạn trả lời bằng số, ví dụ: 1"
    )
    texts = await _say(fake, answers[0], 2)
    assert texts[1].startswith("Hộ gia đình bạn sống ở đâu?\n\n1. Thành thị\n2. Nông thôn\n")
    await _say(fake, answers[1], 3)
    texts = await _say(fake, answers[2], 4)
    assert texts[3] == "Xong: go, rural, no_bhyt"
    # The adapter passes typed answers on as text; the core maps them to choices.
    assert [e.kind for e in scripted_core.events] == [Kind.COMMAND] + [Kind.TEXT] * 3
    assert [e.text for e in scripted_core.events[1:]] == answers
    assert all(e.channel == "zalo" and e.user_id == CHAT for e in scripted_core.events)


# -- webhook ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["wrapped", "flat"])
async def test_webhook_with_the_right_secret_answers_both_body_shapes(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    bot_server: BotServer,
    http: aiohttp.ClientSession,
    shape: str,
) -> None:
    await make_channel(
        bot_server, webhook_url="https://bot.example.vn/zalo/webhook", webhook_secret=SECRET
    )
    assert fake.webhook_url == "https://bot.example.vn/zalo/webhook"
    assert fake.webhook_secret == SECRET
    status = await post_webhook(
        http,
        bot_server.url + "/zalo/webhook",
        text_update(CHAT, "/start"),
        secret=SECRET,
        shape=shape,
    )
    assert status == 200
    [sent] = await fake.wait_for_messages(CHAT, 1)
    assert sent.text.startswith("Bạn có muốn tự đánh giá hộ nghèo không?")
    assert fake.calls_to("getUpdates") == []


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong-secret-000000", SECRET + "x", SECRET[:-1]],
    ids=["missing", "empty", "wrong", "longer", "shorter"],
)
async def test_webhook_with_a_missing_or_wrong_secret_is_refused_and_not_processed(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    bot_server: BotServer,
    http: aiohttp.ClientSession,
    scripted_core: ScriptedCore,
    secret: str | None,
) -> None:
    await make_channel(
        bot_server, webhook_url="https://bot.example.vn/zalo/webhook", webhook_secret=SECRET
    )
    url = bot_server.url + "/zalo/webhook"
    intruder = text_update("intruder-chat", "/start")
    assert await post_webhook(http, url, intruder, secret=secret) == 403
    # A genuine delivery afterwards goes through, and it is the only thing the core saw.
    assert await post_webhook(http, url, text_update(CHAT, "/start"), secret=SECRET) == 200
    await fake.wait_for_messages(CHAT, 1)
    assert [e.chat_id for e in scripted_core.events] == [CHAT]
    assert fake.messages_to("intruder-chat") == []


@pytest.mark.parametrize("shape", ["wrapped", "flat"])
async def test_a_repeated_webhook_delivery_is_processed_once(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    bot_server: BotServer,
    http: aiohttp.ClientSession,
    scripted_core: ScriptedCore,
    shape: str,
) -> None:
    await make_channel(
        bot_server, webhook_url="https://bot.example.vn/zalo/webhook", webhook_secret=SECRET
    )
    url = bot_server.url + "/zalo/webhook"
    first = text_update(CHAT, "/start", message_id="aaaa0000bbbb1111cccc")
    assert await post_webhook(http, url, first, secret=SECRET, shape=shape) == 200
    assert await post_webhook(http, url, first, secret=SECRET, shape=shape) == 200
    second = text_update(CHAT, "1", message_id="dddd2222eeee3333ffff")
    assert await post_webhook(http, url, second, secret=SECRET, shape=shape) == 200
    await fake.wait_for_messages(CHAT, 2)
    # The message id also reaches the core, whose database drops repeats across restarts.
    assert [e.update_id for e in scripted_core.events] == [
        "aaaa0000bbbb1111cccc",
        "dddd2222eeee3333ffff",
    ]
    assert len(fake.messages_to(CHAT)) == 2


async def test_a_repeated_polled_update_is_processed_once(
    fake: FakeZaloServer, make_channel: MakeChannel, scripted_core: ScriptedCore
) -> None:
    await make_channel()
    repeated = text_update(CHAT, "/start")
    fake.push(repeated)
    fake.push(repeated)
    fake.push(text_update(CHAT, "2"))
    await fake.wait_for_messages(CHAT, 2)
    assert [e.text for e in scripted_core.events] == ["", "2"]


# -- long polling ----------------------------------------------------------------------------


@pytest.mark.parametrize("error_http_status", [False, True], ids=["ok-false-200", "http-408"])
async def test_polling_goes_on_through_408s(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    caplog: pytest.LogCaptureFixture,
    error_http_status: bool,
) -> None:
    fake.error_http_status = error_http_status
    caplog.set_level(logging.WARNING, logger="bot")
    channel = await make_channel()
    polls = await fake.wait_for_calls("getUpdates", 3)
    assert [call.status for call in polls[:3]] == [408, 408, 408]
    assert [c.method for c in fake.calls[:2]] == ["getMe", "deleteWebhook"]
    texts = await _say(fake, "/start", 1)
    assert texts[0].startswith("Bạn có muốn tự đánh giá hộ nghèo không?")
    assert channel.running
    assert caplog.records == []  # a 408 is not a failure


# -- limits and faults -----------------------------------------------------------------------


async def test_quota_exceeded_is_answered_with_backoff_and_retry(
    fake: FakeZaloServer, make_channel: MakeChannel
) -> None:
    await make_channel(retry_delays=(0.05, 0.1))
    fake.fail_next(429, "Quota exceeded", times=2, method="sendMessage")
    texts = await _say(fake, "/start", 1)
    assert texts[0].startswith("Bạn có muốn tự đánh giá hộ nghèo không?")
    attempts = fake.calls_to("sendMessage")
    assert [call.status for call in attempts] == [429, 429, 200]
    gaps = [later.at - earlier.at for earlier, later in pairwise(attempts)]
    assert gaps[0] >= 0.045 and gaps[1] >= 0.095  # waited each delay in turn


@pytest.mark.parametrize(
    "error_code, description, permanent, attempts",
    [
        pytest.param(400, "Bad request: chat not found", True, 1, id="400-permanent"),
        pytest.param(404, "Not found", True, 1, id="404-permanent"),
        pytest.param(403, "Internal server error", False, 1, id="403-transient"),
        pytest.param(429, "Quota exceeded", False, 3, id="429-after-backoff"),
    ],
)
async def test_a_refused_proactive_message_is_reported_with_its_reason(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    error_code: int,
    description: str,
    permanent: bool,
    attempts: int,
) -> None:
    channel = await make_channel(retry_delays=(0.01, 0.01))
    fake.fail_next(error_code, description, times=10, method="sendMessage")
    with pytest.raises(DeliveryError) as refused:
        await channel.send(CHAT, Reply("Nhắc bạn: mai là hạn nộp hồ sơ ở UBND phường."))
    assert description in refused.value.reason
    assert str(error_code) in refused.value.reason
    assert refused.value.permanent is permanent
    assert (refused.value.retry_after is not None) is (error_code == 429)
    assert len(fake.calls_to("sendMessage")) == attempts  # not retried forever


async def test_a_bad_token_at_start_stops_only_zalo_with_one_clear_log_line(
    fake: FakeZaloServer, scripted_core: ScriptedCore, caplog: pytest.LogCaptureFixture
) -> None:
    channel = ZaloChannel(
        token="1234567890:revoked", handler=scripted_core, base_url=fake.base_url, poll_timeout=1.0
    )
    await channel.start()  # does not raise: the other channels are started after this one
    try:
        assert not channel.running
        assert [(c.method, c.status) for c in fake.calls] == [("getMe", 401)]
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert "401" in errors[0] and "Zalo channel is stopped" in errors[0]
        assert "revoked" not in caplog.text  # the token never reaches the log
        with pytest.raises(DeliveryError):
            await channel.send(CHAT, Reply("Xin chào"))
    finally:
        await channel.stop()


async def test_a_token_revoked_while_running_stops_the_channel(
    fake: FakeZaloServer, make_channel: MakeChannel, caplog: pytest.LogCaptureFixture
) -> None:
    channel = await make_channel()
    fake.fail_next(401, "Unauthorized", method="sendMessage")
    with pytest.raises(DeliveryError) as refused:
        await channel.send(CHAT, Reply("Nhắc lịch"))
    assert "401" in refused.value.reason and not refused.value.permanent
    assert not channel.running
    assert sum("Zalo channel is stopped" in r.getMessage() for r in caplog.records) == 1
    with pytest.raises(DeliveryError, match="not running"):
        await channel.send(CHAT, Reply("Nhắc lịch"))
    assert len(fake.calls_to("sendMessage")) == 1


async def test_sends_keep_to_the_configured_rate(
    fake: FakeZaloServer, make_channel: MakeChannel
) -> None:
    channel = await make_channel(send_rate_per_second=20.0)
    await asyncio.gather(*(channel.send(f"chat-{i}", Reply("Thông báo")) for i in range(5)))
    times = [call.at for call in fake.calls_to("sendMessage")]
    assert len(times) == 5
    assert times[-1] - times[0] >= 4 / 20 - 0.01


# -- rendering -------------------------------------------------------------------------------


async def test_a_2500_character_reply_is_split_in_two_at_a_line_boundary(
    fake: FakeZaloServer, make_channel: MakeChannel
) -> None:
    assert len(LONG_TEXT) == 2500
    await make_channel()
    texts = await _say(fake, "/long", 2)
    assert len(texts) == 2
    assert all(len(text) <= 2000 for text in texts)
    assert "\n".join(texts) == LONG_TEXT  # whole lines in each message, nothing lost


@pytest.mark.parametrize(
    "text, expected_sizes",
    [
        pytest.param("Xin chào", [8], id="short"),
        pytest.param("", [], id="empty"),
        pytest.param("x" * 2000, [2000], id="exactly-2000"),
        pytest.param("x" * 2001, [2000, 1], id="one-unbroken-line"),
        pytest.param(("nghèo " * 400).strip(), [1997, 401], id="one-line-cut-at-a-space"),
        pytest.param("a" * 1999 + "\n" + "b" * 10, [1999, 10], id="at-the-newline"),
    ],
)
def test_split_text(text: str, expected_sizes: list[int]) -> None:
    assert [len(chunk) for chunk in split_text(text)] == expected_sizes


def test_split_text_never_cuts_a_word_when_there_is_a_space() -> None:
    chunks = split_text(("nghèo " * 400).strip())
    assert {word for chunk in chunks for word in chunk.split(" ")} == {"nghèo"}


async def test_an_image_is_sent_by_url_from_the_bots_own_server(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    bot_server: BotServer,
    http: aiohttp.ClientSession,
) -> None:
    await make_channel(bot_server, public_base_url=bot_server.url)
    fake.push(text_update(CHAT, "/chart"))
    [photo] = await fake.wait_for_messages(CHAT, 1)
    assert photo.method == "sendPhoto" and photo.caption == "Biểu đồ thu nhập của hộ"
    assert photo.photo is not None and photo.photo.startswith(bot_server.url + "/media/")
    token = photo.photo.rsplit("/", 1)[1]
    assert len(token) >= 32  # unguessable
    async with http.get(photo.photo) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert await response.read() == PNG
    async with http.get(bot_server.url + "/media/" + "A" * 32 + ".png") as response:
        assert response.status == 404


async def test_without_a_public_url_an_image_reply_falls_back_to_text(
    fake: FakeZaloServer, make_channel: MakeChannel
) -> None:
    await make_channel()
    texts = await _say(fake, "/chart", 1)
    assert texts == ["Biểu đồ thu nhập của hộ"]
    assert fake.calls_to("sendPhoto") == []


@pytest.mark.parametrize(
    "command, public, hint",
    [
        ("phone", False, "Bạn nhập số điện thoại, ví dụ: 0912345678"),
        ("file", False, "Zalo chưa gửi được tệp."),
    ],
)
async def test_what_zalo_cannot_do_becomes_a_text_hint(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    bot_server: BotServer,
    command: str,
    public: bool,
    hint: str,
) -> None:
    await make_channel(bot_server, public_base_url=bot_server.url if public else None)
    [text] = await _say(fake, "/" + command, 1)
    assert hint in text


async def test_a_document_becomes_a_download_link_from_the_bots_own_server(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    bot_server: BotServer,
    http: aiohttp.ClientSession,
) -> None:
    await make_channel(bot_server, public_base_url=bot_server.url)
    [text] = await _say(fake, "/file", 1)
    intro, link = text.split("\n\nTải tệp tại đây: ")
    assert intro == "Phiếu tự đánh giá"
    assert link.startswith(bot_server.url + "/media/") and link.endswith(".pdf")
    async with http.get(link) as response:
        assert response.status == 200
        assert await response.read() == PDF
        disposition = response.headers["Content-Disposition"]
    assert 'filename="phieu tu danh gia.pdf"' in disposition
    assert (
        "filename*=UTF-8''phi%E1%BA%BFu%20t%E1%BB%B1%20%C4%91%C3%A1nh%20gi%C3%A1.pdf"
        in disposition
    )


@pytest.mark.parametrize(
    "update, kind, payload",
    [
        pytest.param(
            make_update(CHAT, "message.sticker.received", sticker="bfe4b5c2"),
            Kind.UNSUPPORTED,
            {"event": "message.sticker.received"},
            id="sticker",
        ),
        pytest.param(
            make_update(CHAT, "message.unsupported.received"),
            Kind.UNSUPPORTED,
            {"event": "message.unsupported.received"},
            id="unsupported",
        ),
        pytest.param(
            make_update(CHAT, "message.image.received", photo_url="https://photo.zdn.vn/a.jpg"),
            Kind.PHOTO,
            {"url": "https://photo.zdn.vn/a.jpg"},
            id="image",
        ),
    ],
)
async def test_stickers_images_and_unsupported_get_a_friendly_line_and_the_question_again(
    fake: FakeZaloServer,
    make_channel: MakeChannel,
    scripted_core: ScriptedCore,
    update: dict[str, Any],
    kind: Kind,
    payload: dict[str, str],
) -> None:
    await make_channel()
    await _say(fake, "/start", 1)
    await _say(fake, "1", 2)
    fake.push(update)
    texts = [s.text for s in await fake.wait_for_messages(CHAT, 4)]
    assert texts[2] == FRIENDLY
    assert texts[3].startswith("Hộ gia đình bạn sống ở đâu?")  # the current question again
    assert (scripted_core.events[-1].kind, scripted_core.events[-1].payload) == (kind, payload)


async def test_an_event_without_a_message_is_ignored(
    fake: FakeZaloServer, make_channel: MakeChannel, scripted_core: ScriptedCore
) -> None:
    await make_channel()
    fake.push({"event_name": "message.unsupported.received"})
    await _say(fake, "/start", 1)
    assert len(scripted_core.events) == 1


# -- parsing what Zalo sends -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param(
            {
                "ok": True,
                "result": {
                    "event_name": "message.image.received",
                    "message": {
                        "from": {"id": "u1"},
                        "chat": {"id": "c1"},
                        "message_id": "m1",
                        "photo": "https://p/1",
                        "date": 1735689600000,
                    },
                },
            },
            ("c1", "u1", "m1", "https://p/1", 2025),
            id="documented",
        ),
        pytest.param(
            {
                "event_name": "message.image.received",
                "message": {
                    "from": {"id": 42},
                    "chat": {"id": 7},
                    "message_id": 9,
                    "photo_url": "https://p/2",
                    "date": 1735689600,
                },
            },
            ("7", "42", "9", "https://p/2", 2025),
            id="flat-numbers-seconds",
        ),
        pytest.param(
            {"ok": True, "result": {"event_name": "message.unsupported.received"}},
            (None, None, None, None, None),
            id="no-message",
        ),
    ],
)
def test_parse_event_accepts_documented_and_observed_shapes(
    body: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    event = parse_event(body)
    assert event is not None
    year = event.date.year if event.date else None
    assert (event.chat_id, event.user_id, event.message_id, event.photo_url, year) == expected


@pytest.mark.parametrize("body", [None, [], {"ok": True}, {"ok": True, "result": None}, {"x": 1}])
def test_parse_event_rejects_bodies_without_an_event(body: Any) -> None:
    assert parse_event(body) is None
