"""Vocational courses and the households' registrations for them: tables and queries.

Owns: `Course` (the catalogue the labour office keeps: dates, place, capacity, support text
with its source, status) and `CourseRegistration` (one person on one course: registered, on
the waitlist, or cancelled, with a short code like "KH-7Q3M"), and every query on them.

Capacity holds under concurrent sign-ups: `register`, `cancel` and `delete_for_user` lock the
course row first (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already makes
writers take turns), then count. Cancelling a place promotes the first on the waitlist in the
same transaction; the caller tells the promoted person through the outbox.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db import users
from db.models import Base, User

STATUSES = ("open", "closed", "cancelled")
REGISTERED, WAITLIST, CANCELLED = "registered", "waitlist", "cancelled"
ACTIVE = (REGISTERED, WAITLIST)

# No 0/O, 1/I/L: a code read out over the phone is not misheard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 4

# A change to one of these "moves" the course: its registrants are told.
MOVE_FIELDS = frozenset({"starts_on", "ends_on", "schedule", "place"})


class Course(Base):
    """A vocational course (sơ cấp or under 3 months) in the labour office's catalogue."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    trade: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    schedule: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(Text)
    ward: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date | None] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(Text)
    support: Mapped[str] = mapped_column(Text)
    support_source: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def accepting(self, today: date) -> bool:
        """Open, before its deadline (inclusive) and not started."""
        last_day = self.deadline or self.starts_on
        return self.status == "open" and today <= last_day and today <= self.starts_on

    def values(self) -> dict[str, Any]:
        """The editable fields as JSON values (dates as ISO text), for audit rows and dialogs."""
        out: dict[str, Any] = {}
        for name in COURSE_FIELDS:
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, date) else value
        return out


# The course fields an admin edits (dialog or import): every column but the id and timestamps.
COURSE_FIELDS = tuple(name for name in Course.__table__.columns.keys()
                      if name not in ("id", "created_at", "updated_at"))
DATE_FIELDS = frozenset(column.key for column in Course.__table__.columns
                        if isinstance(column.type, Date))


