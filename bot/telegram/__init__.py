"""The Telegram channel: python-telegram-bot updates in, the core's replies out.

Owns everything Telegram-specific and nothing else, in four parts:
    channel.py  the adapter the app drives (start/stop, webhook, /healthcheck, command menus)
    receive.py  updates as the core's `Incoming` events, in each chat's order
    render.py   a `Reply` as Telegram messages (HTML, keyboards, photos, documents)
    send.py     those messages as API calls within Telegram's limits and failures
and, here, its row in the table of channels (`KIND`): its settings and how it is built.
Facts and sources: shared/domain/channels.md sections A-C.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from bot.channel import ChannelKind, Url
from bot.telegram.channel import CAPABILITIES, PROACTIVE_PER_SECOND, TelegramChannel
from bot.telegram.render import MAX_TEXT, html_chunks, keyboard_rows, split_text
from bot.telegram.send import ChatPacer

if TYPE_CHECKING:
    from bot.channels import Wiring

__all__ = ["KIND", "MAX_TEXT", "ChatPacer", "TelegramChannel", "html_chunks", "keyboard_rows",
           "split_text"]


def build(wiring: Wiring) -> TelegramChannel:
    return TelegramChannel(
        token=wiring.setting("bot_token"),
        handler=wiring.core,
        base_url=wiring.setting("api_base_url"),
        webhook_url=wiring.setting("webhook_url"),
        webhook_secret=wiring.setting("webhook_secret"),
        webhook_path=wiring.webhook_path,
        command_menus=wiring.command_menus(),
        privileged_chats=wiring.privileged_chats,
        on_blocked=wiring.mark_blocked,
        translator=wiring.translator,
        proactive_rate=wiring.setting("send_rate"),
    )


KIND = ChannelKind(
    "telegram", "Telegram", CAPABILITIES, send_rate=25.0, build=build, webhook=True,
    max_send_rate=PROACTIVE_PER_SECOND,
    settings={
        "bot_token": (SecretStr | None, None),
        # a Bot API server of your own, python-telegram-bot's base_url form ending in /bot
        "api_base_url": (Url, None),
    },
)
