"""The job board: /vieclam (current notices, paginated, by ward and trade; expired ones are
gone), /vieclammoi (post a notice or import a sheet, admins), /timviec (a job-seeker profile),
/xuattimviec (admins: the profiles as XLSX); the importer "jobs" and the exporter "jobseekers"
for `giamngheo admin import|export`, and the seeker profile's personal-data section.

List buttons: `job:l:<page>:<ward index|->:<trade|->`, `job:s:<id>:<page>:<ward>:<trade>`,
`job:fw:<trade>` / `job:ft:<ward>` (choose a filter).
"""

from __future__ import annotations

import asyncio
import math
from datetime import date
from typing import TYPE_CHECKING, Any

from conversations import jobs as dialogs
from conversations import paging
from conversations.answers import ward_names
from conversations.context import Ctx
from conversations.payloads import as_id, as_int, index_in
from db import broadcasts as repo
from db.models import User
from domain.formatting import format_date, format_datetime
from domain.i18n import N_, Translator
from domain.localities import find_unit
from domain.messages import Choice, Document, Reply
from domain.roles import ADMINS
from domain.tables import ImportResult, Row, write_xlsx
from handlers.menu import main_menu
from handlers.registry import (
    Command,
    Exporter,
    Importer,
    MenuItem,
    PersonalData,
    Registry,
)

if TYPE_CHECKING:
    from handlers.core import Core

PREFIX = "job"
PAGE_SIZE = 8
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEEKER_HEADERS = (N_("Trade"), N_("Ward"), N_("Availability"), N_("Phone"), N_("Updated"))


# -- the list ---------------------------------------------------------------------------------


def _filters(ctx: Ctx, ward_key: str, trade: str) -> tuple[str | None, str | None]:
    names = ward_names(ctx)
    index = index_in(ward_key, names)
    ward = names[index] if index is not None else None
    return ward, trade if trade in dialogs.TRADES else None


