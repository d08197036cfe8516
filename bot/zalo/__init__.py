"""The Zalo channel: Zalo Bot Platform updates in, the core's replies out.

    channel.py  the adapter the app drives (start/stop, webhook or polling, sending)
    receive.py  updates as the core's `Incoming` events; repeated deliveries recognised
    render.py   a `Reply` as Zalo messages (numbered choices, split texts, media links)
    api.py      the HTTP client of the Zalo Bot API and the parsing of what Zalo sends
and, here, its row in the table of channels (`KIND`): its settings and how it is built.
Facts and sources: shared/domain/channels.md section D.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from bot.channel import ChannelKind, Secret8to256, Url
from bot.zalo.api import DEFAULT_BASE_URL
from bot.zalo.channel import ZaloChannel
from bot.zalo.receive import CAPABILITIES
from bot.zalo.render import split_text

if TYPE_CHECKING:
    from bot.channels import Wiring

__all__ = ["KIND", "ZaloChannel", "split_text"]


def build(wiring: Wiring) -> ZaloChannel:
    return ZaloChannel(
        token=wiring.setting("bot_token"),
        handler=wiring.core,
        base_url=wiring.setting("api_base_url") or DEFAULT_BASE_URL,
        webhook_url=wiring.setting("webhook_url"),
        webhook_secret=wiring.setting("webhook_secret"),
        webhook_path=wiring.webhook_path,
        public_base_url=wiring.settings.public_base_url,
        send_rate_per_second=wiring.setting("send_rate"),
        translate=wiring.translator.gettext,
    )


KIND = ChannelKind(
    "zalo", "Zalo", CAPABILITIES, send_rate=5.0, build=build, webhook=True,
    settings={
        "bot_token": (SecretStr | None, None),  # <bot_id>:<secret>
        "api_base_url": (Url, DEFAULT_BASE_URL),
        "webhook_secret": (Secret8to256, None),  # Zalo takes 8 to 256 characters
    },
)
