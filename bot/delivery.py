"""Delivery of the outbox: the one worker that sends what the bot says on its own.

One process at a time delivers: the leader, holding the "delivery" lease (db/coordination.py: a
PostgreSQL advisory lock, or a lock file beside a SQLite database). So the channel's rate is a
global send budget, not one per process: two processes do not send 2 × 25 messages/s to one
Telegram bot. The others try to take the lease over every `takeover_seconds`; a leader that is
killed loses it at once (its connection or file descriptor dies with it). A new leader waits one
second before its first send, so the old leader's last second and its own first never add up
within one second. Other processes wake the leader with NOTIFY (PostgreSQL) when they queue
something; on SQLite the leader looks every `idle_seconds`.

Claims are heartbeaten (every `heartbeat_seconds`); a dead worker's claims are recovered by the
next claim once they are `stale_seconds` old (db/outbox.py): rows it never handed to the platform
are sent again, rows it had handed over (`inflight`, recorded just before each call) are not,
since the platform may have accepted them.

It claims due rows (db/outbox.py), sends each through its channel's `Outbound` at no more than
the channel's configured rate, and records the outcome: sent; blocked (the platform said the
user blocked the bot — they are skipped from then on); pending again after the platform's
retry_after, or after a growing backoff for a passing failure; failed after `max_attempts`.
Rows are claimed before sending and recorded right after, so a crash re-sends at most the
messages that were in flight, and a restart resumes where delivery stopped. A graceful stop
(`stop`) lets sends under way finish and puts the rest back, so it repeats nothing.

At a high rate (a broadcast at 200 messages/s) outcomes are written by group commit: whoever
writes takes every outcome recorded meanwhile, in one transaction. The next batch is claimed
while the current one is still being sent, so the pace has no gaps between batches. A photo or
file a row refers to ({"media": id}) is loaded once and kept in memory while it is sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.pacing import Pacer, SlidingWindow
from db import coordination, outbox, users
from db.models import OutboxMessage
from db.outbox import OutboxMedia
from domain.messages import DeliveryError
from handlers.core import Core, KeyedLocks

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("giamngheo.delivery")

MEDIA_CACHE = 8  # photos/files of broadcasts kept in memory while their rows are sent


@dataclass(slots=True)
class _Outcome:
    """The result of one row, waiting to be written with others in one transaction."""

    row_id: int
    user_id: int | None
    status: str
    error: str | None
    retry_at: datetime | None
    count: bool
    written: bool = False


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
        stop_seconds: float = 10.0,
        engine: AsyncEngine | None = None,
        heartbeat_seconds: float = 10.0,
        stale_seconds: float = outbox.STALE_CLAIM.total_seconds(),
        takeover_seconds: float = 2.0,
        handover_seconds: float = 1.0,
    ) -> None:
        self.core = core
        # Each channel's own rate from the table of channels (bot/channels.py), unless given:
        # the app gives the running channels' (TELEGRAM_SEND_RATE, ...).
        defaults = {kind.name: kind.send_rate for kind in core.settings.channel_kinds}
        self.rates = {**defaults, **(rates or {})}
        self.batch = batch
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.idle_seconds = idle_seconds
        self.stop_seconds = stop_seconds
        self._pacers: dict[str, Pacer] = {}
        # After a 429 the platform wants silence on that channel until then (app clock).
        self._paused_until: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._limit = asyncio.Semaphore(concurrency)
        self._chats = KeyedLocks()
        self._waiting = 0  # claimed rows not yet being worked on
        self._room = asyncio.Event()
        self._stopping = False
        self._batches: set[asyncio.Task[None]] = set()
        self._outcomes: list[_Outcome] = []
        self._write_lock = asyncio.Lock()
        self._media: dict[int, OutboxMedia] = {}
        self._windows: dict[str, SlidingWindow] = {}
        # Without an engine (tests driving run_once) this worker is the only one: no lease.
        self.engine = engine
        self.lease = coordination.Lease(engine, "delivery") if engine is not None else None
        self.heartbeat_seconds = heartbeat_seconds
        self.stale = timedelta(seconds=stale_seconds)
        self.takeover_seconds = takeover_seconds
        self.handover_seconds = handover_seconds
        self._claimed: set[int] = set()  # rows claimed here and not yet recorded
        self._heartbeat_task: asyncio.Task[None] | None = None

    def pacer(self, channel: str) -> Pacer:
        if channel not in self._pacers:
            self._pacers[channel] = Pacer(self.rates.get(channel, 5.0))
        return self._pacers[channel]

    def window(self, channel: str) -> SlidingWindow:
        if channel not in self._windows:
            self._windows[channel] = SlidingWindow(self.rates.get(channel, 5.0))
        return self._windows[channel]

    @property
    def leading(self) -> bool:
        return self.lease is None or self.lease.held

    def wake(self) -> None:
        """Something was queued: look now instead of at the next idle tick (the leader is told
        through NOTIFY when it is another process)."""
        self._wake.set()
        if not self.leading and self.engine is not None:
            coordination.spawn_notify(self.engine)

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="delivery")
        self._heartbeat_task = asyncio.create_task(self._heartbeats(), name="delivery-heartbeat")

    async def stop(self) -> None:
        """Stop claiming; rows not yet handed to a channel go back to pending at once, sends
        already under way finish and are recorded (within `stop_seconds`), so a restart
        neither loses nor repeats them."""
        self._stopping = True
        self._wake.set()
        self._room.set()
        if self._task is not None:
            await asyncio.wait({self._task}, timeout=self.stop_seconds)
        tasks = {task for task in (self._task, *self._batches) if task is not None}
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=self.stop_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self._task = None
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            await asyncio.gather(self._heartbeat_task, return_exceptions=True)
            self._heartbeat_task = None
        if self.lease is not None:
            await self.lease.release()  # another process may lead at once

    async def _loop(self) -> None:
        while not self._stopping:
            if not await self._lead():
                await self._sleep(self.takeover_seconds)
                continue
            try:
                await self._deliver_while_leading()
            except Exception:  # noqa: BLE001 - keep trying to lead
                log.exception("delivery loop failed")
                await self._sleep(self.idle_seconds)

    async def _lead(self) -> bool:
        """Hold the delivery lease (at once when there is none to hold)."""
        if self.lease is None or self.lease.held:
            return True
        try:
            if not await self.lease.try_acquire():
                return False
        except Exception as exc:  # noqa: BLE001 - the database may be briefly away
            log.warning("delivery: lease not taken error=%s", type(exc).__name__)
            return False
        log.info("delivery: this process is now the delivery leader")
        await self.lease.listen(self._wake.set)
        await self._sleep(self.handover_seconds)  # the previous leader's last second
        return True

    async def _deliver_while_leading(self) -> None:
        # Pipelined: the next batch is claimed while the current one is still being sent, so
        # the channel's pace has no gap between batches.
        while not self._stopping:
            if not self.leading:
                return  # the lease was lost (see _heartbeats): another process may lead now
            try:
                rows, blocked = await self._claim()
            except Exception:  # noqa: BLE001 - the worker must outlive one bad batch
                log.exception("delivery claim failed")
                rows, blocked = [], set()
            if rows:
                task = asyncio.create_task(self._deliver_all(rows, blocked))
                self._batches.add(task)
                task.add_done_callback(self._batches.discard)
                await self._until_room()
                continue
            self._wake.clear()
            await self._sleep(self.idle_seconds)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass

    async def _heartbeats(self) -> None:
        """Every `heartbeat_seconds`: is the lease still held, and refresh our claims."""
        while not self._stopping:
            await asyncio.sleep(self.heartbeat_seconds)
            if self.lease is not None and self.lease.held and not await self.lease.alive():
                self._wake.set()  # the loop steps down
            if not self._claimed:
                continue
            try:
                async with self.core.sessions() as session, session.begin():
                    await outbox.heartbeat(session, sorted(self._claimed),
                                           self.core.services.clock())
            except Exception as exc:  # noqa: BLE001 - the next heartbeat tries again
                # ids and SQL only, no personal data in these messages
                log.warning("delivery heartbeat failed error=%s %s", type(exc).__name__,
                            str(exc).splitlines()[0][:200])

    async def _until_room(self) -> None:
        while self._waiting > self.batch // 2 and not self._stopping:
            self._room.clear()
            await self._room.wait()

    async def run_once(self) -> int:
        """Claim one batch of due rows and deliver it; returns how many rows were handled."""
        rows, blocked = await self._claim()
        if rows:
            await self._deliver_all(rows, blocked)
        return len(rows)

    async def _claim(self) -> tuple[list[OutboxMessage], set[int]]:
        now = self.core.services.clock()
        async with self.core.sessions() as session, session.begin():
            rows = await outbox.claim(session, now, self.batch, self.stale)
            blocked = await users.blocked_among(session, [r.user_id for r in rows if r.user_id])
            wanted = {r.payload["media"] for r in rows if r.payload.get("media")}
            wanted -= set(self._media)
            if len(self._media) + len(wanted) > MEDIA_CACHE:
                self._media.clear()
            self._media.update(await outbox.load_media(session, sorted(wanted)))
        self._claimed.update(row.id for row in rows)
        return rows, blocked

    async def _deliver_all(self, rows: list[OutboxMessage], blocked: set[int]) -> None:
        self._waiting += len(rows)

        async def one(row: OutboxMessage) -> None:
            # One chat's messages go out in the order they were queued (a course moved, then
            # cancelled, must not read the other way round); different chats in parallel.
            async with self._chats.hold((row.channel, row.chat_id)), self._limit:
                self._waiting -= 1
                if self._waiting <= self.batch // 2:
                    self._room.set()
                try:
                    await self._deliver(row, row.user_id in blocked)
                finally:  # recorded, or left for recovery once its heartbeat stops
                    self._claimed.discard(row.id)

        results = await asyncio.gather(*(one(row) for row in rows), return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                log.error("delivery: outcome not recorded error=%s", type(result).__name__)

    async def _deliver(self, row: OutboxMessage, blocked: bool) -> None:
        channel = self.core.services.outbound.get(row.channel)
        if self._stopping or not self.leading:
            return await self._put_back(row)
        if blocked:
            return await self._finish(row, "blocked", "recipient blocked the bot")
        if channel is None:
            return await self._retry(row, "channel not running here", None)
        paused = self._paused_until.get(row.channel)
        if paused is not None and paused > self.core.services.clock():
            return await self._finish(row, "pending", row.last_error, paused, count=False)
        await self.pacer(row.channel).wait()
        if self._stopping or not self.leading:
            return await self._put_back(row)
        media = self._media.get(row.payload.get("media") or 0)
        await self._record(row, "inflight", None)  # from here on, a crash does not repeat it
        # The hard cap right before the call: a record that took longer than usual must not
        # let sends bunch up at the platform (bench/broadcast: 10 × 429 at 30/s otherwise).
        await self.window(row.channel).acquire()
        try:
            await channel.send(row.chat_id, outbox.payload_to_reply(row.payload, media))
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

    async def _put_back(self, row: OutboxMessage) -> None:
        """Stopping: a row never handed to its channel is due again at once, not counted."""
        await self._finish(row, "pending", row.last_error, self.core.services.clock(),
                           count=False)

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
        """Record the outcome before returning. Outcomes that arrive while another is being
        written are written together next (group commit): one transaction per few rows at a
        high rate, one per row at a low one, and never a send without its record pending."""
        await self._record(row, status, error, retry_at, count=count)

    async def _record(
        self, row: OutboxMessage, status: str, error: str | None,
        retry_at: datetime | None = None, *, count: bool = True,
    ) -> None:
        outcome = _Outcome(row.id, row.user_id, status, error, retry_at, count)
        self._outcomes.append(outcome)
        async with self._write_lock:
            if outcome.written:
                return
            batch, self._outcomes = self._outcomes, []
            try:
                await self._write(batch)
            except Exception:
                self._outcomes[:0] = batch  # the next writer tries them again
                raise
            for done in batch:
                done.written = True

    async def _write(self, batch: list[_Outcome]) -> None:
        now = self.core.services.clock()
        groups: dict[tuple[str, str | None, datetime | None, bool], list[int]] = {}
        for o in batch:
            groups.setdefault((o.status, o.error, o.retry_at, o.count), []).append(o.row_id)
        newly_blocked = [o.user_id for o in batch if o.status == "blocked" and o.user_id]
        async with self.core.sessions() as session, session.begin():
            for (status, error, retry_at, count), ids in groups.items():
                if status == "inflight":
                    await outbox.mark_inflight(session, ids, now)
                else:
                    await outbox.finish(session, ids, status, now, error, retry_at,
                                        count=count)
            if newly_blocked:
                await users.mark_blocked(session, newly_blocked, now)

