"""The wards' figures for /baocao: households by category, visits this month, households not
visited lately and this year's category changes, each as one aggregate query (GROUP BY on
indexed columns), never a Python loop over rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.officers.households import CategoryChange, Household
from db.officers.visits import HouseholdVisit, visited_since
from db.sqlite_onehop import off_loop


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
    """The figures of each ward in `wards`, in that order: four GROUP BY queries (on SQLite's
    thread: over a city's visits they take a noticeable part of a second)."""
    with off_loop():
        return await _report(session, wards, month_start=month_start, cutoff=cutoff,
                             year_start=year_start)


async def _report(
    session: AsyncSession, wards: Sequence[str], *, month_start: datetime, cutoff: datetime,
    year_start: datetime,
) -> list[WardFigures]:
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
        .where(Household.ward.in_(names), ~visited_since(cutoff))
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
