"""Re-assessment when the standard in force changes (e.g. on 1/1/2027): shared results move to
the standard in force on a date, and each household whose category changed is told once, in its
own language, what changed and why. Run daily by the scheduler (handlers/assessment.py), and by
hand with `giamngheo reassess`.

Outside any event, so it opens its own sessions: one transaction re-assesses every row
(db.assessments.reassess_rows), then one queues the notices in the outbox (bot/delivery.py sends
them, retrying as needed) and marks each row told in the same transaction, so a second run, or a
second process, sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import assessments as repo
from db import outbox
from db.models import SharedAssessment
from domain.formatting import format_date, format_money
from domain.i18n import Translator
from domain.messages import Reply
from domain.poverty import CATEGORY_NAMES, Assessment, Standard, standard_by_id, standard_for

log = logging.getLogger("giamngheo.assessments")


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
    async with sessions() as session, session.begin():
        checked, changed = await repo.reassess_rows(session, standards, current, now)
    async with sessions() as session, session.begin():
        notified, failed = await _tell_changes(session, standards, translators, default_locale,
                                               now)
    report = ReassessReport(checked, changed, notified, failed)
    log.info(
        "reassess on=%s standard=%s checked=%d changed=%d notified=%d failed=%d",
        on.isoformat(), current.id, *(checked, changed, notified, failed),
    )
    return report


async def _tell_changes(
    session: AsyncSession,
    standards: Sequence[Standard],
    translators: Mapping[str, Translator],
    default_locale: str,
    now: datetime,
) -> tuple[int, int]:
    """Queue one notice per changed row and mark the row told; a household that blocked the
    bot is skipped (and counted)."""
    notified = skipped = 0
    for row, user in await repo.changes_to_tell(session):
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
    before = repo.assess_shared(row, standards, row.previous_standard_id or row.standard_id)
    after = repo.assess_shared(row, standards, row.standard_id)
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
