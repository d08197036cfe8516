"""Query functions for household self-assessments, and the re-assessment job.

Owns: the anonymous tally (ward, day, standard, category → count), the results a household
agreed to share with its ward officers (save, list, delete), and `reassess`, which moves shared
results to the standard in force on a date and tells each household whose category changed.

Query functions take the event's session and do not commit. `reassess` runs outside any event,
so it opens its own sessions: one transaction re-assesses every row, then one small transaction
per message records that it was delivered, so a second run sends nothing twice.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import outbox
from db.models import AssessmentRun, AssessmentTally, SharedAssessment, User
from domain.formatting import format_date, format_money
from domain.messages import Reply
from domain.poverty import CATEGORY_NAMES as _CATEGORY_NAMES
from domain.poverty import (
    Area,
    Assessment,
    Household,
    Standard,
    Translator,
    assess,
    standard_by_id,
    standard_for,
    translate_household,
)

log = logging.getLogger("giamngheo.assessments")

# Category → its name (a msgid), shared with the explanation (re-exported for the handlers).
CATEGORY_NAMES: Mapping[str, str] = _CATEGORY_NAMES


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


async def tallies(session: AsyncSession) -> list[AssessmentTally]:
    query = select(AssessmentTally).order_by(
        AssessmentTally.day, AssessmentTally.ward, AssessmentTally.category
    )
    return list((await session.execute(query)).scalars())


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


@dataclass(frozen=True, slots=True)
class ReassessReport:
    """`checked`: shared results moved to the standard in force; `changed`: of those, how many
    changed category; `notified`/`failed`: messages delivered or not in this run (including
    earlier undelivered ones)."""

    checked: int = 0
    changed: int = 0
    notified: int = 0
    failed: int = 0


async def reassess(
    sessions: async_sessionmaker[AsyncSession],
    standards: Sequence[Standard],
    on: date,
    translators: Mapping[str, Translator],
    *,
    now: datetime,
    default_locale: str = "vi",
) -> ReassessReport:
    """Move shared results to the standard in force on `on`; queue a notice for households
    whose category changed, once (`notified`: queued; `failed`: skipped, e.g. blocked).
    Safe to run daily, by hand, and from two processes: a second run finds nothing to do."""
    current = standard_for(standards, on)
    checked, changed = await _reassess_rows(sessions, standards, current, now)
    notified, failed = await _notify_changes(
        sessions, standards, translators, default_locale, now
    )
    report = ReassessReport(checked, changed, notified, failed)
    log.info(
        "reassess on=%s standard=%s checked=%d changed=%d notified=%d failed=%d",
        on.isoformat(), current.id, *(checked, changed, notified, failed),
    )
    return report


async def _reassess_rows(
    sessions: async_sessionmaker[AsyncSession],
    standards: Sequence[Standard],
    current: Standard,
    now: datetime,
) -> tuple[int, int]:
    checked = changed = 0
    async with sessions() as session, session.begin():
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


async def _notify_changes(
    sessions: async_sessionmaker[AsyncSession],
    standards: Sequence[Standard],
    translators: Mapping[str, Translator],
    default_locale: str,
    now: datetime,
) -> tuple[int, int]:
    """Queue one notice per changed row in the outbox (bot/delivery.py sends it, retrying as
    needed) and mark the row in the same transaction, so each household is told once."""
    notified = skipped = 0
    async with sessions() as session, session.begin():
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
        for row, user in (await session.execute(query)).all():
            if user.blocked_at is not None:
                skipped += 1
                continue
            t = translators.get(user.locale or "") or translators[default_locale]
            await outbox.enqueue(
                session, channel=user.channel, chat_id=user.chat_id, user_id=user.id,
                reply=Reply(change_message(row, standards, t)), kind="reassessment", now=now,
                dedup_key=f"reassess:{row.id}:{row.standard_id}",
            )
            row.notified_at = now
            notified += 1
    return notified, skipped


def change_message(row: SharedAssessment, standards: Sequence[Standard], t: Translator) -> str:
    """What changed and why, in a few plain sentences (the household's own language)."""
    _ = t.gettext
    new = standard_by_id(standards, row.standard_id)
    before = assess_shared(row, standards, row.previous_standard_id or row.standard_id)
    after = assess_shared(row, standards, row.standard_id)
    lines = [
        _("From {date} the {standard} applies. I checked the result you shared with your ward "
          "again.").format(
            date=format_date(new.effective_from), standard=new.name_on(new.effective_from)
        ),
        _("Before: {before}. Now: {after}.").format(
            before=_(CATEGORY_NAMES[row.previous_category or ""]),
            after=_(CATEGORY_NAMES[row.category]),
        ),
        *_reasons(before, after, t),
        _("Your ward officers can see this change. The ward's review (UBND phường/xã) decides "
          "officially."),
    ]
    return "\n".join(lines)


def _reasons(before: Assessment, after: Assessment, t: Translator) -> list[str]:
    _ = t.gettext
    reasons = []
    if before.income_line != after.income_line:
        reasons.append(
            _("The income line changed from {old} to {new} per person per month; your "
              "household's income per person is {income}.").format(
                old=format_money(before.income_line),
                new=format_money(after.income_line),
                income=format_money(after.income_per_person),
            )
        )
    if before.deprivation_count != after.deprivation_count:
        reasons.append(
            _("Indicators counted as lacking: {old} before, {new} now (the list of indicators "
              "changed).").format(old=before.deprivation_count, new=after.deprivation_count)
        )
    return reasons
