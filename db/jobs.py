"""The job board's tables and queries: job notices (shown until their deadline) and the
households' job-seeker profiles, and who a new notice goes to (matching seekers, households
subscribed to "Việc làm" of its ward; db/broadcasts.py holds the subscriptions).

Every function takes the caller's session; none commits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    and_,
    delete,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db import outbox
from db.broadcasts import Subscription, SubscriptionTopic
from db.models import Base, User


class JobNotice(Base):
    """A job on the board; shown until its deadline (local date) has passed."""

    __tablename__ = "job_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    employer: Mapped[str] = mapped_column(String(200))
    workplace: Mapped[str] = mapped_column(String(300))
    ward: Mapped[str | None] = mapped_column(String(64))
    trade: Mapped[str] = mapped_column(String(32), index=True)
    wage_min: Mapped[int | None] = mapped_column(BigInteger)
    wage_max: Mapped[int | None] = mapped_column(BigInteger)
    requirements: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    contact: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class JobSeeker(Base):
    """A household member's short job-seeker profile, kept with their consent."""

    __tablename__ = "job_seekers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    trade: Mapped[str] = mapped_column(String(32))
    ward: Mapped[str | None] = mapped_column(String(64))
    availability: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime]


@dataclass
class NoticeFields:
    """What an admin gives for a job notice (dialog or import row)."""

    title: str
    employer: str
    workplace: str
    ward: str | None
    trade: str
    wage_min: int | None
    wage_max: int | None
    requirements: str | None
    deadline: date
    contact: str


async def add_notice(
    session: AsyncSession, fields: NoticeFields, actor: User | None, now: datetime
) -> JobNotice:
    notice = JobNotice(**asdict(fields), created_by=actor.id if actor else None, created_at=now)
    session.add(notice)
    await session.flush()
    return notice


async def current_notices(
    session: AsyncSession, today: date, *, ward: str | None = None, trade: str | None = None
) -> list[JobNotice]:
    """Notices whose deadline is today or later; a ward filter keeps city-wide ones too."""
    query = select(JobNotice).where(JobNotice.deadline >= today)
    if ward:
        query = query.where(or_(JobNotice.ward == ward, JobNotice.ward.is_(None)))
    if trade:
        query = query.where(JobNotice.trade == trade)
    query = query.order_by(JobNotice.deadline, JobNotice.id)
    return list((await session.execute(query)).scalars())


async def notice(session: AsyncSession, notice_id: int) -> JobNotice | None:
    return await session.get(JobNotice, notice_id)


async def matching_seekers(session: AsyncSession, job: JobNotice) -> list[Any]:
    """(user id, channel, chat id) of seekers subscribed to jobs whose trade matches and whose
    ward is the notice's (either side without a ward matches any)."""
    query = (
        select(User.id, User.channel, User.chat_id)
        .join(JobSeeker, JobSeeker.user_id == User.id)
        .join(SubscriptionTopic, and_(SubscriptionTopic.user_id == User.id,
                                      SubscriptionTopic.topic == "jobs"))
        .where(JobSeeker.trade == job.trade, User.blocked_at.is_(None))
    )
    if job.ward is not None:
        query = query.where(or_(JobSeeker.ward.is_(None), JobSeeker.ward == job.ward))
    return list((await session.execute(query)).all())


async def job_subscribers(session: AsyncSession, job: JobNotice) -> list[Any]:
    """(user id, channel, chat id) of households subscribed to "Việc làm": for a ward's job,
    those of that ward; for a city-wide job, every one of them."""
    query = (
        select(User.id, User.channel, User.chat_id)
        .join(Subscription, Subscription.user_id == User.id)
        .join(SubscriptionTopic, and_(SubscriptionTopic.user_id == User.id,
                                      SubscriptionTopic.topic == "jobs"))
        .where(User.blocked_at.is_(None))
    )
    if job.ward is not None:
        query = query.where(Subscription.ward == job.ward)
    return list((await session.execute(query)).all())


async def queue_matches(
    session: AsyncSession, job: JobNotice, reply_for: Any, now: datetime
) -> int:
    """Queue the notice to every matching subscribed seeker and every household subscribed to
    jobs of its ward (or, for a city-wide job, of any ward), once each (dedup key).
    `reply_for(user_id, fits)`: `fits` when the person's job-seeker profile matches."""
    queued, seen = 0, set()
    seekers = await matching_seekers(session, job)
    fitting = {row.id for row in seekers}
    for row in [*seekers, *await job_subscribers(session, job)]:
        if row.id in seen:
            continue
        seen.add(row.id)
        queued += await outbox.enqueue(
            session, channel=row.channel, chat_id=row.chat_id,
            reply=reply_for(row.id, row.id in fitting), kind="job_notice", now=now,
            user_id=row.id, dedup_key=f"job:{job.id}:{row.id}", group_key=f"job:{job.id}",
        )
    return queued


async def seeker(session: AsyncSession, user_id: int) -> JobSeeker | None:
    return await session.get(JobSeeker, user_id)


async def save_seeker(
    session: AsyncSession, user: User, values: dict[str, Any], now: datetime
) -> JobSeeker:
    """Create or replace `user`'s profile from the profile record's values, by column
    (conversations/job_seeker.py `SEEKER_PROFILE`)."""
    unknown = set(values) - set(JobSeeker.__table__.columns.keys())
    if unknown:  # a field added to the record without its column (and migration)
        raise ValueError(f"job_seekers has no column {', '.join(sorted(unknown))}")
    row = await session.get(JobSeeker, user.id)
    if row is None:
        row = JobSeeker(user_id=user.id)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    await session.flush()
    return row


async def delete_seeker(session: AsyncSession, user_id: int) -> int:
    result = await session.execute(delete(JobSeeker).where(JobSeeker.user_id == user_id))
    return result.rowcount or 0


async def seekers(session: AsyncSession) -> list[JobSeeker]:
    query = select(JobSeeker).order_by(JobSeeker.ward, JobSeeker.trade, JobSeeker.updated_at)
    return list((await session.execute(query)).scalars())
