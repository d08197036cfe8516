"""Tables and query functions of the ward officers' workspace.

Owns: officers and their wards (`officer_wards`), one-time invite codes (`officer_invites`),
the wards' household lists (`households`), the visit log (`household_visits`), category
changes (`household_category_changes`, what "change since the start of the year" is counted
from), reminders (`officer_reminders`), and which shared self-assessments an officer has dealt
with (`officer_handled_assessments`).

Ward scope: every function that reads or changes households takes `wards`, the wards the caller
may see (`None` = every ward, for admins), so an officer of ward A never reaches ward B's rows.
Functions take the event's session and do not commit. Every change by a person writes an audit
row (`db.users.audit`) in the same transaction. Report figures are aggregate SQL (GROUP BY on
indexed columns), never Python loops over rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AuditLog, Base, SharedAssessment, User
from db.users import audit
from domain.text import fold

CATEGORIES = ("poor", "near_poor", "escaped", "other")
VISIT_KINDS = ("checkin", "livelihood", "loan", "review", "other")
# Unambiguous when read aloud or typed on a phone: no 0/O, 1/I/L.
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8


class OfficerWard(Base):
    """An officer may see and change the households of this ward (a unit name of the current
    list in wards.yaml, e.g. "Phan Rang")."""

    __tablename__ = "officer_wards"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    ward: Mapped[str] = mapped_column(String(64), primary_key=True)
    granted_at: Mapped[datetime]


class OfficerInvite(Base):
    """A one-time code that makes whoever sends `/canbo CODE` an officer of `wards`, or an admin
    (the labour office) when `role` is "admin" (`giamngheo admin invite --admin`)."""

    __tablename__ = "officer_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    wards: Mapped[list[Any]] = mapped_column(default=list)
    role: Mapped[str] = mapped_column(String(16), default="officer", server_default="officer")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]


class Household(Base):
    """A household on a ward's list. `search` is code, name and phone folded (no diacritics)."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("ward", "code"),
        Index("ix_households_ward_category", "ward", "category"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    head_name: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(256), default="")
    phone: Mapped[str | None] = mapped_column(String(16))
    members: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    category_year: Mapped[int] = mapped_column(Integer)
    officer_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    notes: Mapped[str | None] = mapped_column(Text)
    search: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


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


