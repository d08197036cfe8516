"""Building the platform channels from settings: Telegram and Zalo, each only when its token is
set. The adapters themselves live in bot/telegram.py and bot/zalo.py; this module gives them what
they need from the rest of the app (command menus per role, who is an officer, blocked users).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from bot.i18n import Translator
from bot.settings import Settings
from db.models import User
from domain.messages import Kind, Outbound
from handlers.core import Core

ROLES = ("citizen", "officer", "admin")

# What a person can send on each channel; questions offer only these (Ctx.can_receive).
RECEIVES: dict[str, frozenset[Kind]] = {
    # bot/telegram.py turns each of these updates into its event kind
    "telegram": frozenset({Kind.TEXT, Kind.PHOTO, Kind.LOCATION, Kind.CONTACT, Kind.DOCUMENT}),
    # the Zalo Bot Platform delivers text, images and stickers only (channels.md, section D)
    "zalo": frozenset({Kind.TEXT, Kind.PHOTO}),
    # the page sends text and, with its 📎 button, a photo or a file (bot/static/chat.js)
    "web": frozenset({Kind.TEXT, Kind.PHOTO, Kind.DOCUMENT}),
    "console": frozenset({Kind.TEXT}),
}


def command_menus(core: Core, translator: Translator) -> dict[str, list[tuple[str, str]]]:
    """role → [(command, description)] in the default language, for Telegram's command lists."""
    return {
        role: [
            (c.name, translator.gettext(c.description))
            for c in core.registry.commands_for(role)
        ]
        for role in ROLES
    }


def build_channels(
    settings: Settings, core: Core, catalogs: dict[str, Translator]
) -> list[Outbound]:
    translator = catalogs[settings.locale]
    channels: list[Outbound] = []
    if settings.telegram_bot_token is not None:
        from bot.telegram import TelegramChannel

        channels.append(
            TelegramChannel(
                token=settings.telegram_bot_token.get_secret_value(),
                handler=core,
                base_url=settings.telegram_api_base_url,
                webhook_url=settings.telegram_webhook_url,
                webhook_secret=_secret(settings.telegram_webhook_secret),
                webhook_path=settings.telegram_webhook_local_path,
                command_menus=command_menus(core, translator),
                privileged_chats=lambda: privileged_chats(core, "telegram"),
                on_blocked=lambda chat_id: mark_blocked(core, "telegram", chat_id),
                translator=translator,
                proactive_rate=settings.telegram_send_rate,
            )
        )
    if settings.zalo_bot_token is not None:
        from bot.zalo import ZaloChannel

        channels.append(
            ZaloChannel(
                token=settings.zalo_bot_token.get_secret_value(),
                handler=core,
                base_url=settings.zalo_api_base_url or "https://bot-api.zaloplatforms.com",
                webhook_url=settings.zalo_webhook_url,
                webhook_secret=_secret(settings.zalo_webhook_secret),
                webhook_path=settings.zalo_webhook_local_path,
                public_base_url=settings.public_base_url,
                send_rate_per_second=settings.zalo_send_rate,
                translate=translator.gettext,
            )
        )
    return channels


def _secret(value) -> str | None:  # type: ignore[no-untyped-def]
    return value.get_secret_value() if value is not None else None


async def privileged_chats(core: Core, channel: str) -> Sequence[tuple[str, str]]:
    """(chat id, role) of the officers and admins on `channel`, for their own command lists."""
    async with core.sessions() as session:
        rows = await session.execute(
            select(User.chat_id, User.role).where(
                User.channel == channel, User.role.in_(("officer", "admin"))
            )
        )
        return [(chat_id, role) for chat_id, role in rows]


async def mark_blocked(core: Core, channel: str, chat_id: str) -> None:
    """Remember that this chat blocked the bot; cleared when the user writes again (core)."""
    async with core.sessions() as session, session.begin():
        await session.execute(
            update(User)
            .where(User.channel == channel, User.chat_id == chat_id)
            .values(blocked_at=core.services.clock())
        )
