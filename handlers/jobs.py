"""The job board: /vieclam (current notices, paginated, by ward and trade; expired ones are
gone), /vieclammoi (post a notice or import a sheet, admins), /timviec (a job-seeker profile),
/xuattimviec (admins: the profiles as XLSX); the importer "jobs" and the exporter "jobseekers"
for `giamngheo admin import|export`, and the seeker profile's personal-data section (its columns
and line come from the profile record, conversations/job_seeker.py `SEEKER_PROFILE`).

List buttons are `Board` payloads: "job:<action>:<page>:<ward>:<trade>:<job>", the list ("l"),
one notice ("s"), the ward or trade filter choices ("fw", "ft"), or the profile ("seeker").
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from conversations import job_seeker as seeking
from conversations import jobs as dialogs
from conversations import paging
from conversations.answers import ward_names
from conversations.context import Ctx
from conversations.payloads import Payload, payload
from db import jobs as job_repo
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

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ANY_TRADE = "-"
TRADE_KEYS = (ANY_TRADE, *dialogs.TRADES)


@payload("job")
class Board(Payload):
    """A job-board button. The list's filters go along: `ward` (its place in today's list,
    from 1; 0: every ward) and `trade` ("-": every trade); `job`: the notice shown."""

    action: Literal["l", "s", "fw", "ft", "seeker"]
    page: int = 1
    ward: int = 0
    trade: Literal[TRADE_KEYS] = ANY_TRADE
    job: int = 0


# -- the list ---------------------------------------------------------------------------------


def _ward_name(ctx: Ctx, ward: int) -> str | None:
    names = ward_names(ctx)
    return names[ward - 1] if 1 <= ward <= len(names) else None


async def list_page(ctx: Ctx, page: int = 1, ward: int = 0, trade: str = ANY_TRADE) -> Reply:
    """One page of current notices (at most PAGE_SIZE), with detail, filter and page buttons."""
    ward_name = _ward_name(ctx, ward)
    trade_id = trade if trade in dialogs.TRADES else None
    ward, trade = (ward if ward_name else 0), (trade if trade_id else ANY_TRADE)
    jobs = await job_repo.current_notices(ctx.session, ctx.local_now.date(), ward=ward_name,
                                      trade=trade_id)
    shown, page, pages = paging.page_of(jobs, page)
    heading = [ctx._("Current job notices")]
    if ward_name or trade_id:
        heading.append(ctx._("Filter: {filters}", filters=", ".join(
            x for x in (ward_name, ctx._(dialogs.TRADES[trade_id]) if trade_id else None) if x)))
    if not jobs:
        heading.append(ctx._("There are no open job notices here right now. Subscribe with "
                             "/theodoi to hear about new ones."))
    elif pages > 1:
        heading.append(ctx._("Page {page}/{pages}", page=page, pages=pages))
    choices = []
    for number, job in enumerate(shown, start=(page - 1) * paging.PAGE_SIZE + 1):
        heading.append(ctx._("{number}. {title} — {employer}, until {date}", number=number,
                             title=job.title, employer=job.employer,
                             date=format_date(job.deadline)))
        label = f"{number}. {job.title}"
        choices.append(Choice(label if len(label) <= 40 else label[:39] + "…",
                              Board("s", page, ward, trade, job.id).pack()))
    choices += paging.page_buttons(ctx, lambda n: Board("l", n, ward, trade).pack(), page,
                                   pages)
    choices.append(Choice(ctx._("📍 By ward"), Board("fw", trade=trade).pack()))
    choices.append(Choice(ctx._("🔧 By trade"), Board("ft", ward=ward).pack()))
    if ward_name or trade_id:
        choices.append(Choice(ctx._("All notices"), Board("l").pack()))
    return Reply("\n".join(heading), tuple(choices))


async def _show(ctx: Ctx, pressed: Board) -> list[Reply]:
    job = await job_repo.notice(ctx.session, pressed.job) if pressed.job else None
    if job is None or job.deadline < ctx.local_now.date():
        return [await list_page(ctx)]
    back = Board("l", pressed.page, pressed.ward, pressed.trade)
    return [Reply(dialogs.notice_text(ctx.translator, job), (
        Choice(ctx._("◀️ Back to the list"), back.pack()),
        Choice(ctx._("📝 My job-seeker profile"), Board("seeker").pack()),
    ))]


async def on_choice(ctx: Ctx, payload: str) -> list[Reply]:
    """Routes `job:…` buttons, pressed or typed, from anywhere."""
    pressed = Board.unpack(payload)
    if pressed is None:
        return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]
    if pressed.action == "l":
        return [await list_page(ctx, pressed.page, pressed.ward, pressed.trade)]
    if pressed.action == "s":
        return await _show(ctx, pressed)
    if pressed.action == "fw":
        choices = [Choice(name, Board("l", 1, n, pressed.trade).pack())
                   for n, name in enumerate(ward_names(ctx), start=1)]
        return [Reply(ctx._("Which ward?"), tuple(choices))]
    if pressed.action == "ft":
        return [Reply(ctx._("Which trade?"), tuple(
            Choice(ctx._(label), Board("l", 1, pressed.ward, key).pack())
            for key, label in dialogs.TRADES.items()))]
    return await ctx.dialogs.start(ctx, seeking.SEEKER.name)


async def _list_command(ctx: Ctx, args: str) -> list[Reply]:
    """/vieclam, or /vieclam <ward or trade> to filter at once."""
    words = args.strip()
    if words:
        trade = dialogs.trade_by_text(words, ctx.translator)
        localities = ctx.services.content.get("localities")
        match = find_unit(localities, words) if localities else None
        names = ward_names(ctx)
        if match and match.current_unit and match.current_unit.full_name in names:
            return [await list_page(ctx, 1, names.index(match.current_unit.full_name) + 1)]
        if trade:
            return [await list_page(ctx, 1, 0, trade)]
    return [await list_page(ctx)]


async def _list_menu(ctx: Ctx) -> list[Reply]:
    return [await list_page(ctx)]


async def _new_notice(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, dialogs.NEW_NOTICE.name)


async def _seeker(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, seeking.SEEKER.name)


async def _seeker_menu(ctx: Ctx) -> list[Reply]:
    return await _seeker(ctx)


# -- export, import -------------------------------------------------------------------------


def seeker_rows(t: Translator, rows: list[job_repo.JobSeeker], tz: str) -> tuple[list[str],
                                                                            list[list[Any]]]:
    headers = [*seeking.SEEKER_PROFILE.headers(t), t.gettext("Updated")]
    return headers, [[*seeking.SEEKER_PROFILE.cells(t, s), format_datetime(s.updated_at, tz)]
                     for s in rows]


async def _export_seekers(ctx: Ctx, _args: str = "") -> list[Reply]:
    """/xuattimviec: the job-seeker profiles as an XLSX file."""
    headers, rows = seeker_rows(ctx.translator, await job_repo.seekers(ctx.session),
                                ctx.settings.timezone)
    data = await asyncio.to_thread(write_xlsx, headers, rows, "timviec")
    text = ctx.ngettext("{n} job-seeker profile.", "{n} job-seeker profiles.", len(rows))
    return [Reply(text, document=Document(data, "timviec.xlsx", XLSX))]


async def export_seekers(core: Core, translator: Translator) -> tuple[list[str], list[list[Any]]]:
    async with core.sessions() as session:
        return seeker_rows(translator, await job_repo.seekers(session), core.settings.timezone)


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
    mine = await job_repo.seeker(ctx.session, ctx.user.id)
    if mine is None:
        return []
    fields = "; ".join(seeking.SEEKER_PROFILE.lines(ctx.translator, mine, "personal"))
    return [ctx._("• Job-seeker profile: {fields}", fields=fields)]


async def _delete_profile(ctx: Ctx) -> int:
    return await job_repo.delete_seeker(ctx.session, ctx.user.id)


def register(registry: Registry) -> None:
    registry.dialog(dialogs.NEW_NOTICE)
    registry.dialog(seeking.SEEKER)
    registry.command(Command("vieclam", N_("Job notices (add a ward or trade to filter)"),
                             _list_command))
    registry.command(Command("timviec", N_("Leave a job-seeker profile"), _seeker))
    registry.command(Command("vieclammoi", N_("Post job notices"), _new_notice, roles=ADMINS))
    registry.command(Command("xuattimviec", N_("Export job-seeker profiles"), _export_seekers,
                             roles=ADMINS))
    registry.menu_item(MenuItem("jobs", N_("💼 Job notices"), _list_menu, order=50))
    registry.menu_item(MenuItem("seeker", N_("📝 I am looking for work"), _seeker_menu,
                                order=55))
    registry.choice_prefix(Board.PREFIX, on_choice)
    registry.importer(Importer("jobs", import_jobs))
    registry.exporter(Exporter("jobseekers", export_seekers))
    registry.personal_data.append(PersonalData(
        N_("job-seeker profile"), _show_profile, _delete_profile))
