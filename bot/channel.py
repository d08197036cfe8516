"""What a channel is to the app: the `Channel` protocol every platform adapter implements, and
`ChannelKind`, a channel's row in the one table of channels (`CHANNELS` in bot/channels.py).

The row says everything the rest of the bot needs to know about a channel without running it:
its name (the events' `channel`, and the prefix of its settings: TELEGRAM_…), what a person can
send on it, how fast the outbox may send on it, which settings it reads, and how to build it.
From the table, bot/settings.py makes the settings (which variables exist, how each is checked,
the rules every webhook follows), bot/channels.py builds the channels whose token is set,
delivery takes the default send rates, and the core learns what each channel receives. So a
new channel is one module (its adapter, with a `KIND = ChannelKind(...)`) and one line in that
table, plus its lines in .env.example (a test checks the file lists every setting).

The app drives a built channel only through `Channel`: no probing for optional methods.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import AfterValidator, Field, SecretStr

from domain.messages import Kind, Reply

if TYPE_CHECKING:
    from aiohttp import web

    from bot.channels import Wiring

    RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]

Route = tuple[str, str, "RouteHandler"]  # (method, path, handler) for the project's aiohttp app


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a person can send on a channel: the core's questions offer only these
    (`Ctx.can_receive`), e.g. a "share my location" button only where a location can come."""

    receives: frozenset[Kind]


@dataclass(frozen=True, slots=True)
class SendRate:
    """How fast a channel may send. `per_second` is across the bot: the outbox's pace, one
    budget for every process on the database (bot/delivery.py). `per_chat` (with bursts of
    `chat_burst`) is the pace to one chat, which the adapter keeps itself; None: no such limit."""

    per_second: float
    per_chat: float | None = None
    chat_burst: int = 1


class Channel(Protocol):
    """A platform the bot talks on, as the app (bot/app.py) drives it."""

    channel: str  # the name in `Incoming.channel` and `ChannelKind.name`
    capabilities: Capabilities
    send_rate: SendRate
    webhook_path: str | None  # the local path its webhook is served on; None: it polls
    # A lease (db/coordination.py) the process must hold while this channel runs, for a platform
    # that allows one poller per bot: a second process on the database refuses to start.
    poll_lease: str | None
    conflict: asyncio.Event  # set when the platform says another process does this job

    async def start(self) -> None:
        """Connect: register the webhook, or start polling."""

    async def stop(self) -> None:
        """Stop polling, let replies under way finish, close connections."""

    async def send(self, chat_id: str, reply: Reply) -> None:
        """A message nobody asked for (reminders, broadcasts): returns when delivered, raises
        `DeliveryError` otherwise (domain.messages.Outbound)."""

    async def set_chat_commands(self, chat_id: str, role: str) -> None:
        """After a role change: that role's commands in the person's chat (domain.messages.
        Outbound); a platform without per-chat command lists does nothing."""

    def routes(self) -> Sequence[Route]:
        """The routes it serves on the project's web server (its webhook, media links)."""

    async def health(self) -> dict[str, object]:
        """Its part of /healthcheck: mode, and whatever the platform reports about delivery."""


Builder = Callable[["Wiring"], Channel]


@dataclass(frozen=True, eq=False)
class ChannelKind:
    """One row of the table of channels.

    `settings` are the channel's own variables, without the prefix: key → (type, default or
    `Field(...)`), e.g. {"bot_token": (SecretStr | None, None)} declares TELEGRAM_BOT_TOKEN. Two
    groups are added by the table itself: `webhook=True` gives <NAME>_WEBHOOK_URL, _SECRET and
    _PATH with the rules every webhook follows (a secret is required, the path is not the web
    chat's, nor another channel's), and a channel that is built gets <NAME>_SEND_RATE, defaulting
    to `send_rate` and at most `max_send_rate`. A key in `settings` replaces an added one (Zalo's
    stricter secret). `switch` names the setting that turns the channel on when set.
    `build` is None for a channel the app does not build from settings (the web chat, which is
    always on, and the console).
    """

    name: str
    title: str  # in messages to the operator: "another process is already polling Telegram"
    capabilities: Capabilities
    send_rate: float  # messages/s the outbox sends at, unless <NAME>_SEND_RATE says otherwise
    build: Builder | None = None
    settings: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    webhook: bool = False
    max_send_rate: float | None = None
    switch: str = "bot_token"

    def setting_fields(self) -> dict[str, tuple[Any, Any]]:
        """The settings' fields, with the prefix: what bot/settings.py adds to its model."""
        own: dict[str, tuple[Any, Any]] = {}
        if self.webhook:
            own.update(webhook_url=(Url, None), webhook_secret=(SecretStr | None, None),
                       webhook_path=(WebhookPath, None))
        if self.build is not None:
            own["send_rate"] = (float, Field(default=self.send_rate, gt=0,
                                             le=self.max_send_rate))
        own.update(self.settings)
        return {f"{self.name}_{key}": spec for key, spec in own.items()}


# -- the types of settings a channel declares ----------------------------------------------


def _url(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value.rstrip("/") if not value.endswith("/bot") else value


def _path(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if not re.fullmatch(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*", value):
        raise ValueError(f"expected a path starting with /, e.g. /telegram/webhook: {value!r}")
    return value


def _secret_8_to_256(value: SecretStr | None) -> SecretStr | None:
    if value is not None and not 8 <= len(value.get_secret_value()) <= 256:
        raise ValueError("must be 8 to 256 characters long")
    return value


# An http(s) URL without its trailing slash (kept after python-telegram-bot's …/bot); empty: None
Url = Annotated[str | None, AfterValidator(_url)]
WebhookPath = Annotated[str | None, AfterValidator(_path)]  # a local path, starting with /
Secret8to256 = Annotated[SecretStr | None, AfterValidator(_secret_8_to_256)]
