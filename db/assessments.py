"""Query functions for household self-assessments.

Owns: the anonymous tally (ward, day, standard, category → count), the results a household
agreed to share with its ward officers (save, list, delete), and the data side of the
re-assessment when the standard in force changes (move the rows, find the households to tell);
the job and the notice's wording are handlers/reassessment.py's.

Query functions take the caller's session and do not commit.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AssessmentRun, AssessmentTally, SharedAssessment, User
from domain.poverty import (
    Area,
    Assessment,
    Household,
    Standard,
    assess,
    standard_by_id,
    translate_household,
)

log = logging.getLogger("giamngheo.assessments")



# --- the anonymous tally -----------------------------------------------------------------------


async def record_tally(
    session: AsyncSession, ward: str | None, day: date, standard_id: str, category: str,
    run: str | None = None,
) -> None:
    """Count one assessment; nothing about who made it is kept. With `run` (the dialog's random
    token), a run confirmed a second time after going back is not counted again."""
    if run is not None:
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        added = await session.execute(
            insert(AssessmentRun).values(token=run, day=day).on_conflict_do_nothing()
        )
        if not added.rowcount:
            return
    key = {"ward": ward or "", "day": day, "standard_id": standard_id, "category": category}
    row = await _tally_row(session, key)
    if row is None:
        try:
            async with session.begin_nested():
                session.add(AssessmentTally(**key, count=1))
            return
        except IntegrityError:  # another process counted the first one a moment ago
            row = await _tally_row(session, key)
            assert row is not None
    row.count += 1


async def prune_runs(session: AsyncSession, before: date) -> None:
    await session.execute(delete(AssessmentRun).where(AssessmentRun.day < before))


async def _tally_row(session: AsyncSession, key: dict[str, object]) -> AssessmentTally | None:
    query = select(AssessmentTally).filter_by(**key).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


# --- shared results ----------------------------------------------------------------------------


async def save_shared(
    session: AsyncSession,
    user: User,
    *,
    ward: str | None,
    name: str,
    phone: str,
    household: Household,
    standard_id: str,
    category: str,
    now: datetime,
) -> SharedAssessment:
    """Queue a result for the ward's officers (the household has consented)."""
    row = SharedAssessment(
        user_id=user.id,
        ward=ward,
        name=name,
        phone=phone,
        members=household.members,
        area=household.area.value,
        # Whole đồng: a yearly figure divided by 12 can leave a fraction of a đồng (the result
        # shared was assessed exactly; a re-assessment reads this figure).
        monthly_income=math.floor(household.monthly_income),
        deprived=sorted(household.deprived),
        unknown=sorted(household.unknown),
        answered_standard_id=standard_id,
        standard_id=standard_id,
        category=category,
        shared_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def shared_for(session: AsyncSession, user: User) -> list[SharedAssessment]:
    query = (
        select(SharedAssessment)
        .where(SharedAssessment.user_id == user.id)
        .order_by(SharedAssessment.shared_at, SharedAssessment.id)
    )
    return list((await session.execute(query)).scalars())


async def delete_shared(session: AsyncSession, user: User) -> int:
    """Delete every result the user shared; returns how many."""
    result = await session.execute(
        delete(SharedAssessment).where(SharedAssessment.user_id == user.id)
    )
    return result.rowcount or 0


def household_of(row: SharedAssessment) -> Household:
    """The household as it answered (under `answered_standard_id`)."""
    return Household(
        area=Area(row.area),
        members=row.members,
        monthly_income=row.monthly_income,
        deprived=frozenset(row.deprived),
        unknown=frozenset(row.unknown),
    )


def assess_shared(
    row: SharedAssessment, standards: Sequence[Standard], standard_id: str
) -> Assessment:
    """The shared answers assessed under `standard_id` (unasked indicators count as unknown)."""
    asked = standard_by_id(standards, row.answered_standard_id)
    target = standard_by_id(standards, standard_id)
    return assess(translate_household(household_of(row), asked, target), target)


# --- re-assessment when the standard in force changes --------------------------------------------


async def reassess_rows(
    session: AsyncSession, standards: Sequence[Standard], current: Standard, now: datetime,
) -> tuple[int, int]:
    """Move the shared results under an earlier standard to `current` (never backwards), keeping
    what they were; returns how many moved and how many of those changed category. A moved row
    waits to be told (`notified_at` None) when its category changed."""
    checked = changed = 0
    query = select(SharedAssessment).where(SharedAssessment.standard_id != current.id)
    for row in (await session.execute(query.with_for_update())).scalars():
        try:
            source = standard_by_id(standards, row.standard_id)
            result = assess_shared(row, standards, current.id)
        except KeyError:
            log.warning("shared assessment %s: its standard is not in the data", row.id)
            continue
        if source.effective_from > current.effective_from:
            continue  # already under a later standard; never move a result backwards
        checked += 1
        row.previous_standard_id, row.previous_category = row.standard_id, row.category
        row.standard_id, row.category = current.id, result.category.value
        row.reassessed_at = now
        row.notified_at = None
        if row.previous_category != row.category:
            changed += 1
    return checked, changed


async def changes_to_tell(session: AsyncSession) -> list[tuple[SharedAssessment, User]]:
    """The re-assessed results whose category changed and whose household was not told yet,
    each with its user, locked until the caller's transaction ends (the caller queues the
    notice and sets `notified_at` in it, so each household is told once)."""
    query = (
        select(SharedAssessment, User)
        .join(User, User.id == SharedAssessment.user_id)
        .where(
            SharedAssessment.reassessed_at.is_not(None),
            SharedAssessment.previous_category != SharedAssessment.category,
            SharedAssessment.notified_at.is_(None),
        )
        .order_by(SharedAssessment.id)
        .with_for_update(of=SharedAssessment)
    )
    return [(row, user) for row, user in (await session.execute(query)).all()]
