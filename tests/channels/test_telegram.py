"""The Telegram adapter, through the real python-telegram-bot Application over HTTP to a fake Bot
API server on 127.0.0.1 (tests/fakes/telegram_server.py).

Every request the bot sends in a test is checked against shared/telegram-bot-api.json by the `api`
fixture's teardown: zero violations. `ScriptedCore` stands in for the core with a 3-step dialog
(name, then "do you have a health-insurance card?" with two buttons, then a confirmation).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.i18n import Translator, load_catalogs
from bot.telegram import ChatPacer, TelegramChannel, keyboard_rows, split_text
from bot.telegram.channel import _file_url
from bot.telegram.render import _LongPayloads
from domain.messages import Choice, DeliveryError, Document, Incoming, Kind, Reply
from tests.fakes.botapi_spec import check_request, check_requests
from tests.fakes.telegram_server import FakeTelegramServer, scope_key

CHAT = 7001
OTHER = 7002
MENUS = {
    "citizen": [("start", "Bắt đầu"), ("menu", "Xem các việc bot làm được"),
                ("huy", "Hủy việc đang làm"), ("trogiup", "Hướng dẫn sử dụng")],
    "officer": [("baocao", "Báo cáo của phường")],
    "admin": [("quantri", "Quản trị hệ thống")],
}
ASK_NAME = "Bạn tên là gì?"
YES, NO = Choice("Có", "bhyt:yes"), Choice("Không", "bhyt:no")


class ScriptedCore:
    """A stand-in for the core: a 3-step dialog per user, kept in a dict, serialised per user.

    `script` holds canned replies returned (first) instead of the dialog; `fail_next` makes the
    next N events raise before any state changes.
    """

    def __init__(self) -> None:
        self.steps: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.events: list[Incoming] = []
        self.script: deque[list[Reply]] = deque()
        self.fail_next = 0
        self._locks: dict[str, asyncio.Lock] = {}
        self._changed = asyncio.Event()

    async def handle(self, event: Incoming) -> list[Reply]:
        async with self._locks.setdefault(event.user_id, asyncio.Lock()):
            self.events.append(event)
            self._changed.set()
            self._changed = asyncio.Event()
            if self.fail_next:
                self.fail_next -= 1
                raise RuntimeError("the core tripped")
            if self.script:
                return self.script.popleft()
            return self._dialog(event)

    def _dialog(self, event: Incoming) -> list[Reply]:
        user, step = event.user_id, self.steps.get(event.user_id)
        if event.kind is Kind.COMMAND and event.command == "huy":
            self.steps.pop(user, None)
            return [Reply("Đã hủy. Gửi /start để bắt đầu lại.")]
        if (event.kind is Kind.COMMAND and event.command == "start") or step is None:
            self.steps[user] = "name"
            return [Reply(ASK_NAME)]
        if step == "name" and event.kind is Kind.TEXT:
            self.names[user] = event.text.strip()
            self.steps[user] = "bhyt"
            return [Reply(f"Chào {self.names[user]}! Hộ bạn có thẻ BHYT không?",
                          choices=(YES, NO))]
        if step == "bhyt":
            answer = event.choice or {"có": "bhyt:yes", "không": "bhyt:no"}.get(
                event.text.strip().lower())
            if answer is None:
                return [Reply("Bạn bấm Có hoặc Không nhé.", choices=(YES, NO))]
            self.steps[user] = "done"
            has_card = "có" if answer == "bhyt:yes" else "không"
            return [Reply(f"Đã ghi nhận: {self.names[user]}, thẻ BHYT: {has_card}.")]
        return [Reply("Gửi /start để bắt đầu.")]

    async def wait_for_events(self, n: int, timeout: float = 5.0) -> list[Incoming]:
        async with asyncio.timeout(timeout):
            while len(self.events) < n:
                await self._changed.wait()
        return list(self.events)


@pytest.fixture
def scripted_core() -> ScriptedCore:
    return ScriptedCore()


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramServer]:
    """The fake server; on teardown every recorded request must match the Bot API spec."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter as timedelta, no deprecation warning
    async with FakeTelegramServer() as server:
        yield server
    assert server.requests, "the bot sent nothing"
    assert check_requests(server.requests) == []


