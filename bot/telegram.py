"""The Telegram channel: python-telegram-bot updates in, the core's replies out.

Owns everything Telegram-specific and nothing else: the PTB `Application` (long polling, or no
Updater and a webhook route served by the project's aiohttp app), turning updates into the core's
`Incoming` events, rendering `Reply` objects (HTML-escaped text split under 4096 characters, inline
keyboards, one-time reply keyboards for phone/location, photos, documents), the command menus
(setMyCommands, per chat for officers and admins), and Telegram's limits and failures.

Sending: Telegram's ~30 messages/s is a limit on bulk notifications, not on answering people who
write. So PTB's AIORateLimiter keeps the per-group (20/min) limit and waits out 429 RetryAfter for
every request, while the overall 30/s cap applies to proactive sends only (here, and below that
the outbox's TELEGRAM_SEND_RATE): replies to a busy hour of users are not queued behind a cap
meant for broadcasts. Proactive sends are also paced per chat (about 1/s, bursts of 3), which
AIORateLimiter does not do; so are answers (a reply of several messages, or several quick
replies in a row), which share the chat's budget. 403 Forbidden marks the chat blocked until
the user writes again; network errors and timeouts are retried a bounded number of times.

Order: PTB runs updates concurrently; each update reserves its place per chat the moment it
arrives and is handed to the core only after the chat's previous update was, so a slow file
download never lets a later message overtake it. The core's per-user lock keeps the order from
there. Facts and sources: shared/domain/channels.md sections A-C.
"""

from __future__ import annotations

import asyncio
import gettext
import hmac
import html
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from aiolimiter import AsyncLimiter
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.http_body import read_json
from bot.i18n import Translator
from conversations import render
from domain.messages import (
    Choice,
    DeliveryError,
    Handler,
    Incoming,
    Kind,
    Reply,
)

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096  # sendMessage text (SPEC, PTB MessageLimit.MAX_TEXT_LENGTH)
MAX_CAPTION = 1024  # sendPhoto/sendDocument caption
MAX_CALLBACK_DATA = 64  # bytes (SPEC InlineKeyboardButton.callback_data)
MAX_BUTTONS_PER_ROW = 8
MAX_BUTTONS = 100
POLL_INTERVAL = 0.02  # seconds between getUpdates calls
# Updates handled at once (PTB's True means 256). The rest wait in PTB's queue, which is cheap;
# 200 at once waited for the one SQLite connection and for httpx's pool, whose bookkeeping grows
# with its queue (bench/telegram: 23.8 -> 18.3 ms CPU per update, docs/benchmarks.md).
CONCURRENT_UPDATES = 16
PROACTIVE_PER_SECOND = 30  # Telegram: about 30 bulk messages per second overall
MAX_DOWNLOAD = 5 * 1024 * 1024  # files the core receives as bytes
LONG_LABEL = 20  # characters: longer labels get a row each
POLL_TIMEOUT = 25  # seconds a getUpdates call waits for something new
ALLOWED_UPDATES = ["message", "callback_query"]
ROLES: Mapping[str, tuple[str, ...]] = {
    "citizen": ("citizen",),
    "officer": ("citizen", "officer"),
    "admin": ("citizen", "officer", "admin"),
}
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# callback_data that is not the payload itself but a key into `_LongPayloads`
_SHORT_ID_PREFIX = "~"

T = TypeVar("T")


