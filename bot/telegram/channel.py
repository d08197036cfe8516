"""The Telegram adapter as the app drives it (bot/channel.py's `Channel`): the PTB `Application`
(long polling, or no Updater and a webhook route served by the project's aiohttp app), start
and stop, the webhook (secret checked in constant time), /healthcheck's view, and the command
menus (setMyCommands, per chat for officers and admins). Receiving, rendering and sending are
bot/telegram/receive.py, render.py and send.py.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web
from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import Conflict, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.channel import Capabilities, Route, SendRate
from bot.http_body import read_json
from bot.i18n import Translator
from bot.telegram.receive import CHANNEL, Receiver
from bot.telegram.render import Renderer
from bot.telegram.send import Sender, api_chat_id
from domain.messages import Handler, Kind, Reply

log = logging.getLogger("bot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_INTERVAL = 0.02  # seconds between getUpdates calls
# Updates handled at once (PTB's True means 256). The rest wait in PTB's queue, which is cheap;
# 200 at once waited for the one SQLite connection and for httpx's pool, whose bookkeeping grows
# with its queue (bench/telegram: 23.8 -> 18.3 ms CPU per update, docs/benchmarks.md).
CONCURRENT_UPDATES = 16
PROACTIVE_PER_SECOND = 30  # Telegram: about 30 bulk messages per second overall
CHAT_RATE, CHAT_BURST = 1.0, 3  # to one chat: about 1 message/s, bursts of 3
POLL_TIMEOUT = 25  # seconds a getUpdates call waits for something new
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_LEASE = "telegram-poller"  # two pollers make Telegram answer 409 to one or the other
# bot/telegram/receive.py turns each of these updates into its event kind
CAPABILITIES = Capabilities(
    frozenset({Kind.TEXT, Kind.PHOTO, Kind.LOCATION, Kind.CONTACT, Kind.DOCUMENT}))
ROLES: Mapping[str, tuple[str, ...]] = {
    "citizen": ("citizen",),
    "officer": ("citizen", "officer"),
    "admin": ("citizen", "officer", "admin"),
}
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramChannel:
    """The Telegram adapter; a `bot.channel.Channel` (channel "telegram")."""

    channel = CHANNEL
    capabilities = CAPABILITIES

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
        self.webhook_url = webhook_url
        # The local path served: TELEGRAM_WEBHOOK_PATH behind a proxy that rewrites paths, else
        # the public URL's own path (what Telegram posts to).
        self.webhook_path = (webhook_path or urlsplit(webhook_url).path or "/") if webhook_url \
            else None
        self.poll_lease = None if webhook_url else POLL_LEASE
        # Proactive sends: Telegram's ~30/s unless configured otherwise (a bot with paid
        # broadcasts, or a test server with another limit); every message: ~1/s per chat.
        self.send_rate = SendRate(proactive_rate, per_chat=CHAT_RATE, chat_burst=CHAT_BURST)
        self._secret = (webhook_secret or "").encode()
        self._menus = command_menus
        self._privileged_chats = privileged_chats
        self._app = _build_application(token, base_url, webhook=bool(webhook_url),
                                       max_retries=max_send_retries)
        renderer = Renderer(translator)
        self._sender = Sender(self._app.bot, renderer, self.send_rate,
                              max_retries=max_send_retries, retry_delay=retry_delay,
                              on_blocked=on_blocked)
        receiver = Receiver(self._app.bot, handler, renderer, self._sender, translator)
        self._app.add_handler(TypeHandler(Update, receiver.on_update))
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

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram: error outside a handler", exc_info=context.error)

    # -- the web server's side -------------------------------------------------------------

    def routes(self) -> list[Route]:
        """The webhook's route for the project's aiohttp app (none when polling)."""
        return [("POST", self.webhook_path, self._webhook)] if self.webhook_path else []

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

    # -- sending ---------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Proactive send (reminders, broadcasts). Raises DeliveryError; permanent for 403."""
        await self._sender.send(chat_id, reply)

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
        scope = BotCommandScopeChat(api_chat_id(chat_id))
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


def _build_application(
    token: str, base_url: str | None, *, webhook: bool, max_retries: int
) -> Application:  # type: ignore[type-arg]
    builder = (
        Application.builder()
        .token(token)
        .concurrent_updates(CONCURRENT_UPDATES)
        # overall_max_rate=0: the 30/s cap is applied to proactive sends (bot/telegram/send.py).
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
