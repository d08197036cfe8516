"""The composition root: the one place where settings, storage, catalogs, content, features and
channels are wired together.

Features register themselves in the order of `FEATURES`: the basic commands first, then each
capability (its dialogs, commands, menu buttons, personal-data sections), and the account's
personal-data section last, because deleting the account must come after everything that refers
to it. Nothing here runs at import time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

import db.schema  # noqa: F401  every table is mapped before the first query
from bot import content as content_files
from bot.channel import Channel
from bot.channels import receives
from bot.i18n import Translator, load_catalogs
from bot.settings import SUPPORTED_LOCALES, Settings
from bot.web import WebChannel, build_web_app
from db.engine import create_engine, session_factory
from db.migrate import upgrade
from handlers import (
    assessment,
    broadcasts,
    courses,
    jobs,
    maintenance,
    menu,
    officers,
    policies,
    privacy,
    targets,
)
from handlers.core import Core
from handlers.flood import TokenBuckets
from handlers.registry import Registry
from handlers.services import Services, utc_now

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("giamngheo.app")
HEALTH_TIMEOUT = 5.0  # seconds for a platform to answer /healthcheck's question


class RefusedToStart(Exception):
    """Starting would conflict with another process (e.g. a second Telegram poller)."""

FEATURES: tuple[Callable[[Registry], None], ...] = (
    menu.register,
    maintenance.register,
    privacy.register,
    policies.register,
    assessment.register,
    courses.register,
    officers.register,
    targets.register,
    jobs.register,
    broadcasts.register,
    privacy.register_account_section,
)


def build_registry() -> Registry:
    registry = Registry()
    for register in FEATURES:
        register(registry)
    return registry


@dataclass
class App:
    """A running bot: `open()` it, use `core`, `close()` it. Tests build one per database."""

    settings: Settings
    clock: Callable[[], datetime] = utc_now
    engine: AsyncEngine | None = None
    core: Core | None = None
    catalogs: dict[str, Translator] = field(default_factory=dict)
    web_channel: WebChannel = field(init=False)
    channels: list[Channel] = field(default_factory=list)
    scheduler: Any = None
    delivery: Any = None
    demo: bool = False  # `giamngheo run --demo`: example data, the page's role switcher
    _runner: web.AppRunner | None = None
    _leases: list[Any] = field(default_factory=list)
    # Delivery's tuning (heartbeat_seconds, stale_seconds, ...): tests and benchmarks shorten it
    delivery_options: dict[str, Any] = field(default_factory=dict)
    scheduler_options: dict[str, Any] = field(default_factory=dict)  # the same for Scheduler

    async def open(self, *, migrate: bool = True) -> None:
        """Connect, migrate, load catalogs and content, and build the core."""
        self.catalogs = load_catalogs(SUPPORTED_LOCALES)
        content = content_files.load_all(self.settings.data_dir)
        self.engine = create_engine(self.settings.database_url)
        if migrate:
            await upgrade(self.engine)
        await self._sync_admins()
        services = Services(content=content, clock=self.clock,
                            receives=receives(self.settings.channel_kinds))
        self.web_channel = WebChannel(session_factory(self.engine), self.clock)
        services.outbound["web"] = self.web_channel
        self.core = Core(
            sessions=session_factory(self.engine),
            registry=build_registry(),
            services=services,
            settings=self.settings,
            catalogs=self.catalogs,
        )

    async def _sync_admins(self) -> None:
        """ADMIN_IDS is the source of truth: someone removed from it is no admin after a
        restart, even before they write again (audited in db.users)."""
        from db import users

        async with session_factory(self.engine)() as session, session.begin():
            changed = await users.sync_configured_admins(session, self.settings.admins,
                                                         self.clock())
        if changed:
            log.info("admins synced with ADMIN_IDS changed=%d", changed)

    def translate(self, message: str) -> str:
        return self.catalogs[self.settings.locale].gettext(message)

    def build_channels(self) -> None:
        """Create the channels of the table whose tokens are set (none: web chat only).

        Built before the web server, which serves their webhook and media routes. What a
        running channel says it receives is what the core offers on it.
        """
        from bot.channels import build_channels

        assert self.core is not None
        self.channels = build_channels(self.settings, self.core, self.catalogs)
        for channel in self.channels:
            self.core.services.outbound[channel.channel] = channel
            self.core.services.receives[channel.channel] = channel.capabilities.receives

    def web_app(self) -> web.Application:
        assert self.core is not None
        routes = [route for channel in self.channels for route in channel.routes()]
        if self.demo:
            from bot import demo

            routes += demo.routes(self)
        per_ip = TokenBuckets(self.settings.web_ip_burst, self.settings.web_ip_per_minute)
        app = build_web_app(self.core, self.web_channel, self.engine, routes,
                            channel_health=self.channel_health, per_ip=per_ip)
        app.middlewares.append(_log_unknown_posts(self.webhook_paths()))
        return app

    def webhook_paths(self) -> dict[str, str]:
        """channel → the local path its webhook is served on (webhook mode only)."""
        return {channel.channel: channel.webhook_path for channel in self.channels
                if channel.webhook_path}

    async def channel_health(self) -> dict[str, Any]:
        """Each channel's mode; for a Telegram webhook, Telegram's last delivery error."""
        report: dict[str, Any] = {"web": await self.web_channel.health()}
        for channel in self.channels:
            try:
                report[channel.channel] = await asyncio.wait_for(channel.health(),
                                                                 HEALTH_TIMEOUT)
            except Exception as exc:  # noqa: BLE001 - health is reported, not raised
                report[channel.channel] = {"error": f"unavailable ({type(exc).__name__})"}
        return report

    async def serve_web(self) -> str:
        """Start the web server on WEB_HOST:WEB_PORT; returns its URL."""
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.web_host, self.settings.web_port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}/"

    async def start_channels(self) -> None:
        """Start the channels built by `build_channels` (polling or webhook registration) and
        the scheduler."""
        from bot.delivery import Delivery
        from bot.scheduler import Scheduler

        await self._poll_leases()
        for channel in self.channels:
            await channel.start()
        assert self.core is not None
        self.scheduler = Scheduler(self.core, self.engine, **self.scheduler_options)
        self.scheduler.start()
        # engine: one delivery leader across the processes on this database (bot/delivery.py)
        rates = {channel.channel: channel.send_rate.per_second for channel in self.channels}
        self.delivery = Delivery(self.core, rates, engine=self.engine, **self.delivery_options)
        self.core.services.wake_delivery = self.delivery.wake
        self.delivery.start()

    async def _poll_leases(self) -> None:
        """Long polling by two processes makes Telegram answer 409 to one or the other, turn
        and turn about: on one database, the second process refuses to start instead (each
        channel says whether it needs such a lease: `Channel.poll_lease`)."""
        from db.coordination import Lease

        if self.engine is None:
            return
        titles = {kind.name: kind.title for kind in self.settings.channel_kinds}
        for channel in self.channels:
            if channel.poll_lease is None:
                continue
            lease = Lease(self.engine, channel.poll_lease)
            if not await lease.try_acquire():
                raise RefusedToStart(
                    f"another giamngheo process is already polling {titles[channel.channel]} "
                    f"for this database; run one poller, or set "
                    f"{channel.channel.upper()}_WEBHOOK_URL to run several processes")
            self._leases.append(lease)

    def conflicts(self) -> list[asyncio.Event]:
        """Events set when a channel finds another process doing its job (Telegram 409)."""
        return [channel.conflict for channel in self.channels]

    async def close(self) -> None:
        """Stop the scheduler, channels and the web server, then the engine. Idempotent."""
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        if self.delivery is not None:
            await self.delivery.stop()
            self.delivery = None
        for channel in self.channels:
            try:
                await asyncio.wait_for(channel.stop(), timeout=3)
            except Exception:  # noqa: BLE001 - shutting down regardless
                log.exception("channel %s did not stop cleanly", channel.channel)
        self.channels.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for lease in self._leases:
            await lease.release()
        self._leases.clear()
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None


def _log_unknown_posts(paths: dict[str, str]) -> Any:
    """A POST to a path nobody serves is most often a webhook URL that does not match
    TELEGRAM_WEBHOOK_URL / ZALO_WEBHOOK_URL (or a proxy that rewrites the path): say in the log
    which paths are served, instead of a silent 404 on every update."""
    served = ", ".join(f"{path} ({name})" for name, path in paths.items()) or "none"

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPNotFound:
            if request.method == "POST":
                log.warning("POST %s: not found (404); webhooks are served on: %s. Check "
                            "*_WEBHOOK_URL / *_WEBHOOK_PATH and the proxy's path rewriting.",
                            request.path[:200], served)
            raise

    return middleware