async def list_page(ctx: Ctx, page: int = 1, ward_key: str = "-", trade: str = "-") -> Reply:
    """One page of current notices (≤ 8), with detail, filter and page buttons."""
    ward, trade_id = _filters(ctx, ward_key, trade)
    ward_key, trade = (ward_key if ward else "-"), (trade if trade_id else "-")
    jobs = await repo.current_notices(ctx.session, ctx.local_now.date(), ward=ward,
                                      trade=trade_id)
    pages = max(1, math.ceil(len(jobs) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = jobs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    heading = [ctx._("Current job notices")]
    if ward or trade_id:
        heading.append(ctx._("Filter: {filters}", filters=", ".join(
            x for x in (ward, ctx._(dialogs.TRADES[trade_id]) if trade_id else None) if x)))
    if not jobs:
        heading.append(ctx._("There are no open job notices here right now. Subscribe with "
                             "/theodoi to hear about new ones."))
    elif pages > 1:
        heading.append(ctx._("Page {page}/{pages}", page=page, pages=pages))
    choices = []
    for number, job in enumerate(shown, start=(page - 1) * PAGE_SIZE + 1):
        heading.append(ctx._("{number}. {title} — {employer}, until {date}", number=number,
                             title=job.title, employer=job.employer,
                             date=format_date(job.deadline)))
        label = f"{number}. {job.title}"
        choices.append(Choice(label if len(label) <= 40 else label[:39] + "…",
                              f"{PREFIX}:s:{job.id}:{page}:{ward_key}:{trade}"))
    base = f"{PREFIX}:l:{{page}}:{ward_key}:{trade}"
    choices += paging.page_buttons(ctx, lambda n: base.format(page=n), page, pages)
    choices.append(Choice(ctx._("📍 By ward"), f"{PREFIX}:fw:{trade}"))
    choices.append(Choice(ctx._("🔧 By trade"), f"{PREFIX}:ft:{ward_key}"))
    if ward or trade_id:
        choices.append(Choice(ctx._("All notices"), f"{PREFIX}:l:1:-:-"))
    return Reply("\n".join(heading), tuple(choices))


async def _show(ctx: Ctx, args: list[str]) -> list[Reply]:
    job_id = as_id(args[0]) if args else None
    job = await repo.notice(ctx.session, job_id) if job_id else None
    back = f"{PREFIX}:l:{':'.join(args[1:4])}" if len(args) >= 4 else f"{PREFIX}:l:1:-:-"
    if job is None or job.deadline < ctx.local_now.date():
        return [await list_page(ctx)]
    return [Reply(dialogs.notice_text(ctx.translator, job), (
        Choice(ctx._("◀️ Back to the list"), back),
        Choice(ctx._("📝 My job-seeker profile"), f"{PREFIX}:seeker"),
    ))]


async def on_choice(ctx: Ctx, payload: str) -> list[Reply]:
    """Routes `job:…` buttons, pressed or typed, from anywhere."""
    action, *args = payload.split(":")[1:] or ["l"]
    if action == "l":
        page = (as_int(args[0]) if args else None) or 1
        return [await list_page(ctx, page, *(args[1:3] + ["-", "-"])[:2])]
    if action == "s":
        return await _show(ctx, args)
    if action == "fw":
        trade = args[0] if args else "-"
        choices = [Choice(name, f"{PREFIX}:l:1:{i}:{trade}")
                   for i, name in enumerate(ward_names(ctx))]
        return [Reply(ctx._("Which ward?"), tuple(choices))]
    if action == "ft":
        ward_key = args[0] if args else "-"
        return [Reply(ctx._("Which trade?"), dialogs.trade_choices(
            ctx, f"{PREFIX}:l:1:{ward_key}:"))]
    if action == "seeker":
        return await ctx.dialogs.start(ctx, "job_seeker")
    return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]


async def _list_command(ctx: Ctx, args: str) -> list[Reply]:
    """/vieclam, or /vieclam <ward or trade> to filter at once."""
    words = args.strip()
    if words:
        trade = dialogs.trade_by_text(words, ctx.translator)
        localities = ctx.services.content.get("localities")
        match = find_unit(localities, words) if localities else None
        names = ward_names(ctx)
        if match and match.current_unit and match.current_unit.full_name in names:
            return [await list_page(ctx, 1, str(names.index(match.current_unit.full_name)))]
        if trade:
            return [await list_page(ctx, 1, "-", trade)]
    return [await list_page(ctx)]


async def _list_menu(ctx: Ctx) -> list[Reply]:
    return [await list_page(ctx)]


async def _new_notice(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, "job_new")


async def _seeker(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, "job_seeker")


async def _seeker_menu(ctx: Ctx) -> list[Reply]:
    return await _seeker(ctx)


# -- export, import -------------------------------------------------------------------------


def seeker_rows(t: Translator, rows: list[repo.JobSeeker], tz: str) -> tuple[list[str],
                                                                            list[list[Any]]]:
    _ = t.gettext
    body = [[_(dialogs.TRADES.get(s.trade, s.trade)), s.ward or "",
             _(dialogs.AVAILABILITY.get(s.availability, s.availability)), s.phone,
             format_datetime(s.updated_at, tz)] for s in rows]
    return [_(h) for h in SEEKER_HEADERS], body


async def _export_seekers(ctx: Ctx, _args: str = "") -> list[Reply]:
    """/xuattimviec: the job-seeker profiles as an XLSX file."""
    headers, rows = seeker_rows(ctx.translator, await repo.seekers(ctx.session),
                                ctx.settings.timezone)
    data = await asyncio.to_thread(write_xlsx, headers, rows, "timviec")
    text = ctx.ngettext("{n} job-seeker profile.", "{n} job-seeker profiles.", len(rows))
    return [Reply(text, document=Document(data, "timviec.xlsx", XLSX))]


async def export_seekers(core: Core, translator: Translator) -> tuple[list[str], list[list[Any]]]:
    async with core.sessions() as session:
        return seeker_rows(translator, await repo.seekers(session), core.settings.timezone)


async def import_jobs(
    core: Core, rows: list[Row], translator: Translator, actor_user_id: int | None
) -> ImportResult:
    """`giamngheo admin import jobs FILE`: the same rules as a file sent in chat."""
    localities = core.services.content.get("localities")

    def ward(text: str) -> str | None:
        match = find_unit(localities, text) if localities else None
        return match.current_unit.full_name if match and match.current_unit else None

    now = core.services.clock()
    today: date = now.astimezone(core.settings.tz).date()
    async with core.sessions() as session, session.begin():
        actor = await session.get(User, actor_user_id) if actor_user_id else None
        # Writes nothing when any row is bad (every row is checked first).
        result = await dialogs.import_notices(session, rows, translator, ward, actor, now,
                                              today)
    if result.imported:
        core.services.wake_delivery()
    return result


# -- personal data ----------------------------------------------------------------------------


async def _show_profile(ctx: Ctx) -> list[str]:
    mine = await repo.seeker(ctx.session, ctx.user.id)
    if mine is None:
        return []
    return [ctx._("• Job-seeker profile: {trade}; {ward}; {phone}",
                  trade=ctx._(dialogs.TRADES.get(mine.trade, mine.trade)),
                  ward=mine.ward or ctx._("anywhere in the city"), phone=mine.phone)]


async def _delete_profile(ctx: Ctx) -> int:
    return await repo.delete_seeker(ctx.session, ctx.user.id)


def register(registry: Registry) -> None:
    registry.dialog(dialogs.NEW_NOTICE)
    registry.dialog(dialogs.SEEKER)
    registry.command(Command("vieclam", N_("Job notices (add a ward or trade to filter)"),
                             _list_command))
    registry.command(Command("timviec", N_("Leave a job-seeker profile"), _seeker))
    registry.command(Command("vieclammoi", N_("Post job notices"), _new_notice, roles=ADMINS))
    registry.command(Command("xuattimviec", N_("Export job-seeker profiles"), _export_seekers,
                             roles=ADMINS))
    registry.menu_item(MenuItem("jobs", N_("💼 Job notices"), _list_menu, order=50))
    registry.menu_item(MenuItem("seeker", N_("📝 I am looking for work"), _seeker_menu,
                                order=55))
    registry.choice_prefix(PREFIX, on_choice)
    registry.importer(Importer("jobs", import_jobs))
    registry.exporter(Exporter("jobseekers", export_seekers))
    registry.personal_data.append(PersonalData(
        N_("job-seeker profile"), _show_profile, _delete_profile))
