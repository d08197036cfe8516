"""The wards' household lists (`households`) and their category changes
(`household_category_changes`, what "change since the start of the year" is counted from):
adding, finding, searching, importing, changing a category.

Ward scope: every function that reads or changes households takes `wards`, the wards the caller
may see (`None` = every ward, for admins), so an officer of ward A never reaches ward B's rows.
Functions take the event's session and do not commit; every change by a person writes an audit
row (`db.users.audit`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AuditLog, Base, User
from db.users import audit
from domain.folding import fold

CATEGORIES = ("poor", "near_poor", "escaped", "other")


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



def search_text(code: str, head_name: str, phone: str | None) -> str:
    return fold(f"{code} {head_name} {phone or ''}")


IMPORT_CHUNK = 2_000
# What an audit row keeps before and after a change: every column a person's answers or a file
# fill (conversations/officers/household.py `HOUSEHOLD` names them), and who added it.
AUDITED = tuple(name for name in Household.__table__.columns.keys()
                if name not in ("id", "search", "created_at", "updated_at"))


def household_record(household: Household) -> dict[str, Any]:
    """The fields an audit row keeps before and after a change."""
    return {name: getattr(household, name) for name in AUDITED}


def _columns_known(rows: Iterable[dict[str, Any]]) -> None:
    """Refuses values for a column the table lacks (a field added to the household record
    without its column and migration), naming it, rather than dropping it."""
    unknown = set().union(*rows) - set(AUDITED)
    if unknown:
        raise ValueError(f"households has no column {', '.join(sorted(unknown))}")


def in_scope(query: Any, wards: Sequence[str] | None) -> Any:
    """`query` limited to households of `wards` (None: every ward)."""
    return query if wards is None else query.where(Household.ward.in_(list(wards)))


async def add_household(
    session: AsyncSession, values: dict[str, Any], actor: User | None, now: datetime
) -> Household:
    """Add a household: `values` by column (the household record's values, and
    `officer_user_id`), with its audit row."""
    _columns_known([values])
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
    query = in_scope(select(Household).where(Household.code == code.strip().upper()), wards)
    return list((await session.execute(query)).scalars())


async def get_household(
    session: AsyncSession, household_id: int, wards: Sequence[str] | None
) -> Household | None:
    """The household, or None when it does not exist or is outside `wards`."""
    query = in_scope(select(Household).where(Household.id == household_id), wards)
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
    base = in_scope(select(Household).where(condition), wards)
    total = (await session.execute(
        in_scope(select(func.count()).select_from(Household).where(condition), wards)
    )).scalar_one()
    exact_first = (Household.code != wanted.upper(), Household.head_name, Household.id)
    rows = await session.execute(base.order_by(*exact_first).limit(limit).offset(offset))
    return list(rows.scalars()), total



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
    _columns_known(rows)
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
    query = in_scope(select(Household), wards).order_by(Household.ward, Household.code)
    return list((await session.execute(query)).scalars())