class TelegramChannel:
    """The Telegram adapter; implements `domain.messages.Outbound` (channel "telegram")."""

    channel = CHANNEL

    def __init__(
        self,
        *,
        token: str,
        handler: Handler,
        base_url: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_path: str | None = None,
        command_menus: Mapping[str, Sequence[tuple[str, str]]],
        privileged_chats: Callable[[], Awaitable[Sequence[tuple[str, str]]]] | None = None,
        on_blocked: Callable[[str], Awaitable[None]] | None = None,
        max_send_retries: int = 3,
        translator: Translator | None = None,
        retry_delay: float = 0.5,
        proactive_rate: float = PROACTIVE_PER_SECOND,
    ) -> None:
        if webhook_url and not webhook_secret:
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set"
            )
        if webhook_secret is not None and not _SECRET.fullmatch(webhook_secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z a-z 0-9 _ -")
        _check_menus(command_menus)
        self.handler = handler
        self.webhook_url = webhook_url
        # The local path served: TELEGRAM_WEBHOOK_PATH behind a proxy that rewrites paths, else
        # the public URL's own path (what Telegram posts to).
        self.webhook_path = (webhook_path or urlsplit(webhook_url).path or "/") if webhook_url \
            else None
        self._secret = (webhook_secret or "").encode()
        self._menus = command_menus
        self._privileged_chats = privileged_chats
        self._on_blocked = on_blocked
        self._max_retries = max_send_retries
        self._retry_delay = retry_delay
        self._t: Translator = translator or gettext.NullTranslations()
        self._blocked: set[str] = set()
        self._order = _HandoffOrder()
        # Replies go out in the order their updates came: a paced reply of several messages is
        # not overtaken by the answer to the next message.
        self._reply_order = _HandoffOrder()
        self._pacer = ChatPacer()
        # The overall cap on proactive sends: Telegram's ~30/s unless configured otherwise (a
        # bot with paid broadcasts, or a test server with another limit).
        self._proactive_limit = AsyncLimiter(proactive_rate, 1)
        self._pressed = _BoundedSet(10_000)
        self._long_payloads = _LongPayloads(10_000)
        self._request_keyboards: dict[str, str] = {}  # chat -> the cancel label shown
        self._app = _build_application(token, base_url, webhook=bool(webhook_url),
                                       max_retries=max_send_retries)
        self._app.add_handler(TypeHandler(Update, self._on_update))
        self._app.add_error_handler(self._on_error)
        # Set when Telegram answers getUpdates with 409 Conflict: another process polls this
        # bot (or a webhook is set). Polling stops; the app exits with a clear message.
        self.conflict = asyncio.Event()

    @property
    def application(self) -> Application:  # type: ignore[type-arg]
        """The PTB Application (for the composition root's diagnostics; not for sending)."""
        return self._app

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Initialize (getMe), set the command menus, then poll or register the webhook."""
        await self._app.initialize()
        await self._set_command_menus()
        await self._app.start()
        if self.webhook_url:
            await self._app.bot.set_webhook(
                url=self.webhook_url,
                secret_token=self._secret.decode(),
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("telegram started: webhook %s served on local path %s",
                     self.webhook_url, self.webhook_path)
            return
        assert self._app.updater is not None
        await self._app.updater.start_polling(
            timeout=timedelta(seconds=POLL_TIMEOUT), allowed_updates=ALLOWED_UPDATES,
            # A short pause between polls lets a busy minute arrive in batches: one HTTP round
            # trip per few updates instead of per update, for at most 20 ms of added latency.
            poll_interval=POLL_INTERVAL,
            error_callback=self._on_poll_error,
        )
        log.info("telegram started: long polling")

    def _on_poll_error(self, error: TelegramError) -> None:
        """PTB calls this (synchronously) for errors while polling; 409 means two pollers."""
        if isinstance(error, Conflict):
            if not self.conflict.is_set():
                log.error("telegram: another process is polling this bot (409 Conflict); "
                          "this one stops polling. Run one poller, or use webhook mode.")
                self.conflict.set()
                asyncio.get_running_loop().create_task(self._stop_polling())
            return
        log.warning("telegram: polling error: %s", type(error).__name__)

    async def _stop_polling(self) -> None:
        updater = self._app.updater
        if updater is not None and updater.running:
            await updater.stop()

    async def stop(self) -> None:
        """Stop polling (the pending getUpdates is cancelled), finish running updates, close."""
        updater = self._app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self._app.running:
            await self._app.stop()
        await self._app.shutdown()
        log.info("telegram stopped")

    def webhook_route(
        self,
    ) -> tuple[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]:
        """(local path, handler) for the project's aiohttp app (webhook mode only)."""
        if not self.webhook_path:
            raise RuntimeError("webhook_route() needs TELEGRAM_WEBHOOK_URL")
        return self.webhook_path, self._webhook

    async def health(self) -> dict[str, object]:
        """Mode and, for a webhook, Telegram's own view of its deliveries (getWebhookInfo):
        the last error it met posting to us, so a wrong URL shows up in /healthcheck."""
        if not self.webhook_url:
            return {"mode": "polling"}
        info = await self._app.bot.get_webhook_info()
        report: dict[str, object] = {
            "mode": "webhook",
            "registered": info.url == self.webhook_url,
            "pending_updates": info.pending_update_count,
            "last_error": info.last_error_message,
        }
        if info.last_error_date is not None:
            report["last_error_at"] = info.last_error_date.isoformat()
        return report

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        """Check the secret in constant time, handle the update, then answer 200.

        Answering after the update was handled (not when it was queued) is what keeps one
        person's messages in order when several processes serve the webhook, as far as the
        platform sends a chat's next update only after this one is acknowledged (the test
        fake does; a retry after a timeout is dropped as a repeat): by then its transaction,
        and the user's row lock, are done, whichever process gets the next one. Different
        people's updates still run in parallel (up to the webhook's max_connections)."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("telegram webhook: missing or wrong secret token")
            return web.Response(status=403)
        data = await read_json(request, "telegram webhook")
        try:
            update = Update.de_json(data, self._app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("telegram webhook: body is not an Update")
            return web.Response(status=400)
        await self._app.process_update(update)
        return web.Response()

    # -- commands --------------------------------------------------------------------------

    async def _set_command_menus(self) -> None:
        """Citizen commands for everyone; officers and admins get theirs in their own chats."""
        try:
            await self._app.bot.set_my_commands(
                self._commands_for("citizen"), scope=BotCommandScopeDefault()
            )
        except TelegramError as exc:
            log.warning("telegram: setMyCommands failed: %s", exc)
        if self._privileged_chats is None:
            return
        for chat_id, role in await self._privileged_chats():
            try:
                await self.set_chat_commands(chat_id, role)
            except (TelegramError, ValueError) as exc:
                log.warning("telegram: commands for a privileged chat not set: %s", exc)

    async def set_chat_commands(self, chat_id: str, role: str) -> None:
        """Show `role`'s commands in this chat; a citizen gets the default list back."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        scope = BotCommandScopeChat(_api_chat_id(chat_id))
        if role == "citizen":
            await self._app.bot.delete_my_commands(scope=scope)
        else:
            await self._app.bot.set_my_commands(self._commands_for(role), scope=scope)

    def _commands_for(self, role: str) -> list[BotCommand]:
        seen: dict[str, str] = {}
        for menu in ROLES[role]:
            for command, description in self._menus.get(menu, ()):
                seen.setdefault(command, description)
        return [BotCommand(command, description) for command, description in seen.items()]

    # -- incoming --------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One update: build the event in order, hand it to the core, send its replies."""
        chat_id = _chat_of(update)
        if chat_id is None:
            return
        predecessor, mine = self._order.reserve(chat_id)  # synchronous: arrival order
        replies_before, my_replies = self._reply_order.reserve(chat_id)
        try:
            await self._handle_in_order(update, chat_id, predecessor, mine, replies_before)
        finally:
            self._reply_order.release(chat_id, my_replies)

    async def _handle_in_order(
        self, update: Update, chat_id: str, predecessor: asyncio.Event | None,
        mine: asyncio.Event, replies_before: asyncio.Event | None,
    ) -> None:
        event: Incoming | None = None
        try:
            self._blocked.discard(chat_id)  # the user wrote: sending may resume
            event = await self._to_incoming(update, chat_id)
            if predecessor is not None:
                await predecessor.wait()
        except Exception:
            log.exception("telegram: could not read update %s", update.update_id)
        finally:
            self._order.release(chat_id, mine)
        if event is None:
            return
        try:
            replies = await self.handler.handle(event)
        except Exception:
            # The core did not finish this event; its state is as it was before. Ask the user
            # to send it again rather than go silent.
            log.exception("telegram: handler failed on update %s", update.update_id)
            _ = self._t.gettext
            replies = [Reply(_(
                "Sorry, something went wrong on our side. Please send your last answer again."))]
        if replies_before is not None:
            await replies_before.wait()
        await self._deliver(chat_id, replies)

    async def _to_incoming(self, update: Update, chat_id: str) -> Incoming | None:
        if update.callback_query is not None:
            return await self._from_button(update, update.callback_query, chat_id)
        message = update.message
        if message is None or message.from_user is None:
            return None  # edits, channel posts, service updates: not part of a dialog
        base = {
            "channel": CHANNEL,
            "chat_id": chat_id,
            "user_id": str(message.from_user.id),
            "update_id": str(update.update_id),
            "language": message.from_user.language_code,
        }
        return Incoming(**base, **await self._message_content(message, chat_id))

    async def _message_content(self, message: Message, chat_id: str) -> dict[str, Any]:
        """kind/text/command/payload of a message."""
        if message.text is not None:
            return self._text_content(message, chat_id)
        if message.contact is not None:
            own = message.contact.user_id == (message.from_user and message.from_user.id)
            if not own:  # someone else's card: not a phone number the user vouches for
                return {"kind": Kind.UNSUPPORTED, "payload": {"reason": "foreign_contact"}}
            return {"kind": Kind.CONTACT, "payload": {"phone": message.contact.phone_number}}
        if message.location is not None:
            return {"kind": Kind.LOCATION, "payload": {
                "latitude": message.location.latitude, "longitude": message.location.longitude}}
        if message.photo:
            largest = message.photo[-1]
            data = await self._download(largest.file_id, largest.file_size)
            return {"kind": Kind.PHOTO, "text": message.caption or "", "payload": {
                "file_id": largest.file_id, "file_name": None, "data": data}}
        if message.document is not None:
            doc = message.document
            data = await self._download(doc.file_id, doc.file_size)
            return {"kind": Kind.DOCUMENT, "text": message.caption or "", "payload": {
                "file_id": doc.file_id, "file_name": doc.file_name,
                "mime_type": doc.mime_type, "data": data}}
        return {"kind": Kind.UNSUPPORTED}

    def _text_content(self, message: Message, chat_id: str) -> dict[str, Any]:
        text = message.text or ""
        entity = message.entities[0] if message.entities else None
        if entity is not None and entity.type == "bot_command" and entity.offset == 0:
            word = text[1:entity.length].split("@", 1)[0].lower()
            return {"kind": Kind.COMMAND, "command": word, "text": text[entity.length:].strip()}
        cancel = self._request_keyboards.get(chat_id)
        if cancel is not None and text.strip() == cancel:
            # The "Cancel" button of our own phone/location keyboard can only send its label.
            self._request_keyboards.pop(chat_id, None)
            return {"kind": Kind.COMMAND, "command": "huy", "text": ""}
        return {"kind": Kind.TEXT, "text": text}

    async def _download(self, file_id: str, size: int | None) -> bytes | None:
        """The file's bytes when it is at most 5 MB and the download works; else None."""
        if size is not None and size > MAX_DOWNLOAD:
            return None
        try:
            file = await self._app.bot.get_file(file_id)
            if file.file_size is not None and file.file_size > MAX_DOWNLOAD:
                return None
            return bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("telegram: file download failed: %s", exc)
            return None

    async def _from_button(
        self, update: Update, query: CallbackQuery, chat_id: str
    ) -> Incoming | None:
        """Acknowledge the press, retire its keyboard, and turn it into a CHOICE once."""
        message = query.message
        key = (chat_id, message.message_id if message is not None else query.id)
        if key in self._pressed:  # a second tap before the keyboard disappeared
            await self._answer(query)
            return None
        payload = self._long_payloads.resolve(query.data or "")
        if payload is None:
            _ = self._t.gettext
            await self._answer(query, _(
                "This button is no longer valid. Send /menu to see the options again."))
            return None
        self._pressed.add(key)
        await self._answer(query)
        if isinstance(message, Message):
            await self._retire_keyboard(message, query.data or "")
        return Incoming(
            channel=CHANNEL, chat_id=chat_id, user_id=str(query.from_user.id), kind=Kind.CHOICE,
            choice=payload, update_id=str(update.update_id),
            language=query.from_user.language_code,
        )

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        try:
            await query.answer(text=text)
        except TelegramError as exc:  # too old, or already answered: the press still counts
            log.info("telegram: answerCallbackQuery failed: %s", exc)

    async def _retire_keyboard(self, message: Message, data: str) -> None:
        """Replace the buttons with "✓ <chosen label>" under the text, or just remove them."""
        label = _label_of(message, data)
        try:
            if message.text is not None and label is not None:
                chosen = html.escape(label, quote=False)
                text = f"{html.escape(message.text, quote=False)}\n\n✓ {chosen}"
                if len(text) <= MAX_TEXT:
                    await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=None)
                    return
            await message.edit_reply_markup(reply_markup=None)
        except TelegramError as exc:  # older than 48 h, already edited...: nothing to undo
            log.info("telegram: keyboard not removed: %s", exc)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram: error outside a handler", exc_info=context.error)

    # -- outgoing --------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Proactive send (reminders, broadcasts). Raises DeliveryError; permanent for 403."""
        if chat_id in self._blocked:
            raise DeliveryError("the user has blocked the bot", permanent=True)
        try:
            await self._render(chat_id, reply, paced=True)
        except Forbidden as exc:
            await self._mark_blocked(chat_id)
            raise DeliveryError(f"forbidden: {exc.message}", permanent=True) from exc
        except RetryAfter as exc:
            raise DeliveryError("flood limit", retry_after=_seconds(exc)) from exc
        except BadRequest as exc:  # chat not found, bad markup: the same request fails again
            raise DeliveryError(f"bad request: {exc.message}", permanent=True) from exc
        except TelegramError as exc:
            raise DeliveryError(f"network: {exc.message}") from exc

    async def _deliver(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send the core's answer in order; stop at the first message that cannot go."""
        for reply in replies:
            try:
                await self._render(chat_id, reply, paced=False)
            except Forbidden:
                await self._mark_blocked(chat_id)
                return
            except TelegramError as exc:
                log.warning("telegram: reply not delivered: %s", exc)
                return

    async def _mark_blocked(self, chat_id: str) -> None:
        self._blocked.add(chat_id)
        log.info("telegram: a user blocked the bot")
        if self._on_blocked is not None:
            try:
                await self._on_blocked(chat_id)
            except Exception:
                log.exception("telegram: on_blocked failed")

    async def _render(self, chat_id: str, reply: Reply, *, paced: bool) -> None:
        """One Reply as one or more API calls; the keyboard goes on the last message."""
        target = _api_chat_id(chat_id)
        markup = self._markup_for(chat_id, reply)
        chunks = html_chunks(reply.text)
        if reply.image is not None or reply.document is not None:
            if not chunks or (len(chunks) == 1 and len(chunks[0]) <= MAX_CAPTION):
                caption = chunks[0] if chunks else None
                await self._call(chat_id, paced,
                                 lambda: self._send_media(target, reply, caption, markup))
                return
            # Too long for a caption: the file alone, then the text carrying the keyboard.
            await self._call(chat_id, paced, lambda: self._send_media(target, reply, None, None))
        elif not chunks and markup is not None:
            _ = self._t.gettext
            chunks = [html.escape(_("Please choose one:"), quote=False)]
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            await self._call(chat_id, paced, lambda chunk=chunk, last=last: (
                self._app.bot.send_message(target, chunk, parse_mode=ParseMode.HTML,
                                           reply_markup=markup if last else None)))

    async def _send_media(
        self, target: int | str, reply: Reply, caption: str | None, markup: Any
    ) -> Message:
        options: dict[str, Any] = {"reply_markup": markup}
        if caption is not None:
            options.update(caption=caption, parse_mode=ParseMode.HTML)
        if reply.image is not None:
            return await self._app.bot.send_photo(target, reply.image, **options)
        assert reply.document is not None
        document = InputFile(reply.document.data, filename=reply.document.file_name)
        return await self._app.bot.send_document(target, document, **options)

    def _markup_for(self, chat_id: str, reply: Reply) -> Any:
        """Inline keyboard for choices, a one-time reply keyboard for a request, or removal of
        a request keyboard still on screen."""
        _ = self._t.gettext
        if reply.request is not None:
            share = (_("Share my phone number") if reply.request == "phone"
                     else _("Share my location"))
            cancel = _("Cancel")
            self._request_keyboards[chat_id] = cancel
            button = (KeyboardButton(share, request_contact=True) if reply.request == "phone"
                      else KeyboardButton(share, request_location=True))
            return ReplyKeyboardMarkup([[button], [KeyboardButton(cancel)]],
                                       one_time_keyboard=True, resize_keyboard=True)
        if reply.choices:
            return InlineKeyboardMarkup([
                [InlineKeyboardButton(c.label, callback_data=self._long_payloads.data_for(
                    c.payload)) for c in row]
                for row in keyboard_rows(reply.choices)])
        if self._request_keyboards.pop(chat_id, None) is not None:
            return ReplyKeyboardRemove()
        return None

    async def _call(self, chat_id: str, paced: bool, send: Callable[[], Awaitable[T]]) -> T:
        """One API call with bounded retries on network errors and timeouts.

        RetryAfter is retried by AIORateLimiter (max_retries); Forbidden and BadRequest are
        final. A timed-out send may in fact have arrived, so retries are few.
        """
        for attempt in range(self._max_retries + 1):
            # Every message to a chat, answer or notice, keeps to the chat's ~1/s (bursts of 3):
            # a reply of several messages waits its turn instead of drawing a 429.
            await asyncio.sleep(self._pacer.delay(chat_id))
            if paced:
                await self._proactive_limit.acquire()
            try:
                return await send()
            except (BadRequest, Forbidden, RetryAfter):
                raise
            except NetworkError as exc:
                if attempt == self._max_retries:
                    raise
                log.info("telegram: send failed (%s), retry %d", exc, attempt + 1)
                await asyncio.sleep(self._retry_delay * 2**attempt)
        raise AssertionError("unreachable")


# -- pure helpers (tested directly) --------------------------------------------------------


def html_chunks(text: str) -> list[str]:
    """A reply's text as the messages sent in HTML parse mode: escaped, then split."""
    return split_text(html.escape(text, quote=False), MAX_TEXT)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Telegram's 4096-character messages, split at line boundaries (conversations/render.py);
    expects escaped HTML, so a long line is never cut inside an entity such as `&amp;`."""
    return render.split_text(text, limit, _cut_line)


def _cut_line(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        amp = line.rfind("&", 0, cut)
        if amp != -1 and ";" not in line[amp:cut] and cut - amp < 10:
            cut = amp  # don't split an entity
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def keyboard_rows(choices: Sequence[Choice]) -> list[list[Choice]]:
    """Rows of buttons: one per row for long labels, else 2 or 3; never more than 8 per row."""
    choices = list(choices)[:MAX_BUTTONS]
    if not choices:
        return []
    longest = max(len(choice.label) for choice in choices)
    per_row = 1 if longest > LONG_LABEL else 2 if longest > 12 else 3
    per_row = min(per_row, MAX_BUTTONS_PER_ROW)
    return [choices[i:i + per_row] for i in range(0, len(choices), per_row)]


class ChatPacer:
    """Per-chat pacing for proactive sends (GCRA): `rate` messages per second, bursts of `burst`.

    `delay(chat)` reserves the next slot and returns how long to wait for it, so concurrent
    senders to one chat queue up instead of all firing at once.
    """

    def __init__(
        self, rate: float = 1.0, burst: int = 3, clock: Callable[[], float] = time.monotonic,
        max_chats: int = 10_000,
    ) -> None:
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._max_chats = max_chats
        self._tat: OrderedDict[str, float] = OrderedDict()  # theoretical arrival time

    def delay(self, chat_id: str) -> float:
        now = self._clock()
        tat = max(self._tat.pop(chat_id, now), now)
        wait = max(0.0, tat - now - self._tolerance)
        self._tat[chat_id] = tat + self._interval
        if len(self._tat) > self._max_chats:
            self._tat.popitem(last=False)
        return wait


class _LongPayloads:
    """callback_data for a payload: the payload itself (the core keeps payloads ASCII and at most
    64 bytes), or, should one be longer, a short id resolved here (bounded, in memory)."""

    def __init__(self, size: int) -> None:
        self._by_id: OrderedDict[str, str] = OrderedDict()
        self._size = size
        self._next = 0

    def data_for(self, payload: str) -> str:
        fits = len(payload.encode()) <= MAX_CALLBACK_DATA
        if fits and payload and not payload.startswith(_SHORT_ID_PREFIX):
            return payload
        self._next += 1
        short = f"{_SHORT_ID_PREFIX}{self._next:x}"
        self._by_id[short] = payload
        if len(self._by_id) > self._size:
            self._by_id.popitem(last=False)
        return short

    def resolve(self, data: str) -> str | None:
        """The payload for callback_data; None for a short id this process no longer knows."""
        if data.startswith(_SHORT_ID_PREFIX):
            return self._by_id.get(data)
        return data or None


class _BoundedSet:
    """Keys seen recently (oldest forgotten first)."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[object, None] = OrderedDict()
        self._size = size

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def add(self, key: object) -> None:
        self._items[key] = None
        if len(self._items) > self._size:
            self._items.popitem(last=False)


class _HandoffOrder:
    """Per chat, each update waits for the previous one to be handed to the core."""

    def __init__(self) -> None:
        self._tails: dict[str, asyncio.Event] = {}

    def reserve(self, chat_id: str) -> tuple[asyncio.Event | None, asyncio.Event]:
        predecessor = self._tails.get(chat_id)
        mine = asyncio.Event()
        self._tails[chat_id] = mine
        return predecessor, mine

    def release(self, chat_id: str, mine: asyncio.Event) -> None:
        mine.set()
        if self._tails.get(chat_id) is mine:
            del self._tails[chat_id]


def _build_application(
    token: str, base_url: str | None, *, webhook: bool, max_retries: int
) -> Application:  # type: ignore[type-arg]
    builder = (
        Application.builder()
        .token(token)
        .concurrent_updates(CONCURRENT_UPDATES)
        # overall_max_rate=0: the 30/s cap is applied to proactive sends (see the module doc).
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=max_retries))
        # PTB's default pool (256) costs CPU managing idle connections; 32 keeps sends parallel.
        .connection_pool_size(32)
        .job_queue(None)  # scheduling is the core's business
    )
    if base_url:
        builder = builder.base_url(base_url).base_file_url(_file_url(base_url))
    if webhook:
        builder = builder.updater(None)
    return builder.build()