@contextlib.asynccontextmanager
async def running(
    api: FakeTelegramServer, core: ScriptedCore, **options: Any
) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(token=api.token, handler=core, base_url=api.base_url,
                              command_menus=MENUS, retry_delay=0.01, **options)
    await channel.start()
    try:
        yield channel
    finally:
        async with asyncio.timeout(3):  # stop is prompt even with a long poll pending
            await channel.stop()


def vietnamese() -> Translator:
    """The shipped Vietnamese catalog, for the adapter's own labels."""
    return load_catalogs(("vi",))["vi"]


def texts(api: FakeTelegramServer, chat: int) -> list[str]:
    return [message.body for message in api.sent(chat)]


# -- whole dialogs -------------------------------------------------------------------------


async def test_whole_dialog_by_typing(api: FakeTelegramServer, scripted_core: ScriptedCore):
    async with running(api, scripted_core):
        api.push_command(CHAT, "start")
        await api.wait_for_messages(CHAT, 1)
        api.push_text(CHAT, "Lan")
        await api.wait_for_messages(CHAT, 2)
        api.push_text(CHAT, "có")
        await api.wait_for_messages(CHAT, 3)

    assert texts(api, CHAT) == [
        ASK_NAME, "Chào Lan! Hộ bạn có thẻ BHYT không?", "Đã ghi nhận: Lan, thẻ BHYT: có."]
    assert api.sent(CHAT)[1].button_labels() == ["Có", "Không"]
    assert {m.parse_mode for m in api.sent(CHAT)} == {"HTML"}
    start, name, answer = scripted_core.events
    assert (start.kind, start.command, start.text) == (Kind.COMMAND, "start", "")
    assert (name.kind, name.text, answer.text) == (Kind.TEXT, "Lan", "có")
    assert (start.channel, start.chat_id, start.user_id, start.language) == (
        "telegram", str(CHAT), str(CHAT), "vi")
    assert all(e.update_id and e.update_id.isdigit() for e in scripted_core.events)


async def test_whole_dialog_by_buttons(api: FakeTelegramServer, scripted_core: ScriptedCore):
    async with running(api, scripted_core):
        api.push_command(CHAT, "start")
        await api.wait_for_messages(CHAT, 1)
        api.push_text(CHAT, "Lan")
        [_, question] = await api.wait_for_messages(CHAT, 2)
        api.press_button(CHAT, "Không")
        await api.wait_for_messages(CHAT, 3)

    assert texts(api, CHAT)[2] == "Đã ghi nhận: Lan, thẻ BHYT: không."
    assert scripted_core.events[-1].kind is Kind.CHOICE
    assert scripted_core.events[-1].choice == "bhyt:no"
    assert len(api.answered_callbacks) == 1  # the spinner stops
    assert question.buttons() == []  # the old keyboard cannot submit again
    assert question.body.endswith("\n\n✓ Không")  # and the chat shows what was chosen


async def test_double_tap_submits_once(api: FakeTelegramServer, scripted_core: ScriptedCore):
    async with running(api, scripted_core):
        api.push_command(CHAT, "start")
        await api.wait_for_messages(CHAT, 1)
        api.push_text(CHAT, "Lan")
        await api.wait_for_messages(CHAT, 2)
        first, second = api.button_update(CHAT, "Có"), api.button_update(CHAT, "Có")
        api.push(first)
        api.push(second)
        await api.wait_until(lambda: len(api.answered_callbacks) == 2)
        await api.wait_for_messages(CHAT, 3)

    assert [e.kind for e in scripted_core.events].count(Kind.CHOICE) == 1
    assert texts(api, CHAT)[2] == "Đã ghi nhận: Lan, thẻ BHYT: có."


