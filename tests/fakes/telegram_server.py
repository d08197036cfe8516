"""A fake Telegram Bot API server on 127.0.0.1 that python-telegram-bot really talks to over HTTP.

Owns: the Bot API wire format as tests need it (`/bot<TOKEN>/<method>` with form or multipart
bodies, the `{ok, result | error_code, description, parameters}` envelope,
`/file/bot<TOKEN>/<path>` downloads), a queue of updates served by long-polling getUpdates (a
second poller's getUpdates ends the waiting one with 409 Conflict, as Telegram does), a
record of every request (for `botapi_spec.check_requests`), the chat history the bot produced (so
a test can press a button by its label), and injected faults: 429 with retry_after, 403, 5xx, a
dropped connection, and an optional enforced overall rate limit.

Use it from any test module (no conftest):

    async with FakeTelegramServer() as api:
        channel = TelegramChannel(token=api.token, base_url=api.base_url, ...)
        api.push_text(42, "xin chào")
        [reply] = await api.wait_for_messages(42, 1)

Waiting is on an asyncio.Event renewed on every change, never a sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

Fault = Literal["429", "403", "500", "drop"]
CHAT_LIMIT_SLACK = 0.05  # seconds
JSON = dict[str, Any]

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmno"
BOT_ID = 123456789
BOT_USERNAME = "giamngheo_test_bot"
# Methods that put something in a chat: the ones a fault or the rate limit applies to.
_CHAT_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendChatAction", "editMessageText",
    "editMessageReplyMarkup", "editMessageCaption", "sendLocation", "sendContact",
})
_SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A multipart file part the bot uploaded."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(slots=True)
class RecordedRequest:
    """One call the bot made: form params as sent (strings), file parts, the answer's status."""

    method: str
    params: dict[str, str]
    files: dict[str, UploadedFile]
    at: float
    status: int = 200

    @property
    def chat_id(self) -> str | None:
        return self.params.get("chat_id")

    def json_param(self, name: str) -> Any:
        """A JSON-encoded parameter (reply_markup, commands, scope), decoded; None if absent."""
        raw = self.params.get(name)
        return None if raw is None else json.loads(raw)


@dataclass(slots=True)
class SentMessage:
    """A message the bot put in a chat, as it looks now (edits applied)."""

    chat_id: int
    message_id: int
    kind: Literal["text", "photo", "document"]
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    file: UploadedFile | None = None
    edits: int = 0

    @property
    def body(self) -> str:
        """The text or caption, whichever the message has."""
        return self.text if self.text is not None else (self.caption or "")

    def buttons(self) -> list[JSON]:
        """Inline keyboard buttons, row by row flattened; [] when there are none."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button_labels(self) -> list[str]:
        return [button["text"] for button in self.buttons()]

    def reply_keyboard(self) -> list[JSON]:
        """Reply keyboard buttons (contact/location requests), flattened."""
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [button for row in rows for button in row]

    def as_api(self, chat: JSON, bot_user: JSON) -> JSON:
        """The Message object the Bot API returns for it."""
        message: JSON = {
            "message_id": self.message_id, "date": int(time.time()), "chat": chat,
            "from": bot_user,
        }
        if self.text is not None:
            message["text"] = self.text
        if self.caption is not None:
            message["caption"] = self.caption
        if self.kind == "photo":
            message["photo"] = [_photo_size(f"sent-photo-{self.message_id}", 320, 240)]
        if self.kind == "document":
            message["document"] = {
                "file_id": f"sent-doc-{self.message_id}",
                "file_unique_id": f"u-sent-doc-{self.message_id}",
                "file_name": self.file.filename if self.file else None,
            }
        # A Message carries only an inline keyboard; reply keyboards are not echoed back.
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        return message


@dataclass(slots=True)
class _Injected:
    fault: Fault
    retry_after: int
    methods: frozenset[str]


@dataclass(slots=True)
class _StoredFile:
    file_id: str
    data: bytes
    path: str


class _Signal:
    """Wakes every waiter when the server's state changes (an Event renewed on each fire)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, condition: Callable[[], bool], timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                await self._event.wait()


