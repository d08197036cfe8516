"""The Zalo adapter as the app drives it (bot/channel.py's `Channel`): webhook (secret checked in
constant time) or long polling, dropping repeated deliveries, per-chat ordering, proactive sends
that report refusals as `DeliveryError`, and stopping only this channel when the token is
rejected. Turning updates into events is bot/zalo/receive.py; rendering replies (numbered
choices, split texts, images by URL) is bot/zalo/render.py; the HTTP client, bot/zalo/api.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import weakref
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot.channel import Route, SendRate
from bot.http_body import read_json
from bot.zalo.api import (
    DEFAULT_BASE_URL,
    DEFAULT_RETRY_DELAYS,
    QUOTA_EXCEEDED,
    UNAUTHORIZED,
    RateLimiter,
    ZaloApi,
    ZaloApiError,
    ZaloEvent,
    parse_event,
)
from bot.zalo.receive import CAPABILITIES, CHANNEL, RecentKeys, dated, to_incoming
from bot.zalo.render import MEDIA_PATH, MediaStore, Renderer, attachment
from domain.messages import DeliveryError, Handler, Incoming, Reply

log = logging.getLogger("bot.zalo")

SECRET_HEADER = "X-Bot-Api-Secret-Token"
# Refusals that will not change by retrying: bad request (e.g. an unknown chat) and not found.
# ZDOC lists 403 as "Internal server error", so it is treated as transient.
PERMANENT_ERRORS = frozenset({400, 404})
# After our own backoff gave up on a 429, how long a proactive sender should wait (our choice).
QUOTA_RETRY_AFTER = 60.0


class ZaloChannel:
    """The Zalo Bot Platform adapter; a `bot.channel.Channel` (channel "zalo")."""

    channel = CHANNEL
    capabilities = CAPABILITIES
    poll_lease = None  # Zalo does not refuse a second poller

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
        self.send_rate = SendRate(send_rate_per_second)  # every message, answers too
        self._poll_timeout = poll_timeout
        self._retry_delays = tuple(retry_delays)
        self._poll_error_delay = poll_error_delay
        self._session: aiohttp.ClientSession | None = None
        self._api: ZaloApi | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._recent = RecentKeys()
        self._media = MediaStore()
        self._renderer = Renderer(
            translate, public_base_url.rstrip("/") if public_base_url else None, self._media)
        self._chat_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self.running = False
        self._token_rejected = False
        self.conflict = asyncio.Event()  # never set: Zalo reports no second poller

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
            limiter=RateLimiter(self.send_rate.per_second),
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

    def routes(self) -> list[Route]:
        """The routes to mount on the project's aiohttp server: the webhook, the media."""
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
        if event is not None and event.date is None and dated(event.raw):
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
            headers["Content-Disposition"] = attachment(item.file_name)
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

    async def set_chat_commands(self, chat_id: str, role: str) -> None:
        """Zalo has no per-chat command list: nothing to show."""

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
        """Send one Reply as Zalo messages: an optional photo, then text in ≤2000-char parts."""
        api = self._api
        if api is None:
            raise ZaloApiError(UNAUTHORIZED, "zalo channel stopped")
        for message in self._renderer.messages(reply):
            if message.photo_url is not None:
                await api.send_photo(chat_id, message.photo_url, message.text)
            else:
                assert message.text is not None
                await api.send_message(chat_id, message.text)
