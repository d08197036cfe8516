"""The table of channels, and building the ones whose token is set.

`CHANNELS` is the one list of the channels the bot knows: each row (`ChannelKind`, bot/channel.py)
is declared in the channel's own module. Settings (bot/settings.py), delivery's rates, what the
core knows each channel receives, and `build_channels` below all read it; nothing else names a
channel. A new channel: its module with a `KIND`, and one line here.

`Wiring` is what a channel's `build` gets from the rest of the app: its settings, the core, the
translator, and the few services an adapter may need (command menus per role, who is an officer
or admin on it, remembering that a chat blocked the bot).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from bot import console, telegram, web, zalo
from bot.channel import Channel, ChannelKind
from db import users
from domain.roles import ADMIN, CITIZEN, OFFICER

if TYPE_CHECKING:
    from bot.i18n import Translator
    from bot.settings import Settings
    from domain.messages import Kind
    from handlers.core import Core

CHANNELS: tuple[ChannelKind, ...] = (
    telegram.KIND,
    zalo.KIND,
    web.KIND,
    console.KIND,
)


def receives(kinds: Sequence[ChannelKind]) -> dict[str, frozenset[Kind]]:
    """channel → what a person can send on it (Services.receives, Ctx.can_receive)."""
    return {kind.name: kind.capabilities.receives for kind in kinds}


RECEIVES = receives(CHANNELS)  # for tools that run the core without an app (tests/explorer.py)


@dataclass(frozen=True)
class Wiring:
    """What a channel's builder is handed (see the module's docstring)."""

    kind: ChannelKind
    settings: Settings
    core: Core
    translator: Translator

    def setting(self, key: str) -> Any:
        """The channel's own setting <NAME>_<KEY>; a secret as its plain value."""
        value = getattr(self.settings, f"{self.kind.name}_{key}")
        return value.get_secret_value() if isinstance(value, SecretStr) else value

    @property
    def webhook_path(self) -> str | None:
        """The local path of its webhook (None: it polls); see Settings.webhook_local_path."""
        return self.settings.webhook_local_path(self.kind.name)

    def command_menus(self) -> dict[str, list[tuple[str, str]]]:
        """role → [(command, description)] in the default language, for command lists."""
        return {
            role: [(c.name, self.translator.gettext(c.description))
                   for c in self.core.registry.commands_for(role)]
            for role in (CITIZEN, OFFICER, ADMIN)
        }

    async def privileged_chats(self) -> Sequence[tuple[str, str]]:
        """(chat id, role) of the officers and admins on this channel."""
        async with self.core.sessions() as session:
            return await users.privileged_chats(session, self.kind.name)

    async def mark_blocked(self, chat_id: str) -> None:
        """Remember that this chat blocked the bot; cleared when the user writes again (core)."""
        async with self.core.sessions() as session, session.begin():
            await users.mark_chat_blocked(session, self.kind.name, chat_id,
                                          self.core.services.clock())


def enabled(kind: ChannelKind, settings: Settings) -> bool:
    """Built from settings, and its switch (its token) is set."""
    return kind.build is not None and getattr(settings, f"{kind.name}_{kind.switch}") is not None


def build_channels(
    settings: Settings, core: Core, catalogs: dict[str, Translator]
) -> list[Channel]:
    """The channels of the settings' table whose token is set, in the table's order."""
    translator = catalogs[settings.locale]
    return [kind.build(Wiring(kind, settings, core, translator))  # type: ignore[misc]
            for kind in settings.channel_kinds if enabled(kind, settings)]