async def test_text_is_html_escaped_and_long_text_split_at_lines(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    lines = [f"Dòng {i}: <b>không</b> phải thẻ & mã" for i in range(400)]  # ~ 15 000 chars
    scripted_core.script.append([Reply("\n".join(lines), choices=(YES, NO))])
    async with running(api, scripted_core):
        api.push_text(CHAT, "xem")
        await api.wait_until(lambda: any(m.buttons() for m in api.sent(CHAT)))

    sent = api.sent(CHAT)
    assert len(sent) >= 4
    assert all(len(m.body) <= 4096 for m in sent)
    assert [m.button_labels() for m in sent][-1] == ["Có", "Không"]  # keyboard on the last part
    assert all(m.buttons() == [] for m in sent[:-1])
    joined = "\n".join(m.body for m in sent)
    assert joined.split("\n") == [
        line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for line in lines]


async def test_phone_request_keyboard_contact_and_cancel(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    scripted_core.script.extend([
        [Reply("Bạn gửi số điện thoại nhé.", request="phone")],
        [Reply("Cảm ơn bạn.")],
        [Reply("Bạn gửi vị trí nhé.", request="location")],
    ])
    async with running(api, scripted_core, translator=vietnamese()):
        api.push_text(CHAT, "đăng ký")
        [ask] = await api.wait_for_messages(CHAT, 1)
        api.push_contact(CHAT, "+84901234567")
        [_, thanks] = await api.wait_for_messages(CHAT, 2)
        api.push_text(CHAT, "vị trí")
        await api.wait_for_messages(CHAT, 3)
        api.push_text(CHAT, "Hủy")  # what the cancel button sends: its label
        await api.wait_for_messages(CHAT, 4)

    assert ask.reply_markup is not None
    assert ask.reply_markup["one_time_keyboard"] is True
    assert ask.reply_keyboard() == [
        {"text": "Gửi số điện thoại của tôi", "request_contact": True}, {"text": "Hủy"}]
    assert thanks.reply_markup == {"remove_keyboard": True}
    assert api.sent(CHAT)[2].reply_keyboard()[0]["request_location"] is True
    contact, cancel = scripted_core.events[1], scripted_core.events[3]
    assert (contact.kind, contact.payload) == (Kind.CONTACT, {"phone": "+84901234567"})
    assert (cancel.kind, cancel.command) == (Kind.COMMAND, "huy")


@pytest.mark.parametrize(
    ("push", "kind", "payload"),
    [
        pytest.param(lambda api: api.push_location(CHAT, 21.0285, 105.8542), Kind.LOCATION,
                     {"latitude": 21.0285, "longitude": 105.8542}, id="location"),
        pytest.param(lambda api: api.push_contact(CHAT, "+84900000000", own=False),
                     Kind.UNSUPPORTED, {"reason": "foreign_contact"}, id="someone-elses-contact"),
        pytest.param(lambda api: api.push_command(CHAT, "start@giamngheo_test_bot", "ref42"),
                     Kind.COMMAND, {}, id="command-with-botname"),
    ],
)
async def test_incoming_kinds(
    api: FakeTelegramServer, scripted_core: ScriptedCore,
    push: Callable[[FakeTelegramServer], int], kind: Kind, payload: dict[str, Any],
):
    async with running(api, scripted_core):
        push(api)
        [event] = await scripted_core.wait_for_events(1)
        await api.wait_for_messages(CHAT, 1)

    assert (event.kind, event.payload) == (kind, payload)
    if kind is Kind.COMMAND:
        assert (event.command, event.text) == ("start", "ref42")


async def test_photo_and_document_arrive_with_their_bytes(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    pdf = b"%PDF-1.4 giay xac nhan" * 100
    async with running(api, scripted_core):
        api.push_photo(CHAT, b"\xff\xd8jpeg-bytes" * 50, caption="Sổ hộ khẩu")
        api.push_document(CHAT, pdf, "giay-xac-nhan.pdf")
        photo, document = await scripted_core.wait_for_events(2)
        await api.wait_for_messages(CHAT, 2)

    assert (photo.kind, photo.text) == (Kind.PHOTO, "Sổ hộ khẩu")
    assert photo.payload["data"] == b"\xff\xd8jpeg-bytes" * 50  # the largest size
    assert document.kind is Kind.DOCUMENT
    assert document.payload["file_name"] == "giay-xac-nhan.pdf"
    assert document.payload["data"] == pdf


async def test_a_slow_download_does_not_let_a_later_message_overtake(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    api.download_gate = asyncio.Event()
    async with running(api, scripted_core):
        api.push_document(CHAT, b"data", "a.pdf")
        api.push_text(CHAT, "sau tài liệu")
        await asyncio.wait_for(api.download_started.wait(), 5)
        with pytest.raises(TimeoutError):  # the text waits behind the document
            await scripted_core.wait_for_events(1, timeout=0.3)
        api.download_gate.set()
        events = await scripted_core.wait_for_events(2)
        await api.wait_for_messages(CHAT, 2)

    assert [e.kind for e in events] == [Kind.DOCUMENT, Kind.TEXT]


async def test_photo_and_document_replies(api: FakeTelegramServer, scripted_core: ScriptedCore):
    png = b"\x89PNG\r\n\x1a\nchart"
    scripted_core.script.append([
        Reply("Biểu đồ thu nhập", image=png, choices=(YES, NO)),
        Reply("x" * 1500, image=png),  # too long for a caption: photo, then text
        Reply("Phiếu tự đánh giá", document=Document(b"%PDF", "phieu.pdf", "application/pdf")),
    ])
    async with running(api, scripted_core):
        api.push_text(CHAT, "gửi")
        sent = await api.wait_for_messages(CHAT, 4)

    chart, bare_photo, long_text, form = sent
    assert (chart.kind, chart.caption, chart.file.data) == ("photo", "Biểu đồ thu nhập", png)
    assert chart.button_labels() == ["Có", "Không"]
    assert (bare_photo.kind, bare_photo.caption) == ("photo", None)
    assert (long_text.kind, long_text.text) == ("text", "x" * 1500)
    assert (form.kind, form.caption, form.file.filename) == (
        "document", "Phiếu tự đánh giá", "phieu.pdf")


# -- commands ------------------------------------------------------------------------------


async def test_command_menus_by_role(api: FakeTelegramServer, scripted_core: ScriptedCore):
    async def privileged() -> list[tuple[str, str]]:
        return [("9001", "officer"), ("9002", "admin")]

    async with running(api, scripted_core, privileged_chats=privileged) as channel:
        await channel.set_chat_commands("9001", "citizen")  # demoted

    def names(scope: dict[str, Any] | None = None) -> list[str]:
        return [c["command"] for c in api.commands[scope_key(scope)]]

    assert names() == ["start", "menu", "huy", "trogiup"]
    assert api.commands[scope_key()][3]["description"] == "Hướng dẫn sử dụng"
    assert names({"type": "chat", "chat_id": 9002}) == [
        "start", "menu", "huy", "trogiup", "baocao", "quantri"]
    assert scope_key({"type": "chat", "chat_id": 9001}) not in api.commands  # back to default
    assert len(api.calls("setMyCommands")) == 3


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="SECRET"):
        TelegramChannel(token="1:a", handler=ScriptedCore(), webhook_url="https://x.vn/tg",
                        command_menus=MENUS)
    with pytest.raises(ValueError, match="command name"):
        TelegramChannel(token="1:a", handler=ScriptedCore(),
                        command_menus={"citizen": [("Trợ-giúp", "x")]})


# -- webhook -------------------------------------------------------------------------------


async def test_webhook_right_and_wrong_secret(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    secret = "s3cret_Token-1"
    async with running(api, scripted_core, webhook_url="https://bot.example.vn/telegram/webhook",
                       webhook_secret=secret) as channel:
        [(_method, path, handle)] = channel.routes()
        app = web.Application()
        app.router.add_post(path, handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}{path}"
        try:
            async with aiohttp.ClientSession() as http:
                statuses = []
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    sent = api.text_update(CHAT, "không được xử lý")
                    async with http.post(url, json=sent, headers=headers) as response:
                        statuses.append(response.status)
                good = api.text_update(CHAT, "xin chào")
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                async with http.post(url, json=good, headers=headers) as response:
                    statuses.append(response.status)
            await api.wait_for_messages(CHAT, 1)
        finally:
            await runner.cleanup()

    assert statuses == [403, 403, 200]
    assert [e.update_id for e in scripted_core.events] == [str(good["update_id"])]
    assert api.webhook == {"url": "https://bot.example.vn/telegram/webhook",
                           "secret_token": secret}
    assert api.calls("getUpdates") == []


# -- failures ------------------------------------------------------------------------------


async def test_429_is_answered_by_waiting_retry_after(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    api.fail_next(CHAT, 1, "429", retry_after=1)
    async with running(api, scripted_core):
        api.push_command(CHAT, "start")
        await api.wait_for_messages(CHAT, 1)

    limited, delivered = api.calls("sendMessage")
    assert (limited.status, delivered.status) == (429, 200)
    assert delivered.at - limited.at >= 1.0
    assert texts(api, CHAT) == [ASK_NAME]


async def test_403_marks_the_user_until_they_write_again(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    blocked: list[str] = []
    noticed = asyncio.Event()

    async def on_blocked(chat_id: str) -> None:
        blocked.append(chat_id)
        noticed.set()

    api.fail_next(CHAT, 1, "403")
    async with running(api, scripted_core, on_blocked=on_blocked) as channel:
        api.push_command(CHAT, "start")
        await asyncio.wait_for(noticed.wait(), 5)
        calls_before = len(api.requests)
        with pytest.raises(DeliveryError) as refused:
            await channel.send(str(CHAT), Reply("Nhắc lịch họp"))
        assert refused.value.permanent
        assert len(api.requests) == calls_before  # nothing sent to a blocked chat
        api.push_text(CHAT, "Lan")  # the user unblocked the bot and wrote again
        await api.wait_for_messages(CHAT, 1)
        await channel.send(str(CHAT), Reply("Nhắc lịch họp"))

    assert blocked == [str(CHAT)]
    assert [c.status for c in api.calls("sendMessage")] == [403, 200, 200]
    assert texts(api, CHAT) == ["Chào Lan! Hộ bạn có thẻ BHYT không?", "Nhắc lịch họp"]


async def test_proactive_send_to_a_chat_that_blocks_raises_permanent(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    api.fail_next(OTHER, 1, "403")
    async with running(api, scripted_core) as channel:
        with pytest.raises(DeliveryError) as refused:
            await channel.send(str(OTHER), Reply("Thông báo", choices=(YES, NO)))
        await channel.send(str(CHAT), Reply("Thông báo", choices=(YES, NO)))

    assert refused.value.permanent
    assert api.sent(CHAT)[0].button_labels() == ["Có", "Không"]


async def test_dropped_connections_are_retried(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    api.fail_next(CHAT, 2, "drop")
    async with running(api, scripted_core):
        api.push_command(CHAT, "start")
        await api.wait_for_messages(CHAT, 1)

    assert [c.status for c in api.calls("sendMessage")] == [0, 0, 200]


async def test_a_network_failure_loses_no_dialog_state(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    async with running(api, scripted_core, max_send_retries=2):
        api.push_command(CHAT, "start")
        await api.wait_for_messages(CHAT, 1)
        api.fail_next(CHAT, 3, "500")  # every attempt at the next reply fails
        api.push_text(CHAT, "Lan")
        await api.wait_until(lambda: api.pending_faults(CHAT) == 0)
        api.push_text(CHAT, "có")  # the user answers anyway (or after /trogiup)
        await api.wait_for_messages(CHAT, 2)

    assert texts(api, CHAT) == [ASK_NAME, "Đã ghi nhận: Lan, thẻ BHYT: có."]


async def test_a_network_failure_while_polling_is_survived(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    api.fail_next(None, 1, "drop", methods=["getUpdates"])
    async with running(api, scripted_core):
        api.push_command(CHAT, "start")
        await api.wait_for_messages(CHAT, 1)

    assert api.calls("getUpdates")[0].status == 0


async def test_a_failing_handler_keeps_the_bot_and_the_dialog(
    api: FakeTelegramServer, scripted_core: ScriptedCore
):
    async with running(api, scripted_core):
        api.push_command(CHAT, "start")
        await api.wait_for_messages(CHAT, 1)
        scripted_core.fail_next = 1
        api.push_text(CHAT, "Lan")
        [_, sorry] = await api.wait_for_messages(CHAT, 2)
        api.push_text(CHAT, "Lan")
        await api.wait_for_messages(CHAT, 3)

    assert sorry.body.startswith("Sorry, something went wrong")
    assert texts(api, CHAT)[2] == "Chào Lan! Hộ bạn có thẻ BHYT không?"


async def test_broadcast_under_an_enforced_rate_limit_delivers_each_once(
    monkeypatch: pytest.MonkeyPatch, scripted_core: ScriptedCore
):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    chats = range(8000, 8040)
    async with (
        FakeTelegramServer(rate_limit_per_second=30) as api,
        running(api, scripted_core) as channel,
    ):
        await asyncio.gather(*(channel.send(str(c), Reply("Lịch họp thôn")) for c in chats))
    assert all(texts(api, c) == ["Lịch họp thôn"] for c in chats)
    assert api.rate_limited > 0  # the server's limit was hit, and its 429s waited out
    assert check_requests(api.requests) == []


# -- pure helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        pytest.param("", 10, [], id="empty"),
        pytest.param("abc\ndef", 10, ["abc\ndef"], id="fits"),
        pytest.param("abcd\nefgh\nij", 9, ["abcd\nefgh", "ij"], id="at-a-line"),
        pytest.param("abcdefghijkl", 5, ["abcde", "fghij", "kl"], id="long-line-cut"),
        pytest.param("ab cd ef", 5, ["ab cd", "ef"], id="cut-at-space"),
        pytest.param("abc&amp;def", 6, ["abc", "&amp;d", "ef"], id="entity-kept-whole"),
    ],
)
def test_split_text(text: str, limit: int, expected: list[str]):
    assert split_text(text, limit) == expected


@pytest.mark.parametrize(
    ("labels", "rows"),
    [
        pytest.param(["Có", "Không"], [2], id="short-pair"),
        pytest.param(["1", "2", "3", "4", "5", "6", "7"], [3, 3, 1], id="short-many"),
        pytest.param(["Thu nhập", "Nhà ở bền vững"], [2], id="medium"),
        pytest.param(["Bảo hiểm y tế cho hộ nghèo", "Không"], [1, 1], id="long-label"),
    ],
)
def test_keyboard_rows(labels: list[str], rows: list[int]):
    result = keyboard_rows([Choice(label, f"p:{i}") for i, label in enumerate(labels)])
    assert [len(row) for row in result] == rows


def test_callback_data_is_the_payload_or_a_short_id():
    payloads = _LongPayloads(size=2)
    assert payloads.data_for("bhyt:yes") == "bhyt:yes"
    long = "x" * 65
    short = payloads.data_for(long)
    assert len(short.encode()) < 10 and payloads.resolve(short) == long
    payloads.data_for("y" * 70)
    payloads.data_for("z" * 70)
    assert payloads.resolve(short) is None  # forgotten: the button says it has expired


def test_chat_pacer_allows_a_burst_of_three_then_one_per_second():
    now = [100.0]
    pacer = ChatPacer(rate=1.0, burst=3, clock=lambda: now[0])
    assert [pacer.delay("a") for _ in range(5)] == [0, 0, 0, 1.0, 2.0]
    assert pacer.delay("b") == 0  # other chats are not held back
    now[0] += 10
    assert pacer.delay("a") == 0


def test_file_url_beside_the_api_url():
    assert _file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"


def _markup(rows: list[list[dict[str, str]]]) -> str:
    return json.dumps({"inline_keyboard": rows})


@pytest.mark.parametrize(
    ("method", "params", "problem"),
    [
        pytest.param("sendMesage", {"chat_id": "1", "text": "a"}, "no such method", id="method"),
        pytest.param("sendMessage", {"text": "a"}, "chat_id: required", id="required"),
        pytest.param("sendMessage", {"chat_id": "1", "text": "a" * 4097}, "length 4097",
                     id="text-4097"),
        pytest.param("sendMessage", {"chat_id": "1", "text": "a", "colour": "red"},
                     "unknown parameter", id="unknown-param"),
        pytest.param("answerCallbackQuery", {"callback_query_id": "1", "show_alert": "yes"},
                     "not a Boolean", id="boolean"),
        pytest.param("getUpdates", {"offset": "1.5"}, "not an Integer", id="integer"),
        pytest.param("sendMessage", {"chat_id": "1", "text": "a", "reply_markup": _markup(
                     [[{"text": "A", "callback_data": "é" * 33}]])},
                     "length 66 bytes outside 1-64", id="callback-data-66-bytes"),
        pytest.param("sendMessage", {"chat_id": "1", "text": "a", "reply_markup": _markup(
                     [[{"text": "A", "callback_data": "a"}] * 9])},
                     "more than 8 buttons in a row", id="nine-in-a-row"),
        pytest.param("setMyCommands", {"commands": '[{"command": "Menu", "description": "x"}]'},
                     "lowercase", id="command-name"),
    ],
)
def test_the_spec_check_catches(method: str, params: dict[str, str], problem: str):
    problems = check_request(method, params)
    assert any(problem in p for p in problems), problems


def test_the_spec_check_passes_a_valid_request():
    markup = '{"inline_keyboard": [[{"text": "Có", "callback_data": "bhyt:yes"}]]}'
    assert check_request("sendMessage", {"chat_id": "1", "text": "a", "reply_markup": markup,
                                         "parse_mode": "HTML"}) == []
    assert check_request("sendPhoto", {"chat_id": "1"}, files={"photo"}) == []


async def test_a_reply_of_several_messages_keeps_to_the_per_chat_limit(
    monkeypatch: pytest.MonkeyPatch, scripted_core: ScriptedCore
) -> None:
    """Telegram allows about 1 message per second in a chat with a short burst; a result in
    five parts, then two quick answers more, must all arrive in order and never draw a 429."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    parts = [Reply(f"Phần {i}") for i in range(1, 6)]
    scripted_core.script.append(parts)
    async with FakeTelegramServer(per_chat_limit=(1.0, 3)) as api:
        async with running(api, scripted_core):
            api.push_text(CHAT, "kết quả")
            api.push_command(CHAT, "start")
            await api.wait_for_messages(CHAT, 6, timeout=15)
        assert texts(api, CHAT) == [*(p.text for p in parts), ASK_NAME]
        assert api.rate_limited == 0, f"{api.rate_limited} sends drew a 429"
        assert check_requests(api.requests) == []


async def test_the_fake_server_enforces_the_per_chat_limit() -> None:
    """The limit the test above keeps to is real: a burst beyond it is refused with a 429."""
    async with FakeTelegramServer(per_chat_limit=(1.0, 3)) as api, aiohttp.ClientSession() as http:
        url = f"{api.base_url}{api.token}/sendMessage"
        codes = []
        for i in range(5):
            async with http.post(url, json={"chat_id": CHAT, "text": f"m{i}"}) as response:
                codes.append(response.status)
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