class CategoryChange(Base):
    """A household moved from one category to another (e.g. escaped poverty after the review)."""

    __tablename__ = "household_category_changes"
    __table_args__ = (Index("ix_household_category_changes_time_ward", "changed_at", "ward"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    ward: Mapped[str] = mapped_column(String(64))
    from_category: Mapped[str] = mapped_column(String(16))
    to_category: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


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


class HandledAssessment(Base):
    """A shared self-assessment an officer has dealt with (contacted the household)."""

    __tablename__ = "officer_handled_assessments"

    shared_id: Mapped[int] = mapped_column(
        ForeignKey("shared_assessments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime]


class InviteError(Exception):
    """An invite code cannot be used: `reason` is "unknown", "used", "expired", or
    "locked_person" / "locked_everyone" after too many wrong codes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- officers and invites ----------------------------------------------------------------------


async def create_invite(
    session: AsyncSession, wards: Sequence[str], actor: User | None, now: datetime, days: int,
    role: str = "officer",
) -> OfficerInvite:
    """A fresh one-time code for `wards` (an officer) or for an admin (`role="admin"`, no
    wards: an admin sees every ward), valid for `days` days."""
    if role not in ("officer", "admin"):
        raise ValueError(f"an invite is for an officer or an admin, not {role!r}")
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    invite = OfficerInvite(
        code=code, wards=list(wards) if role == "officer" else [], role=role,
        created_by=actor.id if actor else None, created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(invite)
    await session.flush()
    await audit(session, actor, "invite.create", "officer_invite", invite.id, now,
                after={"role": role, "wards": list(invite.wards),
                       "expires_at": invite.expires_at.isoformat()})
    return invite


INVITE_WRONG_PER_PERSON = 5  # wrong codes in INVITE_LOCK, then the person is locked out
INVITE_LOCK = timedelta(hours=1)
INVITE_WRONG_EVERYONE = 30  # wrong codes from anyone in INVITE_WINDOW: everyone waits
INVITE_WINDOW = timedelta(minutes=10)


async def invite_lock(session: AsyncSession, user: User, now: datetime) -> str | None:
    """"person" when this person typed too many wrong codes lately, "everyone" when too many
    came from anyone (a guessing attack from many accounts), else None."""
    wrong = select(func.count()).select_from(AuditLog).where(AuditLog.action == "invite.wrong")
    mine = await session.scalar(wrong.where(AuditLog.actor_user_id == user.id,
                                            AuditLog.at > now - INVITE_LOCK))
    if (mine or 0) >= INVITE_WRONG_PER_PERSON:
        return "person"
    everyone = await session.scalar(wrong.where(AuditLog.at > now - INVITE_WINDOW))
    return "everyone" if (everyone or 0) >= INVITE_WRONG_EVERYONE else None


async def redeem_invite(session: AsyncSession, code: str, user: User, now: datetime) -> list[str]:
    """Make `user` an officer of the invite's wards, or an admin for an admin invite (then the
    list is empty: an admin sees every ward); InviteError when the code is not usable or the
    person (or everyone) is locked out after wrong codes. Every failed attempt is audited
    (the code typed is not: it may be someone's real code with a typo)."""
    locked = await invite_lock(session, user, now)
    if locked is not None:
        await audit(session, user, "invite.refused", "officer_invite", None, now,
                    after={"locked": locked})
        raise InviteError(f"locked_{locked}")
    query = select(OfficerInvite).where(OfficerInvite.code == code.strip().upper()[:16])
    invite = (await session.execute(query.with_for_update())).scalar_one_or_none()
    reason = ("unknown" if invite is None else "used" if invite.used_at is not None
              else "expired" if invite.expires_at <= now else None)
    if reason is not None:
        await audit(session, user, "invite.wrong", "officer_invite",
                    None if invite is None else invite.id, now, after={"reason": reason})
        raise InviteError(reason)
    assert invite is not None
    before = {"role": user.role, "wards": await wards_of(session, user.id)}
    invite.used_by, invite.used_at = user.id, now
    if invite.role == "admin":
        user.role = "admin"
        await audit(session, user, "admin.join", "user", user.id, now, before=before,
                    after={"role": "admin", "wards": before["wards"], "invite": invite.id})
        return []
    for ward in invite.wards:
        if ward not in before["wards"]:
            session.add(OfficerWard(user_id=user.id, ward=ward, granted_at=now))
    if user.role == "citizen":
        user.role = "officer"
    after = {"role": user.role, "wards": sorted({*before["wards"], *invite.wards})}
    await audit(session, user, "officer.join", "user", user.id, now, before=before, after=after)
    return list(invite.wards)


async def wards_of(session: AsyncSession, user_id: int) -> list[str]:
    query = select(OfficerWard.ward).where(OfficerWard.user_id == user_id).order_by(
        OfficerWard.ward
    )
    return list((await session.execute(query)).scalars())


async def officers(session: AsyncSession) -> list[tuple[User, list[str]]]:
    """Every officer and admin with their wards, oldest first."""
    query = select(User).where(User.role.in_(("officer", "admin"))).order_by(User.id)
    users = list((await session.execute(query)).scalars())
    rows = await session.execute(
        select(OfficerWard.user_id, OfficerWard.ward).order_by(OfficerWard.ward)
    )
    by_user: dict[int, list[str]] = {}
    for user_id, ward in rows:
        by_user.setdefault(user_id, []).append(ward)
    return [(user, by_user.get(user.id, [])) for user in users]


async def revoke_officer(
    session: AsyncSession, officer: User, actor: User | None, now: datetime
) -> None:
    """Take the officer role and every ward away; their open reminders go too."""
    before = {"role": officer.role, "wards": await wards_of(session, officer.id)}
    await session.execute(delete(OfficerWard).where(OfficerWard.user_id == officer.id))
    await session.execute(delete(OfficerReminder).where(OfficerReminder.user_id == officer.id))
    officer.role = "citizen"
    await audit(session, actor, "officer.revoke", "user", officer.id, now, before=before,
                after={"role": "citizen", "wards": []})


async def revoke_admin(
    session: AsyncSession, admin: User, actor: User | None, now: datetime
) -> None:
    """Take the admin role away (back to an officer of the wards they still hold, else a
    citizen), with an audit row."""
    wards = await wards_of(session, admin.id)
    before = {"role": admin.role, "wards": wards}
    admin.role = "officer" if wards else "citizen"
    await audit(session, actor, "admin.revoke", "user", admin.id, now, before=before,
                after={"role": admin.role, "wards": wards})


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


# --- households --------------------------------------------------------------------------------


def search_text(code: str, head_name: str, phone: str | None) -> str:
    return fold(f"{code} {head_name} {phone or ''}")


IMPORT_CHUNK = 2_000
AUDITED = ("ward", "code", "head_name", "address", "phone", "members", "category",
           "category_year", "officer_user_id", "notes")


def household_record(household: Household) -> dict[str, Any]:
    """The fields an audit row keeps before and after a change."""
    return {
        "ward": household.ward, "code": household.code, "head_name": household.head_name,
        "address": household.address, "phone": household.phone, "members": household.members,
        "category": household.category, "category_year": household.category_year,
        "officer_user_id": household.officer_user_id, "notes": household.notes,
    }


def _in_scope(query: Any, wards: Sequence[str] | None) -> Any:
    return query if wards is None else query.where(Household.ward.in_(list(wards)))


async def add_household(
    session: AsyncSession, values: dict[str, Any], actor: User | None, now: datetime
) -> Household:
    household = Household(
        **values, search=search_text(values["code"], values["head_name"], values.get("phone")),
        created_at=now, updated_at=now,
    )
    session.add(household)
    await session.flush()
    await audit(session, actor, "household.add", "household", household.id, now,
                after=household_record(household))
    return household


async def household_by_code(
    session: AsyncSession, ward: str, code: str
) -> Household | None:
    query = select(Household).where(Household.ward == ward, Household.code == code)
    return (await session.execute(query)).scalar_one_or_none()


async def find_by_code(
    session: AsyncSession, wards: Sequence[str] | None, code: str
) -> list[Household]:
    query = _in_scope(select(Household).where(Household.code == code.strip().upper()), wards)
    return list((await session.execute(query)).scalars())


async def get_household(
    session: AsyncSession, household_id: int, wards: Sequence[str] | None
) -> Household | None:
    """The household, or None when it does not exist or is outside `wards`."""
    query = _in_scope(select(Household).where(Household.id == household_id), wards)
    return (await session.execute(query)).scalar_one_or_none()


SEARCH_CHARS = 128


async def search_households(
    session: AsyncSession, wards: Sequence[str] | None, text: str, limit: int, offset: int = 0
) -> tuple[list[Household], int]:
    """Households whose code, name or phone contain `text` (folded), and how many in all."""
    wanted = fold(text[:SEARCH_CHARS])  # `search` holds at most 512: a longer text finds nothing
    digits = "".join(ch for ch in wanted if ch.isdigit())
    if digits and len(digits) >= 6 and digits == wanted.replace(" ", "").replace(".", ""):
        wanted = digits  # a phone typed with spaces or dots
    condition = Household.search.contains(wanted, autoescape=True)
    base = _in_scope(select(Household).where(condition), wards)
    total = (await session.execute(
        _in_scope(select(func.count()).select_from(Household).where(condition), wards)
    )).scalar_one()
    exact_first = (Household.code != wanted.upper(), Household.head_name, Household.id)
    rows = await session.execute(base.order_by(*exact_first).limit(limit).offset(offset))
    return list(rows.scalars()), total


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
    query = _in_scope(
        select(Household).join(last, last.c.household_id == Household.id), wards
    ).order_by(last.c.last.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def change_category(
    session: AsyncSession, household: Household, category: str, year: int,
    actor: User | None, now: datetime,
) -> None:
    """Set the household's category (e.g. after the review), recording the change."""
    before = household_record(household)
    if category != household.category:
        session.add(CategoryChange(
            household_id=household.id, ward=household.ward, from_category=household.category,
            to_category=category, changed_at=now, actor_user_id=actor.id if actor else None,
        ))
    household.category, household.category_year, household.updated_at = category, year, now
    await audit(session, actor, "household.category", "household", household.id, now,
                before=before, after=household_record(household))


async def import_households(
    session: AsyncSession, rows: Iterable[dict[str, Any]], actor: User | None, now: datetime
) -> int:
    """Add or update (by ward and code) already validated rows; a changed category is recorded
    as a change. Returns how many rows were written.

    New households are inserted in bulk (IMPORT_CHUNK rows a statement, with their audit rows):
    100,000 rows in seconds, not one flush and two round trips per row. Still one transaction:
    the caller's, so a failure leaves nothing."""
    rows = list(rows)
    wards = {values["ward"] for values in rows}
    existing_by_key = {
        (h.ward, h.code): h for h in (await session.execute(
            select(Household).where(Household.ward.in_(wards)))).scalars()
    }
    fresh = [v for v in rows if (v["ward"], v["code"]) not in existing_by_key]
    for start in range(0, len(fresh), IMPORT_CHUNK):
        await _insert_households(session, fresh[start:start + IMPORT_CHUNK], actor, now)
    count = len(fresh)
    for values in rows:
        existing = existing_by_key.get((values["ward"], values["code"]))
        if existing is None:
            continue
        before = household_record(existing)
        if values["category"] != existing.category:
            session.add(CategoryChange(
                household_id=existing.id, ward=existing.ward,
                from_category=existing.category, to_category=values["category"],
                changed_at=now, actor_user_id=actor.id if actor else None,
            ))
        for name, value in values.items():
            if name != "officer_user_id" or value is not None:
                setattr(existing, name, value)
        existing.search = search_text(existing.code, existing.head_name, existing.phone)
        existing.updated_at = now
        await audit(session, actor, "household.import", "household", existing.id, now,
                    before=before, after=household_record(existing))
        count += 1
    return count


async def _insert_households(
    session: AsyncSession, rows: Sequence[dict[str, Any]], actor: User | None, now: datetime
) -> None:
    records = [{
        **values, "search": search_text(values["code"], values["head_name"], values.get("phone")),
        "officer_user_id": values.get("officer_user_id"), "created_at": now, "updated_at": now,
    } for values in rows]
    # executemany without RETURNING (with it, SQLite runs one statement per row), then the new
    # ids in one query: (ward, code) is unique
    await session.execute(insert(Household), records)
    ids: dict[tuple[str, str], int] = {}
    for ward in {record["ward"] for record in records}:
        codes = [record["code"] for record in records if record["ward"] == ward]
        found = await session.execute(select(Household.code, Household.id).where(
            Household.ward == ward, Household.code.in_(codes)))
        ids.update({(ward, code): household_id for code, household_id in found})
    actor_id = actor.id if actor else None
    await session.execute(insert(AuditLog), [{
        "actor_user_id": actor_id, "action": "household.add", "entity": "household",
        "entity_id": str(ids[(record["ward"], record["code"])]), "before": None, "at": now,
        "after": {key: record.get(key) for key in AUDITED},
    } for record in records])


async def all_households(session: AsyncSession, wards: Sequence[str] | None) -> list[Household]:
    query = _in_scope(select(Household), wards).order_by(Household.ward, Household.code)
    return list((await session.execute(query)).scalars())


# --- visits ------------------------------------------------------------------------------------


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


# --- reminders ---------------------------------------------------------------------------------


async def plan_reminder(
    session: AsyncSession, user_id: int, kind: str, key: str, due_at: datetime, now: datetime
) -> bool:
    """Add a recurring reminder once (by `key`); False when it was planned before."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = insert(OfficerReminder).values(
        user_id=user_id, kind=kind, key=key, due_at=due_at, status="pending", created_at=now,
    ).on_conflict_do_nothing(index_elements=["key"])
    return bool((await session.execute(statement)).rowcount)


async def officer_ids(session: AsyncSession) -> list[int]:
    """Users who are officers of at least one ward."""
    query = select(OfficerWard.user_id).distinct().order_by(OfficerWard.user_id)
    return list((await session.execute(query)).scalars())


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
            ~_visited_since(cutoff),
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


def _visited_since(cutoff: datetime) -> Any:
    return exists().where(
        HouseholdVisit.household_id == Household.id, HouseholdVisit.visited_at >= cutoff
    )


# --- shared self-assessments -------------------------------------------------------------------


async def assessment_queue(
    session: AsyncSession, ward_names: Sequence[str] | None, limit: int, offset: int
) -> tuple[list[tuple[SharedAssessment, datetime | None]], int]:
    """Shared results for these ward names (as households chose them), not yet dealt with or
    changed since: newest first, with when they were handled (None: never)."""
    handled = HandledAssessment
    waiting = (handled.handled_at.is_(None)) | (
        SharedAssessment.reassessed_at.is_not(None)
        & (SharedAssessment.reassessed_at > handled.handled_at)
    )
    base = select(SharedAssessment, handled.handled_at).outerjoin(
        handled, handled.shared_id == SharedAssessment.id
    ).where(waiting)
    counted = select(func.count()).select_from(SharedAssessment).outerjoin(
        handled, handled.shared_id == SharedAssessment.id
    ).where(waiting)
    if ward_names is not None:
        base = base.where(SharedAssessment.ward.in_(list(ward_names)))
        counted = counted.where(SharedAssessment.ward.in_(list(ward_names)))
    total = (await session.execute(counted)).scalar_one()
    newest = func.coalesce(SharedAssessment.reassessed_at, SharedAssessment.shared_at)
    rows = await session.execute(base.order_by(newest.desc(), SharedAssessment.id.desc())
                                 .limit(limit).offset(offset))
    return [(row[0], row[1]) for row in rows], total


async def mark_handled(
    session: AsyncSession, shared: SharedAssessment, actor: User, now: datetime
) -> None:
    row = await session.get(HandledAssessment, shared.id)
    before = {"handled_at": row.handled_at.isoformat()} if row else None
    if row is None:
        session.add(HandledAssessment(shared_id=shared.id, user_id=actor.id, handled_at=now))
    else:
        row.user_id, row.handled_at = actor.id, now
    await audit(session, actor, "assessment.handled", "shared_assessment", shared.id, now,
                before=before, after={"handled_at": now.isoformat()})


# --- the report --------------------------------------------------------------------------------


@dataclass
class WardFigures:
    """One ward's figures: households by category now, visits this month, households not
    visited in the last days, and this year's category changes (from, to, count)."""

    ward: str
    by_category: dict[str, int] = field(default_factory=dict)
    visits_this_month: int = 0
    not_visited: int = 0
    changes: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(self.by_category.values())


async def report(
    session: AsyncSession, wards: Sequence[str], *, month_start: datetime, cutoff: datetime,
    year_start: datetime,
) -> list[WardFigures]:
    """The figures of each ward in `wards`, in that order: four GROUP BY queries."""
    figures = {ward: WardFigures(ward) for ward in wards}
    names = list(wards)
    rows = await session.execute(
        select(Household.ward, Household.category, func.count())
        .where(Household.ward.in_(names)).group_by(Household.ward, Household.category)
    )
    for ward, category, count in rows:
        figures[ward].by_category[category] = count
    rows = await session.execute(
        select(HouseholdVisit.ward, func.count())
        .where(HouseholdVisit.visited_at >= month_start, HouseholdVisit.ward.in_(names))
        .group_by(HouseholdVisit.ward)
    )
    for ward, count in rows:
        figures[ward].visits_this_month = count
    rows = await session.execute(
        select(Household.ward, func.count())
        .where(Household.ward.in_(names), ~_visited_since(cutoff))
        .group_by(Household.ward)
    )
    for ward, count in rows:
        figures[ward].not_visited = count
    rows = await session.execute(
        select(CategoryChange.ward, CategoryChange.from_category, CategoryChange.to_category,
               func.count())
        .where(CategoryChange.changed_at >= year_start, CategoryChange.ward.in_(names))
        .group_by(CategoryChange.ward, CategoryChange.from_category, CategoryChange.to_category)
    )
    for ward, source, target, count in rows:
        figures[ward].changes.append((source, target, count))
    return [figures[ward] for ward in wards]


async def delete_officer_data(session: AsyncSession, user_id: int) -> int:
    """An officer's own rows (wards, reminders); visits and households stay with the ward."""
    removed = 0
    for model in (OfficerReminder, OfficerWard):
        result = await session.execute(delete(model).where(model.user_id == user_id))
        removed += result.rowcount or 0
    return removed
