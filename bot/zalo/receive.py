"""Zalo receiving: what the Zalo Bot Platform delivers, as the core's `Incoming` events.

Mapping a typed number or label back to a choice is the core's job: typed text is sent on as
`Kind.TEXT`. Zalo retries deliveries, so repeats are recognised by their message id.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from bot.channel import Capabilities
from bot.zalo.api import ZaloEvent
from domain.messages import Incoming, Kind

CHANNEL = "zalo"
# the Zalo Bot Platform delivers text, images and stickers only (channels.md, section D)
CAPABILITIES = Capabilities(frozenset({Kind.TEXT, Kind.PHOTO}))
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
# Reactions are not messages: answering them with "I did not understand" would be noise.
IGNORED_EVENTS = frozenset({"message.reaction.received"})
DEDUP_SECONDS = 300.0  # Zalo retries deliveries; openclaw keeps 5 minutes of keys


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


def dated(update: dict[str, object]) -> bool:
    """Whether the update's message carries a date at all (one that did not parse is bad)."""
    message = update.get("message")
    return isinstance(message, dict) and message.get("date") is not None
