"""Flood limits: a token bucket per person (in the core) and per IP address (the web chat API).

Each person has `burst` tokens, refilled at `per_minute`; an event costs 1, an expensive one
(the ward report with its chart, exports, imports, a policy search) costs more. A person out of
tokens gets one short friendly notice, then their events are dropped, cheaply and before any
database work, until the bucket has refilled enough for the event ("calm"). Nobody's messages
are lost in normal use: a person typing answers, or pressing buttons quickly, stays far below.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from domain.messages import Incoming, Kind

HEAVY_COMMANDS = frozenset({"baocao", "xuattimviec", "dangkykhoahoc"})  # chart, XLSX, counts
HEAVY_CHOICES = ("kq:export:", "off:rx", "menu:off_report")  # exports, the report
HEAVY_COST = 5
SEARCH_COST = 3
MAX_KEYS = 100_000  # beyond this many tracked people, the calmest are forgotten


class Verdict(Enum):
    PASS = "pass"
    NOTICE = "notice"  # first refusal: tell the person once
    DROP = "drop"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    noticed: bool = False


class TokenBuckets:
    """Token buckets by key; `burst` 0 turns the limit off."""

    def __init__(
        self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[object, _Bucket] = {}

    def admit(self, key: object, cost: float = 1.0) -> Verdict:
        if self.burst <= 0:
            return Verdict.PASS
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        # after a refusal, "calm" is half the burst back: not one message let through a flood
        needed = min(cost, self.burst) if not bucket.noticed else max(min(cost, self.burst),
                                                                       self.burst / 2)
        if bucket.tokens >= needed:
            bucket.tokens -= cost
            bucket.noticed = False
            return Verdict.PASS
        if bucket.noticed:
            return Verdict.DROP
        bucket.noticed = True
        return Verdict.NOTICE

    def charge(self, key: object, cost: float) -> None:
        """Extra cost found out after the event was admitted (e.g. it was a search)."""
        bucket = self._buckets.get(key)
        if bucket is not None and self.burst > 0:
            bucket.tokens -= cost

    def _forget_full(self, now: float) -> None:
        full = [k for k, b in self._buckets.items()
                if b.tokens + (now - b.at) * self.rate >= self.burst]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]


def cost_of(event: Incoming) -> float:
    """What an event costs before it is handled; a search is charged after (`SEARCH_COST`)."""
    if event.kind == Kind.DOCUMENT:
        return HEAVY_COST
    if event.kind == Kind.COMMAND or (event.kind == Kind.TEXT and event.text.startswith("/")):
        name = (event.command or event.text[1:].partition(" ")[0]).lower()
        return HEAVY_COST if name in HEAVY_COMMANDS else 1
    if event.kind == Kind.CHOICE and (event.choice or "").startswith(HEAVY_CHOICES):
        return HEAVY_COST
    return 1