class BotApiError(Exception):
    """An `ok: false` answer a handler wants to give."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass(slots=True)
class _State:
    updates: list[JSON] = field(default_factory=list)
    confirmed_below: int = 0


class FakeTelegramServer:
    """The fake server; `async with` starts it on 127.0.0.1 with a random port."""

    def __init__(
        self, *, token: str = TOKEN, rate_limit_per_second: int | None = None,
        per_chat_limit: tuple[float, int] | None = None,
    ) -> None:
        self.token = token
        self.rate_limit_per_second = rate_limit_per_second
        # Telegram's "about 1 message per second in one chat, short bursts tolerated"
        # (channels.md A), as (messages per second, burst): a GCRA per chat, 429 beyond it.
        self.per_chat_limit = per_chat_limit
        self._chat_tat: dict[str, float] = {}
        self.rate_limited_chats: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.messages: dict[int, list[SentMessage]] = {}
        self.commands: dict[str, list[JSON]] = {}  # scope JSON (sorted) -> BotCommand list
        self.webhook: JSON = {"url": "", "secret_token": None}
        # What getWebhookInfo reports as Telegram's last failed delivery: (unix time, message),
        # e.g. (1764554400, "Wrong response from the webhook: 404 Not Found"); set by a test.
        self.webhook_error: tuple[int, str] | None = None
        self.answered_callbacks: dict[str, JSON] = {}
        self.rate_limited = 0
        self.file_downloads = 0
        self.download_gate: asyncio.Event | None = None  # set by a test to hold file downloads
        self.download_started = asyncio.Event()
        self._state = _State()
        self._faults: dict[str, deque[_Injected]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._callbacks: dict[str, JSON] = {}
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(500_000)
        self._send_times: deque[float] = deque()
        self._polls = itertools.count(1)
        self._current_poll = 0  # the latest getUpdates: an older one still waiting gets 409
        self._changed = _Signal()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=1, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._changed.fire()  # release long polls still waiting
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL would be: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bot_user(self) -> JSON:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Giảm nghèo", "username": BOT_USERNAME}

    # -- what tests inject -----------------------------------------------------------------

    def fail_next(
        self,
        chat_id: int | str | None,
        n: int,
        fault: Fault,
        *,
        retry_after: int = 1,
        methods: Iterable[str] = _SEND_METHODS,
    ) -> None:
        """Answer the next `n` calls of `methods` for `chat_id` with a fault.

        `chat_id=None` applies to calls without a chat (getUpdates, answerCallbackQuery ...):
        pass `methods` then.
        """
        queue = self._faults.setdefault(_key(chat_id), deque())
        queue.extend(_Injected(fault, retry_after, frozenset(methods)) for _ in range(n))

    def pending_faults(self, chat_id: int | str | None) -> int:
        return len(self._faults.get(_key(chat_id), ()))

    def push(self, update: JSON) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        self._state.updates.append(update)
        self._changed.fire()
        return int(update["update_id"])

    def push_text(self, chat_id: int, text: str, **user: Any) -> int:
        return self.push(self.text_update(chat_id, text, **user))

    def push_command(self, chat_id: int, command: str, args: str = "", **user: Any) -> int:
        return self.push(self.command_update(chat_id, command, args, **user))

    def push_contact(self, chat_id: int, phone: str, *, own: bool = True) -> int:
        return self.push(self.contact_update(chat_id, phone, own=own))

    def push_location(self, chat_id: int, latitude: float, longitude: float) -> int:
        return self.push(self.location_update(chat_id, latitude, longitude))

    def push_photo(self, chat_id: int, data: bytes, caption: str | None = None) -> int:
        return self.push(self.photo_update(chat_id, data, caption))

    def push_document(
        self, chat_id: int, data: bytes, file_name: str, mime_type: str = "application/pdf"
    ) -> int:
        return self.push(self.document_update(chat_id, data, file_name, mime_type))

    def press_button(self, chat_id: int, label: str) -> int:
        """The user presses the button labelled `label` on the latest message that shows it."""
        return self.push(self.button_update(chat_id, label))

    # -- update builders (dicts, for push() or for posting to a webhook) ---------------------

    def user(self, user_id: int, *, language_code: str = "vi", first_name: str = "Lan") -> JSON:
        return {"id": user_id, "is_bot": False, "first_name": first_name,
                "language_code": language_code}

    def message(self, chat_id: int, **content: Any) -> JSON:
        """A private-chat message from the user whose id equals the chat id."""
        user_fields = {k: content.pop(k) for k in ("language_code", "first_name") if k in content}
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": _private_chat(chat_id),
            "from": self.user(chat_id, **user_fields),
            **content,
        }

    def text_update(self, chat_id: int, text: str, **user: Any) -> JSON:
        return {"update_id": next(self._update_ids),
                "message": self.message(chat_id, text=text, **user)}

    def command_update(self, chat_id: int, command: str, args: str = "", **user: Any) -> JSON:
        word = f"/{command}"
        text = f"{word} {args}".strip()
        entity = {"type": "bot_command", "offset": 0, "length": len(word)}
        return {"update_id": next(self._update_ids),
                "message": self.message(chat_id, text=text, entities=[entity], **user)}

    def contact_update(self, chat_id: int, phone: str, *, own: bool = True) -> JSON:
        contact = {"phone_number": phone, "first_name": "Lan",
                   "user_id": chat_id if own else chat_id + 1}
        return {"update_id": next(self._update_ids),
                "message": self.message(chat_id, contact=contact)}

    def location_update(self, chat_id: int, latitude: float, longitude: float) -> JSON:
        location = {"latitude": latitude, "longitude": longitude}
        return {"update_id": next(self._update_ids),
                "message": self.message(chat_id, location=location)}

    def photo_update(self, chat_id: int, data: bytes, caption: str | None = None) -> JSON:
        small = self.add_file(data[:100], "photos/small.jpg")
        large = self.add_file(data, "photos/large.jpg")
        sizes = [_photo_size(small, 90, 90, 100), _photo_size(large, 1280, 960, len(data))]
        content: JSON = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return {"update_id": next(self._update_ids),
                "message": self.message(chat_id, **content)}

    def document_update(
        self, chat_id: int, data: bytes, file_name: str, mime_type: str = "application/pdf"
    ) -> JSON:
        file_id = self.add_file(data, f"documents/{file_name}")
        document = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": file_name,
                    "mime_type": mime_type, "file_size": len(data)}
        return {"update_id": next(self._update_ids),
                "message": self.message(chat_id, document=document)}

    def button_update(self, chat_id: int, label: str) -> JSON:
        sent = self.find_button_message(chat_id, label)
        [button] = [b for b in sent.buttons() if b["text"] == label]
        query_id = f"cbq-{next(self._ids)}"
        query = {
            "id": query_id,
            "from": self.user(chat_id),
            "chat_instance": f"ci-{chat_id}",
            "message": sent.as_api(_private_chat(chat_id), self.bot_user),
            "data": button["callback_data"],
        }
        self._callbacks[query_id] = query
        return {"update_id": next(self._update_ids), "callback_query": query}

    def find_button_message(self, chat_id: int, label: str) -> SentMessage:
        """The latest message in the chat that shows a button labelled `label` (even if a
        newer one exists; tests use this to press a stale button)."""
        for sent in reversed(self.messages.get(chat_id, [])):
            if label in sent.button_labels():
                return sent
        raise LookupError(f"no button {label!r} in chat {chat_id}")

    def add_file(self, data: bytes, path: str) -> str:
        """Store a file the user sent; returns its file_id (getFile + download serve it)."""
        file_id = f"file-{next(self._ids)}"
        self._files[file_id] = _StoredFile(file_id, data, f"{path.rsplit('.', 1)[0]}-{file_id}"
                                           f".{path.rsplit('.', 1)[-1]}")
        return file_id

    # -- what tests read -------------------------------------------------------------------

    def sent(self, chat_id: int) -> list[SentMessage]:
        return list(self.messages.get(chat_id, []))

    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method]

    async def wait_for_messages(
        self, chat_id: int, n: int, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot has put at least `n` messages in the chat; returns all of them."""
        await self.wait_until(lambda: len(self.messages.get(chat_id, [])) >= n, timeout)
        return self.sent(chat_id)

    async def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for a recorded request matching `predicate` (already recorded ones count)."""
        await self.wait_until(lambda: any(predicate(r) for r in self.requests), timeout)
        return next(r for r in self.requests if predicate(r))

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `condition()` holds; re-checked whenever the server's state changes."""
        await self._changed.wait_for(condition, timeout)

    # -- the HTTP side ---------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params, files = await _read_params(request)
        recorded = RecordedRequest(method, params, files, time.monotonic())
        self.requests.append(recorded)
        try:
            if request.match_info["token"] != self.token:
                raise BotApiError(401, "Unauthorized")
            injected = self._take_fault(method, params.get("chat_id"))
            if injected is not None and injected.fault == "drop":
                recorded.status = 0
                request.transport.close()  # type: ignore[union-attr]
                self._changed.fire()
                return web.Response()
            if injected is not None:
                raise _fault_error(injected)
            self._enforce_rate_limit(method)
            self._enforce_chat_limit(method, recorded.chat_id)
            result = await self._dispatch(method, params, files)
        except BotApiError as exc:
            recorded.status = exc.code
            self._changed.fire()
            return _error_response(exc)
        self._changed.fire()
        return web.json_response({"ok": True, "result": result})

    def _take_fault(self, method: str, chat_id: str | None) -> _Injected | None:
        queue = self._faults.get(_key(chat_id))
        if queue and method in queue[0].methods:
            return queue.popleft()
        return None

    def _enforce_rate_limit(self, method: str) -> None:
        if self.rate_limit_per_second is None or method not in _CHAT_METHODS:
            return
        now = time.monotonic()
        while self._send_times and now - self._send_times[0] >= 1.0:
            self._send_times.popleft()
        if len(self._send_times) >= self.rate_limit_per_second:
            self.rate_limited += 1
            raise BotApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self._send_times.append(now)

    def _enforce_chat_limit(self, method: str, chat_id: str | None) -> None:
        if self.per_chat_limit is None or method not in _CHAT_METHODS or chat_id is None:
            return
        rate, burst = self.per_chat_limit
        interval = 1.0 / rate
        now = time.monotonic()
        tat = max(self._chat_tat.get(chat_id, now), now)
        # a little slack for the two clocks' jitter; a real burst beyond the limit still fails
        if tat - now > (burst - 1) * interval + CHAT_LIMIT_SLACK:
            self.rate_limited += 1
            self.rate_limited_chats.append(chat_id)
            raise BotApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self._chat_tat[chat_id] = tat + interval

    async def _dispatch(
        self, method: str, params: dict[str, str], files: dict[str, UploadedFile]
    ) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise BotApiError(404, "Not Found: method not found")
        return await handler(params, files)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        self.file_downloads += 1
        self.download_started.set()
        if self.download_gate is not None:
            await self.download_gate.wait()
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.path == path:
                return web.Response(body=stored.data)
        return web.Response(status=404)

    # -- methods (each answers like the real API for what the adapter uses) -----------------

    async def _m_getMe(self, params: dict[str, str], files: Any) -> JSON:
        return {**self.bot_user, "can_join_groups": False, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def _m_getUpdates(self, params: dict[str, str], files: Any) -> list[JSON]:
        offset = int(params.get("offset", "0") or 0)
        limit = int(params.get("limit", "100") or 100)
        timeout = float(params.get("timeout", "0") or 0)
        state = self._state
        if offset > 0:
            state.updates = [u for u in state.updates if u["update_id"] >= offset]
        poll = self._current_poll = next(self._polls)
        self._changed.fire()  # a poll still waiting is terminated by this one, as Telegram does

        def ready() -> bool:
            return bool(state.updates) or self._closing or self._current_poll != poll

        if timeout > 0 and not ready():
            with contextlib.suppress(TimeoutError):
                await self._changed.wait_for(ready, timeout)
        if self._current_poll != poll and not self._closing:
            raise BotApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                   "that only one bot instance is running")
        return [] if self._closing else state.updates[:limit]

    async def _m_sendMessage(self, params: dict[str, str], files: Any) -> JSON:
        text = params.get("text", "")
        if not text:
            raise BotApiError(400, "Bad Request: message text is empty")
        return self._store(params, SentMessage(
            int(params["chat_id"]), next(self._ids), "text", text=text,
            parse_mode=params.get("parse_mode"), reply_markup=_markup(params)))

    async def _m_sendPhoto(self, params: dict[str, str], files: dict[str, UploadedFile]) -> JSON:
        return self._store(params, SentMessage(
            int(params["chat_id"]), next(self._ids), "photo", caption=params.get("caption"),
            parse_mode=params.get("parse_mode"), reply_markup=_markup(params),
            file=files.get("photo")))

    async def _m_sendDocument(
        self, params: dict[str, str], files: dict[str, UploadedFile]
    ) -> JSON:
        return self._store(params, SentMessage(
            int(params["chat_id"]), next(self._ids), "document", caption=params.get("caption"),
            parse_mode=params.get("parse_mode"), reply_markup=_markup(params),
            file=files.get("document")))

    async def _m_sendChatAction(self, params: dict[str, str], files: Any) -> bool:
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, str], files: Any) -> bool:
        query_id = params.get("callback_query_id", "")
        if query_id not in self._callbacks:
            raise BotApiError(400, "Bad Request: query is too old and response timeout expired "
                                   "or query ID is invalid")
        if query_id in self.answered_callbacks:
            raise BotApiError(400, "Bad Request: query is already answered")
        self.answered_callbacks[query_id] = dict(params)
        return True

    async def _m_editMessageText(self, params: dict[str, str], files: Any) -> JSON:
        sent = self._find(params)
        markup = _markup(params)
        if sent.text == params.get("text") and sent.reply_markup == markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        if sent.kind != "text":
            raise BotApiError(400, "Bad Request: there is no text in the message to edit")
        sent.text, sent.reply_markup = params.get("text"), markup
        sent.parse_mode = params.get("parse_mode")
        sent.edits += 1
        return sent.as_api(_private_chat(sent.chat_id), self.bot_user)

    async def _m_editMessageReplyMarkup(self, params: dict[str, str], files: Any) -> JSON:
        sent = self._find(params)
        markup = _markup(params)
        if sent.reply_markup == markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        sent.reply_markup = markup
        sent.edits += 1
        return sent.as_api(_private_chat(sent.chat_id), self.bot_user)

    async def _m_setMyCommands(self, params: dict[str, str], files: Any) -> bool:
        self.commands[_scope_key(params)] = json.loads(params.get("commands", "[]"))
        return True

    async def _m_deleteMyCommands(self, params: dict[str, str], files: Any) -> bool:
        self.commands.pop(_scope_key(params), None)
        return True

    async def _m_getMyCommands(self, params: dict[str, str], files: Any) -> list[JSON]:
        return self.commands.get(_scope_key(params), [])

    async def _m_setWebhook(self, params: dict[str, str], files: Any) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    async def _m_deleteWebhook(self, params: dict[str, str], files: Any) -> bool:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates") == "true":
            self._state.updates.clear()
        return True

    async def _m_getWebhookInfo(self, params: dict[str, str], files: Any) -> JSON:
        info: JSON = {"url": self.webhook["url"], "has_custom_certificate": False,
                      "pending_update_count": len(self._state.updates)}
        if self.webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_error
        return info

    async def _m_getFile(self, params: dict[str, str], files: Any) -> JSON:
        stored = self._files.get(params.get("file_id", ""))
        if stored is None:
            raise BotApiError(400, "Bad Request: invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": f"u-{stored.file_id}",
                "file_size": len(stored.data), "file_path": stored.path}

    def _store(self, params: dict[str, str], sent: SentMessage) -> JSON:
        self.messages.setdefault(sent.chat_id, []).append(sent)
        return sent.as_api(_private_chat(sent.chat_id), self.bot_user)

    def _find(self, params: dict[str, str]) -> SentMessage:
        chat_id, message_id = int(params.get("chat_id", 0)), int(params.get("message_id", 0))
        for sent in self.messages.get(chat_id, []):
            if sent.message_id == message_id:
                return sent
        raise BotApiError(400, "Bad Request: message to edit not found")