class CourseRegistration(Base):
    """One person's sign-up for one course (personal data: shown and deleted on request)."""

    __tablename__ = "course_registrations"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(128))
    birth_year: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(16))
    ward: Mapped[str | None] = mapped_column(String(64))
    household: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    consent_at: Mapped[datetime]
    created_at: Mapped[datetime]
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class CourseError(Exception):
    """A sign-up or change that cannot happen: `reason` is "not_found", "closed" or "duplicate"."""

    def __init__(self, reason: str, existing: CourseRegistration | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.existing = existing


@dataclass(frozen=True)
class Counts:
    registered: int = 0
    waitlist: int = 0


# --- courses -----------------------------------------------------------------------------------


def _column_values(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name in COURSE_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name in DATE_FIELDS and isinstance(value, str):
            value = date.fromisoformat(value) if value else None
        out[name] = value
    return out


async def course(session: AsyncSession, course_id: int, *, lock: bool = False) -> Course | None:
    query = select(Course).where(Course.id == course_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def course_by_code(session: AsyncSession, code: str) -> Course | None:
    query = select(Course).where(func.upper(Course.code) == code.strip().upper())
    return (await session.execute(query)).scalar_one_or_none()


async def courses(session: AsyncSession, *, accepting_on: date | None = None) -> list[Course]:
    """Every course, soonest first; with `accepting_on`, only those taking sign-ups that day."""
    query = select(Course).order_by(Course.starts_on, Course.id)
    found = list((await session.execute(query)).scalars())
    if accepting_on is None:
        return found
    return [c for c in found if c.accepting(accepting_on)]


async def add_course(
    session: AsyncSession, values: dict[str, Any], actor: User | None, now: datetime
) -> Course:
    """Create a course from field values (dates as ISO text or dates) and audit it."""
    row = Course(**_column_values(values), created_at=now, updated_at=now)
    row.status = row.status or "open"
    session.add(row)
    await session.flush()
    await users.audit(session, actor, "course.add", "course", row.id, now, after=row.values())
    return row


async def update_course(
    session: AsyncSession, row: Course, values: dict[str, Any], actor: User | None,
    now: datetime,
) -> set[str]:
    """Apply changed field values, audit before/after; returns the names of changed fields."""
    before = row.values()
    for name, value in _column_values(values).items():
        setattr(row, name, value)
    after = row.values()
    changed = {name for name in COURSE_FIELDS if before[name] != after[name]}
    if changed:
        row.updated_at = now
        await users.audit(session, actor, "course.edit", "course", row.id, now,
                          before={k: before[k] for k in changed},
                          after={k: after[k] for k in changed})
    return changed


async def counts(session: AsyncSession) -> dict[int, Counts]:
    """Active registrations per course: registered and waiting."""
    query = (
        select(CourseRegistration.course_id, CourseRegistration.status, func.count())
        .where(CourseRegistration.status.in_(ACTIVE))
        .group_by(CourseRegistration.course_id, CourseRegistration.status)
    )
    found: dict[int, dict[str, int]] = {}
    for course_id, status, n in await session.execute(query):
        found.setdefault(course_id, {})[status] = n
    return {
        course_id: Counts(by.get(REGISTERED, 0), by.get(WAITLIST, 0))
        for course_id, by in found.items()
    }


async def count_for(session: AsyncSession, course_id: int) -> Counts:
    return (await counts(session)).get(course_id, Counts())


# --- registrations -----------------------------------------------------------------------------


async def registration(session: AsyncSession, registration_id: int) -> CourseRegistration | None:
    return await session.get(CourseRegistration, registration_id)


async def registration_by_code(session: AsyncSession, code: str) -> CourseRegistration | None:
    query = select(CourseRegistration).where(
        CourseRegistration.code == code.strip().upper()
    )
    return (await session.execute(query)).scalar_one_or_none()


async def active_for(
    session: AsyncSession, course_id: int, user_id: int, phone: str | None = None
) -> CourseRegistration | None:
    """The active registration of this user (or this phone number) on the course, if any."""
    person = CourseRegistration.user_id == user_id
    if phone:
        person = person | (CourseRegistration.phone == phone)
    query = select(CourseRegistration).where(
        CourseRegistration.course_id == course_id, CourseRegistration.status.in_(ACTIVE), person
    )
    return (await session.execute(query)).scalars().first()


async def waitlist_position(session: AsyncSession, row: CourseRegistration) -> int | None:
    """1 for the first in line; None when the registration is not waiting."""
    if row.status != WAITLIST:
        return None
    query = select(func.count()).where(
        CourseRegistration.course_id == row.course_id,
        CourseRegistration.status == WAITLIST,
        (CourseRegistration.created_at < row.created_at)
        | ((CourseRegistration.created_at == row.created_at)
           & (CourseRegistration.id < row.id)),
    )
    return int((await session.execute(query)).scalar_one()) + 1


async def _new_code(session: AsyncSession) -> str:
    while True:
        code = "KH-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if await registration_by_code(session, code) is None:
            return code


async def register(
    session: AsyncSession, course_id: int, user: User, person: dict[str, Any], now: datetime,
    today: date,
) -> CourseRegistration:
    """Sign `user` up (a place while there is one, else the waitlist).

    `person`: the registration record's values by column (conversations/courses.py
    `REGISTRATION`), its phone among them. Raises CourseError "not_found", "closed" (not taking
    sign-ups) or "duplicate" (this user or phone is already on the course, `existing`).
    """
    unknown = set(person) - set(CourseRegistration.__table__.columns.keys())
    if unknown:  # a field added to the record without its column (and migration)
        raise ValueError(f"course_registrations has no column {', '.join(sorted(unknown))}")
    row = await course(session, course_id, lock=True)
    if row is None:
        raise CourseError("not_found")
    if not row.accepting(today):
        raise CourseError("closed")
    existing = await active_for(session, course_id, user.id, person.get("phone"))
    if existing is not None:
        raise CourseError("duplicate", existing)
    taken = (await count_for(session, course_id)).registered
    status = REGISTERED if taken < row.capacity else WAITLIST
    query = select(CourseRegistration).where(
        CourseRegistration.course_id == course_id, CourseRegistration.user_id == user.id
    )
    reg = (await session.execute(query)).scalar_one_or_none()
    if reg is None:  # a cancelled registration of the same person is reused (one row each)
        reg = CourseRegistration(course_id=course_id, user_id=user.id,
                                 code=await _new_code(session))
        session.add(reg)
    for name, value in person.items():
        setattr(reg, name, value)
    reg.status, reg.consent_at, reg.created_at = status, now, now
    reg.promoted_at = reg.cancelled_at = None
    await session.flush()
    return reg


async def _promote(session: AsyncSession, row: Course, now: datetime) -> CourseRegistration | None:
    """Give a free place to the first on the waitlist (course row already locked)."""
    if row.status != "open":
        return None
    if (await count_for(session, row.id)).registered >= row.capacity:
        return None
    query = (
        select(CourseRegistration)
        .where(CourseRegistration.course_id == row.id, CourseRegistration.status == WAITLIST)
        .order_by(CourseRegistration.created_at, CourseRegistration.id)
        .limit(1)
    )
    first = (await session.execute(query)).scalar_one_or_none()
    if first is not None:
        first.status, first.promoted_at = REGISTERED, now
        await session.flush()
    return first


async def cancel(
    session: AsyncSession, reg: CourseRegistration, now: datetime
) -> CourseRegistration | None:
    """Cancel `reg`; returns the registration promoted from the waitlist into the freed place."""
    row = await course(session, reg.course_id, lock=True)
    await session.refresh(reg)
    if reg.status not in ACTIVE or row is None:
        return None
    was_registered = reg.status == REGISTERED
    reg.status, reg.cancelled_at = CANCELLED, now
    await session.flush()
    return await _promote(session, row, now) if was_registered else None


async def for_user(
    session: AsyncSession, user_id: int, *, active_only: bool = True
) -> list[tuple[CourseRegistration, Course]]:
    query = (
        select(CourseRegistration, Course)
        .join(Course, Course.id == CourseRegistration.course_id)
        .where(CourseRegistration.user_id == user_id)
        .order_by(Course.starts_on, CourseRegistration.id)
    )
    if active_only:
        query = query.where(CourseRegistration.status.in_(ACTIVE))
    return [(reg, c) for reg, c in await session.execute(query)]


async def for_course(session: AsyncSession, course_id: int) -> list[CourseRegistration]:
    """Active registrations of a course: places first, then the waitlist in order."""
    query = (
        select(CourseRegistration)
        .where(CourseRegistration.course_id == course_id,
               CourseRegistration.status.in_(ACTIVE))
        .order_by(CourseRegistration.status, CourseRegistration.created_at,
                  CourseRegistration.id)
    )
    return list((await session.execute(query)).scalars())


async def with_recipients(
    session: AsyncSession, course_id: int | None = None, statuses: tuple[str, ...] = ACTIVE
) -> list[tuple[CourseRegistration, Course, User]]:
    """Registrations with their course and user (to message them or export them)."""
    query = (
        select(CourseRegistration, Course, User)
        .join(Course, Course.id == CourseRegistration.course_id)
        .join(User, User.id == CourseRegistration.user_id)
        .where(CourseRegistration.status.in_(statuses))
        .order_by(Course.starts_on, Course.id, CourseRegistration.status,
                  CourseRegistration.created_at, CourseRegistration.id)
    )
    if course_id is not None:
        query = query.where(Course.id == course_id)
    return [(reg, c, user) for reg, c, user in await session.execute(query)]


async def starting_on(
    session: AsyncSession, day: date
) -> list[tuple[CourseRegistration, Course, User]]:
    """Those with a place on a course that starts on `day` and is not cancelled (whom to
    remind; a course closed to sign-ups still runs)."""
    rows = await with_recipients(session, statuses=(REGISTERED,))
    return [(reg, c, user) for reg, c, user in rows
            if c.starts_on == day and c.status != "cancelled"]


async def delete_for_user(
    session: AsyncSession, user_id: int, now: datetime
) -> tuple[int, list[CourseRegistration]]:
    """Delete every registration of a user; returns the count and whoever got a freed place."""
    rows = [reg for reg, _ in await for_user(session, user_id, active_only=False)]
    promoted = []
    for reg in rows:
        if reg.status == REGISTERED:
            row = await course(session, reg.course_id, lock=True)
            await session.delete(reg)
            await session.flush()
            first = await _promote(session, row, now) if row else None
            if first is not None:
                promoted.append(first)
        else:
            await session.delete(reg)
    await session.flush()
    return len(rows), promoted