def _file_url(base_url: str) -> str:
    """Bot API servers serve files at .../file/bot<token>/ beside .../bot<token>/."""
    trimmed = base_url.rstrip("/")
    if trimmed.endswith("/bot"):
        return f"{trimmed[:-len('/bot')]}/file/bot"
    return f"{trimmed}/file/bot"


def _check_menus(menus: Mapping[str, Sequence[tuple[str, str]]]) -> None:
    for role, commands in menus.items():
        if role not in ROLES:
            raise ValueError(f"command_menus: unknown role {role!r}")
        for command, description in commands:
            if not _COMMAND_NAME.fullmatch(command):
                raise ValueError(f"command_menus: {command!r} is not a Telegram command name")
            if not 1 <= len(description) <= 256:
                raise ValueError(f"command_menus: description of /{command} must be 1-256 chars")


def _chat_of(update: Update) -> str | None:
    chat = update.effective_chat
    return None if chat is None else str(chat.id)


def _api_chat_id(chat_id: str) -> int | str:
    """Numeric ids go to PTB as int (its rate limiter treats string ids as groups)."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


def _label_of(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def _seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds, without the deprecated int accessor's warning."""
    # The public `retry_after` warns (deprecated int) unless PTB_TIMEDELTA is set.
    value = exc._retry_after
    return value.total_seconds()
