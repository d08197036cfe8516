"""The Zalo channel: turns Zalo Bot Platform updates into `Incoming` events and renders `Reply`s.

Owns the Zalo side of the conversation: webhook (secret checked in constant time) or long
polling, dropping repeated deliveries, per-chat ordering, rendering (Zalo has no buttons, so
choices become a numbered list; texts over 2000 characters are split at line boundaries; images
go out by URL from our own server), proactive sends that report refusals as `DeliveryError`, and
stopping only this channel when the token is rejected. Mapping a typed number or label back to a
choice is the core's job: typed text is sent on as `Kind.TEXT`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import time
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import aiohttp
from aiohttp import web

from bot.http_body import read_json
from bot.zalo_api import (
    DEFAULT_BASE_URL,
    DEFAULT_RETRY_DELAYS,
    MAX_TEXT_LENGTH,
    QUOTA_EXCEEDED,
    UNAUTHORIZED,
    RateLimiter,
    ZaloApi,
    ZaloApiError,
    ZaloEvent,
    parse_event,
)
from conversations import render
from domain.messages import DeliveryError, Handler, Incoming, Kind, Reply

log = logging.getLogger(__name__)

CHANNEL = "zalo"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MEDIA_PATH = "/media/{token}"
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
# Reactions are not messages: answering them with "I did not understand" would be noise.
IGNORED_EVENTS = frozenset({"message.reaction.received"})
# Refusals that will not change by retrying: bad request (e.g. an unknown chat) and not found.
# ZDOC lists 403 as "Internal server error", so it is treated as transient.
PERMANENT_ERRORS = frozenset({400, 404})
# After our own backoff gave up on a 429, how long a proactive sender should wait (our choice).
QUOTA_RETRY_AFTER = 60.0
DEDUP_SECONDS = 300.0  # Zalo retries deliveries; openclaw keeps 5 minutes of keys

RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RecentKeys:
    """A bounded set of keys that forgets each one after `ttl` seconds."""

    def __init__(self, ttl: float = DEDUP_SECONDS, max_items: int = 10_000) -> None:
        self._ttl = ttl
        self._max_items = max_items
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def add(self, key: tuple[str, str]) -> bool:
        """Remember `key`; False when it was already seen within the ttl."""
        now = time.monotonic()
        while self._seen and (
            len(self._seen) >= self._max_items or next(iter(self._seen.values())) < now - self._ttl
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


@dataclass(frozen=True, slots=True)
class _Media:
    data: bytes
    mime_type: str
    file_name: str
    stored_at: float


class MediaStore:
    """Images and files waiting to be fetched by Zalo or the user, under unguessable tokens."""

    def __init__(self, max_items: int = 256, ttl: float = 24 * 3600.0) -> None:
        self._max_items = max_items
        self._ttl = ttl
        self._items: OrderedDict[str, _Media] = OrderedDict()

    def put(self, data: bytes, mime_type: str, file_name: str) -> str:
        """Store the bytes; return the token (with the file's extension, for picky clients)."""
        while len(self._items) >= self._max_items:
            self._items.popitem(last=False)
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        token = f"{secrets.token_urlsafe(24)}.{suffix}"
        self._items[token] = _Media(data, mime_type, file_name, time.monotonic())
        return token

    def get(self, token: str) -> _Media | None:
        """The stored item, or None when unknown or expired."""
        item = self._items.get(token)
        if item is None or item.stored_at < time.monotonic() - self._ttl:
            return None
        return item


def _attachment(file_name: str) -> str:
    """A Content-Disposition with an ASCII fallback name and the real UTF-8 one (RFC 6266)."""
    folded = unicodedata.normalize("NFKD", file_name.replace("đ", "d").replace("Đ", "D"))
    fallback = "".join(c for c in folded if c.isascii() and c not in '"\\') or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Zalo's 2000-character messages, split at line boundaries (conversations/render.py)."""
    return render.split_text(text, limit)


def to_incoming(event: ZaloEvent) -> Incoming | None:
    """Translate one Zalo update into the core's event; None when there is nobody to answer."""
    if not event.chat_id or event.event_name in IGNORED_EVENTS:
        return None
    common = {
        "channel": CHANNEL,
        "chat_id": event.chat_id,
        "user_id": event.user_id or event.chat_id,
        "update_id": event.message_id,
    }
    if event.event_name == TEXT_EVENT:
        text = event.text.strip()
        if text.startswith("/") and len(text) > 1:
            name, _, args = text[1:].partition(" ")
            return Incoming(kind=Kind.COMMAND, command=name.lower(), text=args.strip(), **common)
        return Incoming(kind=Kind.TEXT, text=event.text, **common)
    if event.event_name == IMAGE_EVENT and event.photo_url:
        return Incoming(
            kind=Kind.PHOTO, text=event.caption, payload={"url": event.photo_url}, **common
        )
    # Stickers, voice, links, 'message.unsupported.received' (also sent in place of content
    # from protected users) and anything new: the core answers kindly and repeats its question.
    return Incoming(kind=Kind.UNSUPPORTED, payload={"event": event.event_name}, **common)


class ZaloChannel:
    """The Zalo Bot Platform adapter; implements `domain.messages.Outbound`."""

    channel = CHANNEL

    def __init__(
        self,
        *,
        token: str,
        handler: Handler,
        base_url: str = DEFAULT_BASE_URL,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_path: str | None = None,
        public_base_url: str | None = None,
        send_rate_per_second: float = 5.0,
        translate: Callable[[str], str] = lambda s: s,
        poll_timeout: float = 30.0,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        poll_error_delay: float = 5.0,
    ) -> None:
        if webhook_url and not (webhook_secret and 8 <= len(webhook_secret) <= 256):
            raise ValueError("ZALO_WEBHOOK_SECRET must be 8-256 characters in webhook mode")
        self._token = token
        self._handler = handler
        self._base_url = base_url
        self._webhook_url = webhook_url
        # ZALO_WEBHOOK_PATH behind a proxy that rewrites paths, else the public URL's own path.
        self.webhook_path = (webhook_path or urlsplit(webhook_url).path or "/") if webhook_url \
            else None
        self._webhook_secret = webhook_secret.encode() if webhook_secret else None
        self._public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self._send_rate = send_rate_per_second
        self._translate = translate
        self._poll_timeout = poll_timeout
        self._retry_delays = tuple(retry_delays)
        self._poll_error_delay = poll_error_delay
        self._session: aiohttp.ClientSession | None = None
        self._api: ZaloApi | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._recent = RecentKeys()
        self._media = MediaStore()
        self._chat_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self.running = False
        self._token_rejected = False

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token, then register the webhook or start long polling.

        A rejected token (401) logs one clear line and leaves this channel stopped without
        raising, so the other channels go on; other API errors are raised.
        """
        self._session = aiohttp.ClientSession()
        self._api = ZaloApi(
            self._token,
            self._base_url,
            self._session,
            limiter=RateLimiter(self._send_rate),
            retry_delays=self._retry_delays,
        )
        try:
            me = await self._api.get_me()
            if self._webhook_url:
                assert self._webhook_secret is not None  # checked in __init__
                await self._api.set_webhook(self._webhook_url, self._webhook_secret.decode())
            else:
                await self._api.delete_webhook()  # getUpdates does not work while one is set
        except ZaloApiError as exc:
            await self._close_session()
            if exc.error_code == UNAUTHORIZED:
                self._stop_on_bad_token()
                return
            raise
        self.running = True
        if self._webhook_url:
            log.info("zalo: channel started as bot %s (webhook %s served on local path %s)",
                     me.id, self._webhook_url, self.webhook_path)
        else:
            log.info("zalo: channel started as bot %s (long polling)", me.id)
        if not self._webhook_url:
            self._poll_task = asyncio.create_task(self._poll_loop(), name="zalo-polling")

    async def stop(self) -> None:
        """Stop polling, let in-flight replies finish (briefly), close the HTTP session."""
        self.running = False
        if self._poll_task is not None:
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll_task
            self._poll_task = None
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=5.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._close_session()

    async def _close_session(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    def _stop_on_bad_token(self) -> None:
        """Stop only this channel, saying once and plainly what the operator must do."""
        if not self._token_rejected:
            self._token_rejected = True
            log.error(
                "zalo: the bot token was rejected (401 Unauthorized); the Zalo channel is "
                "stopped, other channels continue. Check ZALO_BOT_TOKEN (reset it in Zalo Bot "
                "Creator) and restart."
            )
        self.running = False
        self._api = None
        if self._poll_task is not None and self._poll_task is not asyncio.current_task():
            self._poll_task.cancel()

    def routes(self) -> list[tuple[str, str, RouteHandler]]:
        """The routes to mount on the project's aiohttp server."""
        webhook = [("POST", self.webhook_path, self._on_webhook)] if self.webhook_path else []
        return [*webhook, ("GET", MEDIA_PATH, self._on_media)]

    async def health(self) -> dict[str, object]:
        """Mode and whether the channel runs (Zalo's getWebhookInfo reports no delivery
        errors, so there is none to show)."""
        return {"mode": "webhook" if self._webhook_url else "polling", "running": self.running}

    # -- incoming ---------------------------------------------------------------------------

    async def _on_webhook(self, request: web.Request) -> web.Response:
        """Check the secret, queue the update, answer at once (Zalo retries slow webhooks)."""
        if self._webhook_secret is None:
            raise web.HTTPNotFound()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._webhook_secret):
            log.warning("zalo: webhook call with a missing or wrong secret refused")
            raise web.HTTPForbidden()
        if not self.running:
            raise web.HTTPServiceUnavailable()
        body = await read_json(request, "zalo webhook")
        event = parse_event(body)
        if event is not None and event.date is None and _dated(event.raw):
            log.warning("request refused route=zalo webhook status=400 reason=date out of range")
            raise web.HTTPBadRequest()
        if event is None:
            log.warning("zalo: webhook body without an event ignored")
        else:
            self._accept(event)
        return web.json_response({"ok": True})

    async def _on_media(self, request: web.Request) -> web.Response:
        """Serve a stored image or file by its token."""
        item = self._media.get(request.match_info["token"])
        if item is None:
            raise web.HTTPNotFound()
        headers = {"Cache-Control": "private, max-age=86400"}
        if not item.mime_type.startswith("image/"):
            headers["Content-Disposition"] = _attachment(item.file_name)
        return web.Response(body=item.data, content_type=item.mime_type, headers=headers)

    async def _poll_loop(self) -> None:
        """Long-poll getUpdates for as long as the channel runs; 408 just means 'nothing yet'."""
        delay = self._poll_error_delay
        while self.running and self._api is not None:
            try:
                events = await self._api.get_updates(self._poll_timeout)
            except ZaloApiError as exc:
                if exc.error_code == UNAUTHORIZED:
                    self._stop_on_bad_token()
                    return
                log.warning(
                    "zalo: getUpdates failed (%s %s); retrying in %.0fs",
                    exc.error_code,
                    exc.description,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            delay = self._poll_error_delay
            for event in events:
                self._accept(event)

    def _accept(self, event: ZaloEvent) -> None:
        """Drop repeats and events with nobody to answer; process the rest in the background."""
        if event.message_id and not self._recent.add((event.event_name, event.message_id)):
            log.info("zalo: repeated delivery of %s dropped", event.message_id)
            return
        incoming = to_incoming(event)
        if incoming is None:
            log.debug("zalo: %s ignored", event.event_name)
            return
        task = asyncio.create_task(self._process(incoming))
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("zalo: processing an update failed", exc_info=task.exception())

    def _chat_lock(self, chat_id: str) -> asyncio.Lock:
        """One lock per chat, so a user's replies never interleave; dropped when unused."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[chat_id] = lock
        return lock

    async def _process(self, incoming: Incoming) -> None:
        """Ask the core, then send its replies in order."""
        async with self._chat_lock(incoming.chat_id):
            replies = await self._handler.handle(incoming)
            try:
                for reply in replies:
                    await self._deliver(incoming.chat_id, reply)
            except ZaloApiError as exc:
                if exc.error_code == UNAUTHORIZED:
                    self._stop_on_bad_token()
                    return
                log.warning("zalo: reply not delivered (%s %s)", exc.error_code, exc.description)

    # -- outgoing ---------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver a message nobody asked for (reminder, broadcast); DeliveryError if refused."""
        if not self.running:
            raise DeliveryError("zalo channel is not running")
        try:
            async with self._chat_lock(chat_id):
                await self._deliver(chat_id, reply)
        except ZaloApiError as exc:
            if exc.error_code == UNAUTHORIZED:
                self._stop_on_bad_token()
                raise DeliveryError("zalo: bot token rejected (401)") from exc
            retry_after = QUOTA_RETRY_AFTER if exc.error_code == QUOTA_EXCEEDED else None
            log.warning("zalo: proactive message refused (%s %s)", exc.error_code, exc.description)
            raise DeliveryError(
                f"zalo {exc.error_code}: {exc.description}",
                permanent=exc.error_code in PERMANENT_ERRORS,
                retry_after=retry_after,
            ) from exc

    async def _deliver(self, chat_id: str, reply: Reply) -> None:
        """Render one Reply as Zalo messages: an optional photo, then text in ≤2000-char parts."""
        _ = self._translate
        api = self._api
        if api is None:
            raise ZaloApiError(UNAUTHORIZED, "zalo channel stopped")
        text = self._render_text(reply)
        if reply.image is not None and self._public_base_url:
            url = self._media_url(reply.image, "image/png", "chart.png")
            caption = text if len(text) <= MAX_TEXT_LENGTH else None
            await api.send_photo(chat_id, url, caption)
            if caption is not None:
                return
        elif reply.image is not None and not text:
            text = _("The chart cannot be shown on Zalo.")
        for chunk in split_text(text):
            await api.send_message(chat_id, chunk)

    def _render_text(self, reply: Reply) -> str:
        """The reply's text with choices as a numbered list and hints for what Zalo lacks."""
        _ = self._translate
        parts = [reply.text] if reply.text else []
        if reply.choices:
            hint = _("Reply with a number, for example: 1")
            parts.append(render.numbered_text(
                Reply("", reply.choices, typed_hint=reply.typed_hint), hint, _))
        if reply.request == "phone":
            parts.append(_("Please type your phone number, for example: 0912345678"))
        elif reply.request == "location":
            parts.append(_("Please type your address: house number, street, ward or commune"))
        if reply.document is not None:
            parts.append(self._document_line(reply))
        return "\n\n".join(parts)

    def _document_line(self, reply: Reply) -> str:
        """Zalo cannot send files: offer a download link, or say where to get the file."""
        _ = self._translate
        document = reply.document
        assert document is not None
        if not self._public_base_url:
            return _(
                "Files cannot be sent on Zalo. Please open the web chat to download the file."
            )
        url = self._media_url(document.data, document.mime_type, document.file_name)
        return _("Download the file: {url}").format(url=url)

    def _media_url(self, data: bytes, mime_type: str, file_name: str) -> str:
        token = self._media.put(data, mime_type, file_name)
        return f"{self._public_base_url}{MEDIA_PATH.format(token=token)}"


def _dated(update: dict[str, object]) -> bool:
    """Whether the update's message carries a date at all (one that did not parse is bad)."""
    message = update.get("message")
    return isinstance(message, dict) and message.get("date") is not None
