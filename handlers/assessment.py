"""The household self-assessment feature: the /tudanhgia command, its menu button, the dialog
(conversations/assessment.py), the personal-data section for results shared with the ward and
the daily re-assessment job (handlers/reassessment.py).

Results are anonymous unless the household shares one; what it shared is shown by /dulieucuatoi
and deleted by /xoadulieu through the `PersonalData` section registered here.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from conversations import assessment as dialog
from conversations.context import Ctx
from db import assessments as repo
from domain.formatting import format_datetime
from domain.i18n import N_
from domain.messages import Reply
from domain.poverty import CATEGORY_NAMES
from handlers.reassessment import reassess
from handlers.registry import Command, Job, MenuItem, PersonalData, Registry

if TYPE_CHECKING:
    from handlers.core import Core

log = logging.getLogger("giamngheo.assessment")

COMMAND = "tudanhgia"


async def start(ctx: Ctx, _args: str = "") -> list[Reply]:
    """Starts the self-assessment from its first question."""
    return await ctx.dialogs.start(ctx, dialog.NAME)


async def _start_from_menu(ctx: Ctx) -> list[Reply]:
    return await start(ctx)


async def shared_lines(ctx: Ctx) -> list[str]:
    """One line per result the user shared with ward officers (for /dulieucuatoi)."""
    lines = []
    for row in await repo.shared_for(ctx.session, ctx.user):
        lines.append(ctx._(
            "• Self-assessment sent to {ward} at {when}: {category} ({standard}); name {name}, "
            "phone {phone}",
            ward=row.ward or "",
            when=format_datetime(row.shared_at, ctx.settings.timezone),
            category=ctx._(CATEGORY_NAMES[row.category]),
            standard=row.standard_id,
            name=row.name,
            phone=row.phone,
        ))
    return lines


async def delete_shared(ctx: Ctx) -> int:
    """Deletes every shared result of the user (for /xoadulieu)."""
    return await repo.delete_shared(ctx.session, ctx.user)


async def reassess_daily(core: Core) -> None:
    """The scheduler's daily run: shared results follow the standard in force today (a no-op
    except after a change of standard, e.g. on 1/1/2027)."""
    now = core.services.clock()
    report = await reassess(
        core.sessions, core.services.content["standards"],
        now.astimezone(core.settings.tz).date(), core.catalogs, now=now,
        default_locale=core.settings.locale,
    )
    core.services.wake_delivery()
    log.info("reassess checked=%d changed=%d notified=%d failed=%d", report.checked,
             report.changed, report.notified, report.failed)


async def prune_runs(core: Core) -> None:
    """Forget the run tokens that kept tallies from counting a run twice (after two days)."""
    today = core.services.clock().astimezone(core.settings.tz).date()
    async with core.sessions() as session, session.begin():
        await repo.prune_runs(session, today - timedelta(days=2))


def register(registry: Registry) -> None:
    registry.job(Job("reassess-shared-results", reassess_daily, at="06:00"))
    registry.job(Job("assessment-run-tokens", prune_runs, at="03:00"))
    registry.dialog(dialog.build_dialog())
    registry.command(Command(COMMAND, N_("Check whether your household may be poor or "
                                         "near-poor"), start))
    registry.menu_item(MenuItem("assess", N_("📋 Household self-assessment"),
                                _start_from_menu, order=10))
    registry.personal_data.append(
        PersonalData(N_("shared self-assessments"), shared_lines, delete_shared)
    )
