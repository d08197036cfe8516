"""The year's poverty-reduction targets set by an admin, kept in the database with who set them.

Owns: `YearTargetRow` (one row per year: the poor and near-poor rates at the start and end of
the year and how many households that means, new houses, the document that set them, who set
them and when), `load_year` (the stored targets as the domain's `YearTargets`) and `save_year`
(insert or replace, with an audit row holding the record before and after, in the same
transaction). The packaged targets.yaml stays the fallback for years nobody has set here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, User
from db.users import audit
from domain.targets import RateTarget, YearTargets


class YearTargetRow(Base):
    """The targets of one year as an admin set them (the latest value; history in audit_log)."""

    __tablename__ = "year_targets"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    city: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    poor_rate_from: Mapped[float]
    poor_rate_to: Mapped[float]
    poor_reduce_by: Mapped[int]
    near_rate_from: Mapped[float]
    near_rate_to: Mapped[float]
    near_reduce_by: Mapped[int]
    new_houses: Mapped[int | None]
    set_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    set_at: Mapped[datetime]


def _as_domain(row: YearTargetRow) -> YearTargets:
    return YearTargets(
        year=row.year, city=row.city, title=row.title, confirmed=True, sources=(row.source,),
        poor=RateTarget(rate_from=row.poor_rate_from, rate_to=row.poor_rate_to,
                        reduce_by=row.poor_reduce_by),
        near_poor=RateTarget(rate_from=row.near_rate_from, rate_to=row.near_rate_to,
                             reduce_by=row.near_reduce_by),
        new_houses=row.new_houses,
    )


def _fields(row: YearTargetRow) -> dict[str, Any]:
    keys = ("year", "city", "title", "source", "poor_rate_from", "poor_rate_to",
            "poor_reduce_by", "near_rate_from", "near_rate_to", "near_reduce_by", "new_houses")
    return {key: getattr(row, key) for key in keys}


async def load_year(session: AsyncSession, year: int) -> YearTargets | None:
    row = await session.get(YearTargetRow, year)
    return _as_domain(row) if row is not None else None


async def stored_years(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(YearTargetRow.year).order_by(YearTargetRow.year)))


async def save_year(
    session: AsyncSession, actor: User | None, targets: YearTargets, now: datetime
) -> None:
    """Insert or replace the year's targets; the audit row keeps who, when, before and after."""
    row = await session.get(YearTargetRow, targets.year)
    before = _fields(row) if row is not None else None
    if row is None:
        row = YearTargetRow(year=targets.year)
        session.add(row)
    row.city, row.title, row.source = targets.city, targets.title, "; ".join(targets.sources)
    row.poor_rate_from, row.poor_rate_to = targets.poor.rate_from, targets.poor.rate_to
    row.poor_reduce_by = targets.poor.reduce_by
    row.near_rate_from, row.near_rate_to = targets.near_poor.rate_from, targets.near_poor.rate_to
    row.near_reduce_by = targets.near_poor.reduce_by
    row.new_houses = targets.new_houses
    row.set_by_user_id, row.set_at = (actor.id if actor else None), now
    await session.flush()
    await audit(session, actor, "targets.set", "year_targets", targets.year, now,
                before=before, after=_fields(row))
