"""App-wide services a handler may need beyond its event: loaded content, outbound channels, clock.

Built once by the composition root (bot/app.py) and shared by every event; nothing here is
per-user, so nothing here is mutable per user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain.messages import Kind, Outbound


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """`content` holds validated data files by name; `outbound` maps channel → sender."""

    content: dict[str, Any] = field(default_factory=dict)
    outbound: dict[str, Outbound] = field(default_factory=dict)
    clock: Callable[[], datetime] = utc_now
    # Called after something was queued in the outbox, so delivery starts at once.
    wake_delivery: Callable[[], None] = lambda: None
    # channel → what a person can send on it (bot/channels.py declares it); text where unknown
    receives: dict[str, frozenset[Kind]] = field(default_factory=dict)