async def _read_params(request: web.Request) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Form, multipart or JSON body (plus the query string) as PTB-style string params."""
    params: dict[str, str] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.json()
        params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        return params, files
    if request.method != "POST" or not request.can_read_body:
        return params, files
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = UploadedFile(value.filename, value.content_type, value.file.read())
        elif isinstance(value, bytes):
            params[name] = value.decode("utf-8")
        else:
            params[name] = value
    return params, files


def _fault_error(injected: _Injected) -> BotApiError:
    if injected.fault == "429":
        return BotApiError(429, f"Too Many Requests: retry after {injected.retry_after}",
                           {"retry_after": injected.retry_after})
    if injected.fault == "403":
        return BotApiError(403, "Forbidden: bot was blocked by the user")
    return BotApiError(500, "Internal Server Error")


def _error_response(exc: BotApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return web.json_response(body, status=exc.code)


def _markup(params: dict[str, str]) -> JSON | None:
    raw = params.get("reply_markup")
    markup = json.loads(raw) if raw else None
    # An empty inline keyboard is how a keyboard is removed.
    if markup is not None and markup.get("inline_keyboard") == []:
        return None
    return markup


def _scope_key(params: dict[str, str]) -> str:
    scope = json.loads(params.get("scope") or '{"type": "default"}')
    return json.dumps(scope, sort_keys=True)


def _key(chat_id: int | str | None) -> str:
    return "" if chat_id is None else str(chat_id)


def _private_chat(chat_id: int) -> JSON:
    return {"id": chat_id, "type": "private", "first_name": "Lan"}


def _photo_size(file_id: str, width: int, height: int, size: int | None = None) -> JSON:
    photo: JSON = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": width,
                   "height": height}
    if size is not None:
        photo["file_size"] = size
    return photo


def scope_key(scope: JSON | None = None) -> str:
    """The key of `FakeTelegramServer.commands` for a BotCommandScope (default when None)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)
