"""Delivery of the outbox: the one worker that sends what the bot says on its own.

It claims due rows (db/outbox.py), sends each through its channel's `Outbound` at no more than
the channel's configured rate, and records the outcome: sent; blocked (the platform said the
user blocked the bot — they are skipped from then on); pending again after the platform's
retry_after, or after a growing backoff for a passing failure; failed after `max_attempts`.
Rows are claimed before sending and recorded right after, so a crash re-sends at most the
messages that were in flight, and a restart resumes where delivery stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update

from conversations.messages import DeliveryError
from db import outbox
from db.models import OutboxMessage, User
from handlers.core import Core

log = logging.getLogger("giamngheo.delivery")

DEFAULT_RATES = {"telegram": 25.0, "zalo": 5.0, "web": 100.0, "console": 100.0}


class Pacer:
    """At most `rate` sends per second, evenly spaced."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            if self._next > now:
                await asyncio.sleep(self._next - now)
                now = loop.time()
            self._next = max(self._next, now) + self.interval


class Delivery:
    def __init__(
        self,
        core: Core,
        rates: Mapping[str, float] | None = None,
        *,
        batch: int = 100,
        concurrency: int = 16,
        max_attempts: int = 5,
        idle_seconds: float = 1.0,
    ) -> None:
        self.core = core
        self.rates = {**DEFAULT_RATES, **(rates or {})}
        self.batch = batch
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.idle_seconds = idle_seconds
        self._pacers: dict[str, Pacer] = {}
        # After a 429 the platform wants silence on that channel until then (app clock).
        self._paused_until: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def pacer(self, channel: str) -> Pacer:
        if channel not in self._pacers:
            self._pacers[channel] = Pacer(self.rates.get(channel, 5.0))
        return self._pacers[channel]

    def wake(self) -> None:
        """Something was queued: look now instead of at the next idle tick."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception:  # noqa: BLE001 - the worker must outlive one bad batch
                log.exception("delivery batch failed")
                sent = 0
            if sent == 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle_seconds)
                except TimeoutError:
                    pass

    async def run_once(self) -> int:
        """Claim one batch of due rows and deliver it; returns how many rows were handled."""
        now = self.core.services.clock()
        async with self.core.sessions() as session, session.begin():
            rows = await outbox.claim(session, now, self.batch)
            blocked = await _blocked_users(session, [r.user_id for r in rows if r.user_id])
        if not rows:
            return 0
        limit = asyncio.Semaphore(self.concurrency)

        async def one(row: OutboxMessage) -> None:
            async with limit:
                await self._deliver(row, row.user_id in blocked)

        await asyncio.gather(*(one(row) for row in rows))
        return len(rows)

    async def _deliver(self, row: OutboxMessage, blocked: bool) -> None:
        channel = self.core.services.outbound.get(row.channel)
        if blocked:
            return await self._finish(row, "blocked", "recipient blocked the bot")
        if channel is None:
            return await self._retry(row, "channel not running here", None)
        paused = self._paused_until.get(row.channel)
        if paused is not None and paused > self.core.services.clock():
            return await self._finish(row, "pending", row.last_error, paused, count=False)
        await self.pacer(row.channel).wait()
        try:
            await channel.send(row.chat_id, outbox.payload_to_reply(row.payload))
        except DeliveryError as exc:
            if exc.permanent:
                return await self._finish(row, "blocked", exc.reason[:200])
            if exc.retry_after:
                self._paused_until[row.channel] = self.core.services.clock() + timedelta(
                    seconds=exc.retry_after
                )
            return await self._retry(row, exc.reason[:200], exc.retry_after)
        except Exception as exc:  # noqa: BLE001 - an adapter bug must not lose the row
            log.error("delivery error channel=%s error=%s", row.channel, type(exc).__name__)
            return await self._retry(row, type(exc).__name__, None)
        await self._finish(row, "sent", None)

    async def _retry(self, row: OutboxMessage, error: str, retry_after: float | None) -> None:
        if row.attempts + 1 >= self.max_attempts:
            return await self._finish(row, "failed", error)
        wait = retry_after if retry_after else min(300.0, 2.0 ** (row.attempts + 1))
        retry_at = self.core.services.clock() + timedelta(seconds=wait)
        await self._finish(row, "pending", error, retry_at)

    async def _finish(
        self, row: OutboxMessage, status: str, error: str | None,
        retry_at: datetime | None = None, *, count: bool = True,
    ) -> None:
        async with self.core.sessions() as session, session.begin():
            await outbox.finish(session, [row.id], status, self.core.services.clock(), error,
                                retry_at, count=count)
            if status == "blocked" and row.user_id is not None:
                await session.execute(
                    update(User).where(User.id == row.user_id, User.blocked_at.is_(None))
                    .values(blocked_at=self.core.services.clock())
                )


async def _blocked_users(session, user_ids: list[int]) -> set[int]:  # type: ignore[no-untyped-def]
    if not user_ids:
        return set()
    query = select(User.id).where(User.id.in_(user_ids), User.blocked_at.is_not(None))
    return set((await session.execute(query)).scalars())
