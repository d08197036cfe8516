"""The scheduler runs registered jobs in the configured time zone; housekeeping prunes old
delivery ids so repeated deliveries are still caught within a week."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.scheduler import Scheduler
from db.models import ProcessedUpdate
from domain.messages import Incoming, Kind
from handlers.maintenance import prune_deliveries


async def test_jobs_are_scheduled_in_local_time(app) -> None:  # type: ignore[no-untyped-def]
    scheduler = Scheduler(app.core)
    scheduler.start()
    try:
        jobs = {job.id: job for job in scheduler._scheduler.get_jobs()}
        assert set(jobs) == set(app.core.registry.jobs)
        assert jobs["prune-deliveries"].next_run_time.tzinfo.key == "Asia/Ho_Chi_Minh"
    finally:
        scheduler.stop()


async def test_old_delivery_ids_are_pruned_recent_ones_kept(app, clock) -> None:  # type: ignore[no-untyped-def]
    old = Incoming("telegram", "1001", "1001", Kind.TEXT, "/menu", update_id="old")
    await app.core.handle(old)
    clock.advance(days=8)
    await app.core.handle(Incoming("telegram", "1001", "1001", Kind.TEXT, "/menu",
                                   update_id="new"))
    await prune_deliveries(app.core)
    async with app.core.sessions() as session:
        kept = (await session.execute(select(ProcessedUpdate.update_id))).scalars().all()
    assert kept == ["new"]
    replies = await app.core.handle(Incoming("telegram", "1001", "1001", Kind.TEXT,
                                             "/menu", update_id="new"))
    assert replies == []  # the recent one is still recognised as a repeat (Telegram: dropped)
    async with app.core.sessions() as session:
        count = (await session.execute(select(func.count()).select_from(ProcessedUpdate)))
        assert count.scalar_one() == 1


async def test_kept_web_answers_are_forgotten_after_an_hour(app, clock) -> None:  # type: ignore[no-untyped-def]
    event = Incoming("web", "user-0001", "user-0001", Kind.TEXT, "/menu", update_id="m1")
    first = await app.core.handle(event)
    assert await app.core.handle(event) == first  # a retry within the hour: the same answer
    clock.advance(hours=2)
    await prune_deliveries(app.core)
    assert await app.core.handle(event) == []  # still a repeat, but its answer is gone
    async with app.core.sessions() as session:
        kept = (await session.execute(select(ProcessedUpdate.replies))).scalars().all()
    assert kept == [None]
