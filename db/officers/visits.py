"""The visit log (`household_visits`) and the officers' reminders (`officer_reminders`): logging
a visit with its follow-up, the households an officer visited lately, planning, claiming,
snoozing and closing reminders, and the weekly digest's counts.

Functions take the event's session and do not commit; every change by a person writes an audit
row (`db.users.audit`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, User
from db.officers.households import Household, in_scope
from db.users import audit


class HouseholdVisit(Base):
    """One visit: kind, note, an optional proposed category, photo (the platform's file id, not
    bytes), location and follow-up date. `ward` is the household's, kept for the report."""

    __tablename__ = "household_visits"
    __table_args__ = (
        Index("ix_household_visits_household_time", "household_id", "visited_at"),
        Index("ix_household_visits_time_ward", "visited_at", "ward"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    ward: Mapped[str] = mapped_column(String(64))
    officer_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_category: Mapped[str | None] = mapped_column(String(16))
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    visited_at: Mapped[datetime]



class OfficerReminder(Base):
    """Something to remind an officer of at `due_at`: pending → sent → done.

    `key` (unique) names a recurring reminder (digest of a week, report of a month, review of a
    year), so planning it twice is a no-op; snoozing moves `due_at` and makes it pending again.
    """

    __tablename__ = "officer_reminders"
    __table_args__ = (
        Index("ix_officer_reminders_due", "status", "due_at"),
        Index("ix_officer_reminders_user", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str | None] = mapped_column(String(160), unique=True)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    sent_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime]



async def add_visit(
    session: AsyncSession, household: Household, officer: User, values: dict[str, Any],
    now: datetime, follow_up_due: datetime | None,
) -> HouseholdVisit:
    """Log a visit (with an audit row) and, with a follow-up date, its reminder."""
    visit = HouseholdVisit(
        household_id=household.id, ward=household.ward, officer_user_id=officer.id,
        visited_at=now, **values,
    )
    session.add(visit)
    await session.flush()
    after = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    await audit(session, officer, "visit.add", "household_visit", visit.id, now,
                after={"household_id": household.id, **after})
    if follow_up_due is not None:
        session.add(OfficerReminder(
            user_id=officer.id, kind="follow_up", household_id=household.id,
            key=f"follow_up:{visit.id}", due_at=follow_up_due, status="pending", created_at=now,
        ))
    return visit


async def last_visits(
    session: AsyncSession, household_id: int, limit: int
) -> list[HouseholdVisit]:
    query = (
        select(HouseholdVisit).where(HouseholdVisit.household_id == household_id)
        .order_by(HouseholdVisit.visited_at.desc(), HouseholdVisit.id.desc()).limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def recent_households(
    session: AsyncSession, officer_id: int, wards: Sequence[str] | None, limit: int
) -> list[Household]:
    """The households this officer visited most recently, newest first."""
    last = (
        select(HouseholdVisit.household_id, func.max(HouseholdVisit.visited_at).label("last"))
        .where(HouseholdVisit.officer_user_id == officer_id)
        .group_by(HouseholdVisit.household_id)
        .subquery()
    )
    query = in_scope(
        select(Household).join(last, last.c.household_id == Household.id), wards
    ).order_by(last.c.last.desc()).limit(limit)
    return list((await session.execute(query)).scalars())



async def plan_reminder(
    session: AsyncSession, user_id: int, kind: str, key: str, due_at: datetime, now: datetime
) -> bool:
    """Add a recurring reminder once (by `key`); False when it was planned before."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = insert(OfficerReminder).values(
        user_id=user_id, kind=kind, key=key, due_at=due_at, status="pending", created_at=now,
    ).on_conflict_do_nothing(index_elements=["key"])
    return bool((await session.execute(statement)).rowcount)



async def claim_due_reminders(
    session: AsyncSession, now: datetime, limit: int = 500
) -> list[OfficerReminder]:
    """Mark due pending reminders as sent and return them. The conditional UPDATE is the claim:
    a second process that read the same row updates nothing and skips it."""
    query = (
        select(OfficerReminder)
        .where(OfficerReminder.status == "pending", OfficerReminder.due_at <= now)
        .order_by(OfficerReminder.due_at, OfficerReminder.id).limit(limit)
    )
    claimed = []
    for reminder in list((await session.execute(query)).scalars()):
        result = await session.execute(
            update(OfficerReminder)
            .where(OfficerReminder.id == reminder.id, OfficerReminder.status == "pending")
            .values(status="sent", sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            await session.refresh(reminder)
            claimed.append(reminder)
    return claimed


async def open_reminders(session: AsyncSession, user_id: int) -> list[OfficerReminder]:
    query = (
        select(OfficerReminder)
        .where(OfficerReminder.user_id == user_id, OfficerReminder.status != "done")
        .order_by(OfficerReminder.due_at, OfficerReminder.id)
    )
    return list((await session.execute(query)).scalars())


async def own_reminder(
    session: AsyncSession, user_id: int, reminder_id: int
) -> OfficerReminder | None:
    query = select(OfficerReminder).where(
        OfficerReminder.id == reminder_id, OfficerReminder.user_id == user_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def finish_reminder(
    session: AsyncSession, reminder: OfficerReminder, actor: User, now: datetime
) -> None:
    before = {"status": reminder.status}
    reminder.status, reminder.done_at = "done", now
    await audit(session, actor, "reminder.done", "officer_reminder", reminder.id, now,
                before=before, after={"status": "done"})


async def snooze_reminder(
    session: AsyncSession, reminder: OfficerReminder, until: datetime, actor: User,
    now: datetime,
) -> None:
    before = {"status": reminder.status, "due_at": reminder.due_at.isoformat()}
    reminder.status, reminder.due_at = "pending", until
    await audit(session, actor, "reminder.snooze", "officer_reminder", reminder.id, now,
                before=before, after={"status": "pending", "due_at": until.isoformat()})


async def digest_counts(
    session: AsyncSession, officer_id: int, wards: Sequence[str], cutoff: datetime,
    until: date,
) -> tuple[int, int]:
    """For the weekly digest: households (assigned to the officer or to nobody) in `wards` not
    visited since `cutoff`, and the officer's follow-ups due by `until`."""
    not_visited = await session.execute(
        select(func.count()).select_from(Household).where(
            Household.ward.in_(list(wards)),
            (Household.officer_user_id == officer_id) | Household.officer_user_id.is_(None),
            ~visited_since(cutoff),
        )
    )
    follow_ups = await session.execute(
        select(func.count()).select_from(HouseholdVisit).where(
            HouseholdVisit.officer_user_id == officer_id,
            HouseholdVisit.follow_up_on.is_not(None),
            HouseholdVisit.follow_up_on <= until,
            HouseholdVisit.follow_up_on >= cutoff.date(),
        )
    )
    return not_visited.scalar_one(), follow_ups.scalar_one()


def visited_since(cutoff: datetime) -> Any:
    """The condition "the household was visited at or after `cutoff`"."""
    return exists().where(
        HouseholdVisit.household_id == Household.id, HouseholdVisit.visited_at >= cutoff
    )
