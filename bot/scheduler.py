"""The scheduler: APScheduler (3.x, the library python-telegram-bot's JobQueue wraps) running the
jobs features register (`Registry.job`), in the configured time zone.

One scheduler serves every channel, so reminders and broadcasts do not depend on Telegram being
configured. What is due lives in the database; each job claims its rows atomically, so a second
process running the same schedule never sends the same item twice, and a restart loses nothing.
With several processes on one database, a run also holds the job's lease (db/coordination.py:
an advisory lock on PostgreSQL, a lock file beside SQLite): a process whose schedule fires while
another is running the same job skips that run instead of doing the same work beside it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from db.coordination import Lease
from handlers.core import Core
from handlers.registry import Job

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("giamngheo.scheduler")


class Scheduler:
    def __init__(
        self, core: Core, engine: AsyncEngine | None = None, *,
        first_run_at: datetime | None = None,
    ) -> None:
        self.core = core
        self.engine = engine
        self.first_run_at = first_run_at  # tests: every job fires at this moment first
        self._scheduler = AsyncIOScheduler(timezone=core.settings.tz)

    def start(self) -> None:
        for job in self.core.registry.jobs.values():
            first = {"next_run_time": self.first_run_at} if self.first_run_at else {}
            self._scheduler.add_job(
                self._run, self._trigger(job), args=[job], id=job.name,
                coalesce=True, max_instances=1, misfire_grace_time=3600, **first,
            )
        self._scheduler.start()

    def _trigger(self, job: Job) -> IntervalTrigger | CronTrigger:
        if job.minutes is not None:
            return IntervalTrigger(minutes=job.minutes, timezone=self.core.settings.tz)
        hour, minute = (int(part) for part in (job.at or "0:0").split(":"))
        return CronTrigger(hour=hour, minute=minute, timezone=self.core.settings.tz)

    async def _run(self, job: Job) -> None:
        lease = Lease(self.engine, f"job:{job.name}") if self.engine is not None else None
        try:
            if lease is not None and not await lease.try_acquire():
                log.info("job %s skipped: another process is running it", job.name)
                return
            await job.run(self.core)
        except Exception:  # noqa: BLE001 - one failed run must not stop the schedule
            log.exception("job %s failed", job.name)
        finally:
            if lease is not None:
                await lease.release()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
