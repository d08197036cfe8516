"""The ward officers' workspace: commands, buttons, reminders, the report, imports and exports.

Commands (roles checked by the core; buttons checked here, since a payload can be sent by anyone):
    /canbo CODE   everyone: join as an officer with a one-time code
    /moicanbo     admins: create a code for one or more wards
    /dscanbo      admins: list officers, revoke one
    /themho       officers: add a household        /nhapho  import the ward's list (CSV/XLSX)
    /ho [TEXT]    officers: find a household by code, name or phone (with or without diacritics)
    /thamho [CODE [kind] NOTE [hẹn dd/mm]]  log a visit (dialog, or one line)
    /nhacviec     an officer's reminders: done / snooze
    /hangdoi      self-assessments households shared with the officer's wards
    /baocao       figures of the officer's wards (admins: the whole city), chart and Excel file

Reminders (job "officers.reminders", every `REMINDER_JOB_MINUTES`): rows in officer_reminders,
claimed by a conditional UPDATE and queued in the outbox with a dedup key of (reminder, due
time), so a reminder is sent once, a restart loses nothing, and a snoozed one comes again.
When they fire (local time, `Settings.timezone`), all configurable here:
    follow-ups        on the follow-up day at conversations.officers.FOLLOW_UP_TIME (07:30)
    weekly digest     DIGEST_WEEKDAY (Monday) at DIGEST_TIME: households not visited for
                      NOT_VISITED_DAYS days, follow-ups due within a week
    monthly report    from REPORT_REMINDER_DAY (the 25th) at REPORT_TIME; the deadline itself
                      is not in any source we have, so the message says to check it
    yearly review     REVIEW_START..REVIEW_END (1/9–14/12, facts.md §4.2): when it opens, and
                      REVIEW_CLOSING_DAYS before it ends
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import officers as dialogs
from conversations.context import Ctx
from conversations.payloads import as_int
from db import officers as repo
from db import outbox
from db.assessments import CATEGORY_NAMES
from db.models import SharedAssessment, User
from db.users import admin_by_invite
from domain.formatting import format_date, format_datetime
from domain.i18n import N_, Translator, pick_locale
from domain.localities import Localities
from domain.messages import Choice, Document, Reply
from domain.roles import ADMINS, EVERYONE, OFFICERS
from domain.tables import ImportResult, write_xlsx
from domain.targets import progress, start_of_year
from domain.text import fold
from handlers.menu import main_menu
from handlers.registry import (
    Command,
    Exporter,
    Importer,
    Job,
    MenuItem,
    PersonalData,
    Registry,
)
from handlers.targets import targets_for

REMINDER_JOB_MINUTES = 5
DIGEST_WEEKDAY = 0  # Monday
DIGEST_TIME = time(7, 30)
NOT_VISITED_DAYS = 30
REPORT_REMINDER_DAY = 25
REPORT_TIME = time(8, 0)
REVIEW_START = (9, 1)
REVIEW_END = (12, 14)
REVIEW_CLOSING_DAYS = 7
REVIEW_TIME = time(8, 0)
SNOOZE = timedelta(days=1)
REMINDERS_PER_PAGE = 4
QUEUE_PER_PAGE = 4
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REMINDER_LABELS = {
    "follow_up": N_("Follow-up visit: {household}"),
    "digest": N_("Weekly summary"),
    "report": N_("Monthly report"),
    "review_open": N_("The yearly review has started"),
    "review_close": N_("The yearly review ends soon"),
}


def _refuse(ctx: Ctx) -> list[Reply]:
    return [main_menu(ctx, ctx._("This command is only for ward officers and the labour office."))]


# --- joining, inviting, listing officers -------------------------------------------------------


async def join(ctx: Ctx, args: str) -> list[Reply]:
    """/canbo CODE: become an officer of the invite's wards."""
    code = args.strip()
    if not code:
        return [main_menu(ctx, ctx._("Type /canbo and the code you were given, e.g. "
                                     "/canbo ABCD2345."))]
    try:
        wards = await repo.redeem_invite(ctx.session, code, ctx.user, ctx.now)
    except repo.InviteError as exc:
        reasons = {
            "unknown": ctx._("That code is not right. Check it and type /canbo CODE again."),
            "used": ctx._("That code has already been used. Ask the labour office for a new one."),
            "expired": ctx._("That code has expired. Ask the labour office for a new one."),
            "locked_person": ctx._("Too many wrong codes. Please try again in an hour, or ask "
                                   "the labour office for help."),
            "locked_everyone": ctx._("Joining is paused for a few minutes. Please try again "
                                     "later."),
        }
        return [main_menu(ctx, reasons[exc.reason])]
    if ctx.user.role == "admin" and not wards:  # an admin invite
        return [main_menu(ctx, ctx._("Welcome! You are now an admin of the labour office. "
                                     "Type /trogiup to see your commands, e.g. /thongbao to "
                                     "send a notice, /moicanbo to invite an officer."))]
    loc = dialogs.localities(ctx)
    names = ", ".join(dialogs.ward_label(loc, w) for w in wards)
    text = ctx._("Welcome! You are now an officer of: {wards}. Start with /themho or /nhapho "
                 "to add households, /thamho to log a visit.", wards=names)
    return [main_menu(ctx, text)]


async def invite(ctx: Ctx, _args: str) -> list[Reply]:
    return await ctx.dialogs.start(ctx, "off_invite")


async def list_officers(ctx: Ctx, _args: str = "", page: int = 0) -> list[Reply]:
    """Officers with their wards, a page at a time, each with a Revoke button."""
    if ctx.user.role != "admin":
        return _refuse(ctx)
    everyone = await repo.officers(ctx.session)
    if not everyone:
        return [main_menu(ctx, ctx._("There are no officers yet. Create an invite with "
                                     "/moicanbo."))]
    shown, page, pages = dialogs.page_of(everyone, page)
    loc = dialogs.localities(ctx)
    lines = [ctx._("Officers ({count}), page {page}/{pages}:", count=len(everyone),
                   page=page + 1, pages=pages)]
    buttons = []
    for user, wards in shown:
        configured = user.role == "admin" and not await admin_by_invite(ctx.session, user)
        if user.role == "admin":
            lines.append(ctx._("#{id} ({channel}) — admin", id=user.id, channel=user.channel)
                         + (" · ADMIN_IDS" if configured else ""))
        else:
            lines.append(ctx._("#{id} ({channel}) — {wards}", id=user.id, channel=user.channel,
                               wards=", ".join(dialogs.ward_label(loc, w) for w in wards)
                               or "—"))
        if not configured and user.id != ctx.user.id:  # ADMIN_IDS admins: change the setting
            buttons.append(Choice(ctx._("🚫 Revoke #{id}", id=user.id), f"off:rv:{user.id}"))
    buttons += dialogs.page_buttons(ctx, "off:ol", page, pages)
    return [Reply("\n".join(lines), tuple(buttons))]


# --- households --------------------------------------------------------------------------------


async def add_household(ctx: Ctx, _args: str) -> list[Reply]:
    return await ctx.dialogs.start(ctx, "off_household")


async def import_households(ctx: Ctx, _args: str) -> list[Reply]:
    return await ctx.dialogs.start(ctx, "off_import")


async def find(ctx: Ctx, args: str, page: int = 0) -> list[Reply]:
    """/ho TEXT: households in the user's wards whose code, name or phone match."""
    wards = await dialogs.scope(ctx)
    query = args.strip()
    found, total = await repo.search_households(
        ctx.session, wards, query, dialogs.PAGE_SIZE, page * dialogs.PAGE_SIZE
    )
    if not total:
        text = ctx._("No household in your wards matches \"{text}\". Type /ho and a code, "
                     "name or phone, e.g. /ho HGD001.", text=query[:40]) if query else ctx._(
            "Your wards have no households yet. Add one with /themho or import the list with "
            "/nhapho.")
        return [main_menu(ctx, text)]
    pages = -(-total // dialogs.PAGE_SIZE)
    head = ctx.ngettext("{n} household found, page {page}/{pages}:",
                        "{n} households found, page {page}/{pages}:", total,
                        page=page + 1, pages=pages)
    buttons = [Choice(dialogs.household_line(ctx, h), f"off:hh:{h.id}") for h in found]
    tail = fold(query).encode("ascii", "ignore").decode()[:40]
    buttons += dialogs.page_buttons(ctx, "off:hs", page, pages, f":{tail}")
    return [Reply(head, tuple(buttons))]


async def household_card(ctx: Ctx, household_id: int) -> list[Reply]:
    """One household: its details, its last visits, and what to do next."""
    household = await repo.get_household(ctx.session, household_id, await dialogs.scope(ctx))
    if household is None:
        return [main_menu(ctx, ctx._("I cannot find that household in your wards."))]
    data = {key: getattr(household, key) for key in dialogs.HOUSEHOLD_FIELDS}
    lines = [dialogs.household_summary(ctx, data)]
    visits = await repo.last_visits(ctx.session, household.id, 3)
    if visits:
        lines.append(ctx._("Last visits:"))
    for visit in visits:
        when = format_datetime(visit.visited_at, ctx.settings.timezone)
        extra = " 📷" if visit.photo_file_id else ""
        if visit.proposed_category:
            extra += " — " + ctx._(dialogs.PROPOSAL_LABELS[visit.proposed_category])
        lines.append(f"• {when} — {ctx._(dialogs.KIND_LABELS[visit.kind])}: {visit.note[:80]}"
                     f"{extra}")
    buttons = (Choice(ctx._("📝 Log a visit"), f"off:vs:{household.id}"),
               Choice(ctx._("🔁 Change the list"), f"off:cat:{household.id}"))
    return [Reply("\n".join(lines), buttons)]


# --- visits ------------------------------------------------------------------------------------


async def visit(ctx: Ctx, args: str) -> list[Reply]:
    """/thamho: the dialog; with text, the one-line form (straight to "save")."""
    if not args.strip():
        return await ctx.dialogs.start(ctx, "off_visit")
    quick = dialogs.parse_quick_visit(args, ctx.local_now.date())
    if quick is None:
        example = "/thamho HGD001 sinh kế: đã hướng dẫn nuôi dê hẹn 15/12"
        return [main_menu(ctx, ctx._("I could not read that. Write: /thamho CODE kind note "
                                     "[hẹn dd/mm], e.g. {example}", example=example))]
    found = await repo.find_by_code(ctx.session, await dialogs.scope(ctx), quick.code)
    if len(found) != 1:
        return [main_menu(ctx, ctx._("No household in your wards has the code {code}.",
                                     code=quick.code))]
    data = {"quick": True, "household_id": found[0].id, "kind": quick.kind, "note": quick.note,
            "proposed_category": None,
            "follow_up_on": quick.follow_up_on.isoformat() if quick.follow_up_on else None}
    return await ctx.dialogs.start(ctx, "off_visit", data)


# --- reminders ---------------------------------------------------------------------------------


async def reminders(ctx: Ctx, _args: str = "", page: int = 0) -> list[Reply]:
    """/nhacviec: the officer's open reminders, each with Done and Snooze."""
    rows = await repo.open_reminders(ctx.session, ctx.user.id)
    if not rows:
        return [main_menu(ctx, ctx._("You have no reminders. Set a follow-up date when you log "
                                     "a visit (/thamho)."))]
    shown, page, pages = dialogs.page_of(rows, page, REMINDERS_PER_PAGE)
    lines = [ctx._("Your reminders, page {page}/{pages}:", page=page + 1, pages=pages)]
    buttons: list[Choice] = []
    for number, reminder in enumerate(shown, start=page * REMINDERS_PER_PAGE + 1):
        label = await _reminder_label(ctx.session, ctx.translator, reminder)
        when = format_datetime(reminder.due_at, ctx.settings.timezone)
        lines.append(f"{number}. {when} — {label}")
        buttons.append(Choice(ctx._("✔️ Done {number}", number=number), f"off:rd:{reminder.id}"))
        buttons.append(Choice(ctx._("⏰ Tomorrow {number}", number=number),
                              f"off:rs:{reminder.id}"))
    buttons += dialogs.page_buttons(ctx, "off:rl", page, pages)
    return [Reply("\n".join(lines), tuple(buttons))]


async def _reminder_label(session: AsyncSession, t: Translator, reminder: Any) -> str:
    label = t.gettext(REMINDER_LABELS.get(reminder.kind, reminder.kind))
    household = (await repo.get_household(session, reminder.household_id, None)
                 if reminder.household_id else None)
    name = f"{household.code} · {household.head_name}" if household else "—"
    return label.format(household=name)


async def reminder_done(ctx: Ctx, reminder_id: int, snooze: bool) -> list[Reply]:
    reminder = await repo.own_reminder(ctx.session, ctx.user.id, reminder_id)
    if reminder is None or reminder.status == "done":
        return [main_menu(ctx, ctx._("That reminder is already closed."))]
    if snooze:
        until = ctx.now + SNOOZE
        await repo.snooze_reminder(ctx.session, reminder, until, ctx.user, ctx.now)
        note = ctx._("I will remind you again at {when}.",
                     when=format_datetime(until, ctx.settings.timezone))
    else:
        await repo.finish_reminder(ctx.session, reminder, ctx.user, ctx.now)
        note = ctx._("Marked as done.")
    return [Reply(note), *await reminders(ctx)]


def translator_for(core: Any, user: User) -> Translator:
    locale = pick_locale(user.locale, None, core.settings.locale, set(core.catalogs))
    return core.catalogs[locale]  # type: ignore[no-any-return]


async def run_reminders(core: Any) -> None:
    """The job: plan this period's recurring reminders, then queue every due one once."""
    now: datetime = core.services.clock()
    local = now.astimezone(core.settings.tz)
    queued = 0
    async with core.sessions() as session, session.begin():
        await plan_recurring(session, local, now)
        for reminder in await repo.claim_due_reminders(session, now):
            user = await session.get(User, reminder.user_id)
            if user is None:
                continue
            t = translator_for(core, user)
            reply = await reminder_reply(session, core, t, reminder, now)
            queued += await outbox.enqueue(
                session, channel=user.channel, chat_id=user.chat_id, reply=reply,
                kind="officer_reminder", now=now, user_id=user.id,
                dedup_key=f"offrem:{reminder.id}:{int(reminder.due_at.timestamp())}",
            )
            if reminder.kind == "digest":  # information only: nothing to mark done later
                reminder.status = "done"
    if queued:
        core.services.wake_delivery()


async def plan_recurring(session: AsyncSession, local: datetime, now: datetime) -> None:
    """Add this week's digest, this month's report and this year's review reminders for every
    officer once their day and time have come (unique keys: planning again is a no-op)."""
    due: list[tuple[str, str]] = []
    year, week, _ = local.isocalendar()
    if local.weekday() == DIGEST_WEEKDAY and local.time() >= DIGEST_TIME:
        due.append(("digest", f"{year}-W{week:02d}"))
    if local.day >= REPORT_REMINDER_DAY and local.time() >= REPORT_TIME:
        due.append(("report", f"{local:%Y-%m}"))
    start, end = date(local.year, *REVIEW_START), date(local.year, *REVIEW_END)
    if start <= local.date() <= end and local.time() >= REVIEW_TIME:
        due.append(("review_open", str(local.year)))
        if local.date() >= end - timedelta(days=REVIEW_CLOSING_DAYS):
            due.append(("review_close", str(local.year)))
    if not due:
        return
    for user_id in await repo.officer_ids(session):
        for kind, period in due:
            await repo.plan_reminder(session, user_id, kind, f"{kind}:{user_id}:{period}", now,
                                     now)


async def reminder_reply(
    session: AsyncSession, core: Any, t: Translator, reminder: Any, now: datetime
) -> Reply:
    """The message of one reminder, in the officer's language, with its buttons."""
    _ = t.gettext
    local = now.astimezone(core.settings.tz)
    buttons = [Choice(_("✔️ Done"), f"off:rd:{reminder.id}"),
               Choice(_("⏰ Tomorrow"), f"off:rs:{reminder.id}")]
    if reminder.kind == "follow_up":
        household = await repo.get_household(session, reminder.household_id, None)
        name = f"{household.code} · {household.head_name}" if household else "—"
        text = _("⏰ Follow-up visit due today: {household}.").format(household=name)
        if household is not None:
            buttons.insert(0, Choice(_("📝 Log a visit"), f"off:vs:{household.id}"))
    elif reminder.kind == "digest":
        wards = await repo.wards_of(session, reminder.user_id)
        idle, follow_ups = await repo.digest_counts(
            session, reminder.user_id, wards, now - timedelta(days=NOT_VISITED_DAYS),
            local.date() + timedelta(days=7))
        text = _("📋 Weekly summary: {idle} households in your wards not visited for {days} "
                 "days; {due} follow-ups due within a week. Your reminders: /nhacviec").format(
            idle=idle, days=NOT_VISITED_DAYS, due=follow_ups)
        buttons = []
    elif reminder.kind == "report":
        text = _("📊 Time for the monthly report ({month}). Your wards' figures and an Excel "
                 "file: /baocao. Check the deadline with your ward office.").format(
            month=f"{local:%m/%Y}")
    elif reminder.kind == "review_open":
        text = _("🔎 The yearly review of poor and near-poor households runs from 1/9 to 14/12. "
                 "Log review visits with /thamho.")
    else:
        text = _("🔎 The yearly review ends on {date}. Check your figures with /baocao.").format(
            date=format_date(date(local.year, *REVIEW_END)))
    return Reply(text, tuple(buttons))


# --- shared self-assessments -------------------------------------------------------------------


async def queue(ctx: Ctx, _args: str = "", page: int = 0) -> list[Reply]:
    """/hangdoi: results households shared with the officer's wards, newest first."""
    wards = await dialogs.scope(ctx)
    loc = dialogs.localities(ctx)
    names = None if wards is None else _shared_ward_names(loc, wards)
    rows, total = await repo.assessment_queue(
        ctx.session, names, QUEUE_PER_PAGE, page * QUEUE_PER_PAGE
    )
    if not total:
        return [main_menu(ctx, ctx._("No shared self-assessments are waiting."))]
    pages = -(-total // QUEUE_PER_PAGE)
    lines = [ctx.ngettext("{n} shared self-assessment waiting, page {page}/{pages}:",
                          "{n} shared self-assessments waiting, page {page}/{pages}:", total,
                          page=page + 1, pages=pages)]
    buttons = []
    for number, (shared, handled_at) in enumerate(rows, start=page * QUEUE_PER_PAGE + 1):
        lines.append(_shared_lines(ctx, number, shared, handled_at, show_ward=wards is None))
        buttons.append(Choice(ctx._("✔️ Contacted {number}", number=number),
                              f"off:qh:{shared.id}"))
    buttons += dialogs.page_buttons(ctx, "off:q", page, pages)
    return [Reply("\n".join(lines), tuple(buttons))]


def _shared_ward_names(loc: Localities, wards: list[str]) -> list[str]:
    """How households' chosen wards are stored ("phường Phan Rang"), plus bare names."""
    return [*(dialogs.ward_label(loc, w) for w in wards), *wards]


def _shared_lines(
    ctx: Ctx, number: int, shared: SharedAssessment, handled_at: datetime | None,
    show_ward: bool,
) -> str:
    tz = ctx.settings.timezone
    category = ctx._(CATEGORY_NAMES.get(shared.category, shared.category))
    line = ctx._("{number}. {name} · {phone} · {members} people — {category} · shared {when}",
                 number=number, name=shared.name, phone=shared.phone, members=shared.members,
                 category=category, when=format_datetime(shared.shared_at, tz))
    if show_ward and shared.ward:
        line += f" · {shared.ward}"
    if shared.previous_category and shared.reassessed_at:
        previous = ctx._(CATEGORY_NAMES.get(shared.previous_category, shared.previous_category))
        line += "\n   " + ctx._("↻ Changed from {previous} to {category} on {when}",
                                  previous=previous, category=category,
                                  when=format_datetime(shared.reassessed_at, tz))
    return line


async def mark_contacted(ctx: Ctx, shared_id: int) -> list[Reply]:
    shared = await ctx.session.get(SharedAssessment, shared_id)
    wards = await dialogs.scope(ctx)
    allowed = wards is None or (shared is not None and shared.ward in _shared_ward_names(
        dialogs.localities(ctx), wards))
    if shared is None or not allowed:
        return [main_menu(ctx, ctx._("That result is no longer in your queue."))]
    await repo.mark_handled(ctx.session, shared, ctx.user, ctx.now)
    return [Reply(ctx._("Marked as contacted.")), *await queue(ctx)]


# --- the report --------------------------------------------------------------------------------


def report_periods(now: datetime, tz: Any) -> dict[str, datetime]:
    """The start of this month and year (local midnight, as UTC) and the not-visited cut-off."""
    local = now.astimezone(tz)
    month = datetime(local.year, local.month, 1, tzinfo=tz).astimezone(UTC)
    year = datetime(local.year, 1, 1, tzinfo=tz).astimezone(UTC)
    return {"month_start": month, "year_start": year,
            "cutoff": now - timedelta(days=NOT_VISITED_DAYS)}


async def figures_for(ctx: Ctx) -> tuple[list[repo.WardFigures], bool]:
    wards = await dialogs.scope(ctx)
    city = wards is None
    names = dialogs.city_wards(dialogs.localities(ctx)) if city else wards
    rows = await repo.report(ctx.session, names or [],
                             **report_periods(ctx.now, ctx.settings.tz))
    return rows, city


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else ("−" + str(-n) if n < 0 else "0")


def _rate(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def total_figures(rows: list[repo.WardFigures], name: str) -> repo.WardFigures:
    total = repo.WardFigures(name)
    for row in rows:
        for category, count in row.by_category.items():
            total.by_category[category] = total.by_category.get(category, 0) + count
        total.visits_this_month += row.visits_this_month
        total.not_visited += row.not_visited
        total.changes.extend(row.changes)
    return total


def _figure_lines(ctx: Ctx, row: repo.WardFigures, label: str) -> list[str]:
    counts = {c: row.by_category.get(c, 0) for c in repo.CATEGORIES}
    start = start_of_year(counts, row.changes)
    return [
        ctx._("📍 {ward}: {total} households — poor {poor}, near-poor {near}, newly escaped "
              "{escaped}, other {other}", ward=label, total=row.households, poor=counts["poor"],
              near=counts["near_poor"], escaped=counts["escaped"], other=counts["other"]),
        ctx._("   Visits this month: {visits} · not visited for {days} days: {idle}",
              visits=row.visits_this_month, days=NOT_VISITED_DAYS, idle=row.not_visited),
        ctx._("   Since 1/1: poor {poor_start} → {poor} ({poor_change}), near-poor "
              "{near_start} → {near} ({near_change})", poor_start=start.get("poor", 0),
              poor=counts["poor"], poor_change=_signed(counts["poor"] - start.get("poor", 0)),
              near_start=start.get("near_poor", 0), near=counts["near_poor"],
              near_change=_signed(counts["near_poor"] - start.get("near_poor", 0))),
    ]


async def _target_lines(ctx: Ctx, total: repo.WardFigures, year: int) -> list[str]:
    targets = await targets_for(ctx, year)
    if targets is None:
        lines = [ctx._("🎯 There are no targets for {year} yet, so the figures are not compared "
                       "with a target.", year=year)]
        if ctx.user.role == "admin":
            lines.append(ctx._("You can set the year's targets with /chitieu."))
        return lines
    counts = {c: total.by_category.get(c, 0) for c in repo.CATEGORIES}
    start = start_of_year(counts, total.changes)
    poor = progress(start.get("poor", 0), counts["poor"], targets.poor)
    near = progress(start.get("near_poor", 0), counts["near_poor"], targets.near_poor)
    lines = [
        ctx._("🎯 Targets {year}: {title}", year=year, title=targets.title),
        ctx._("• Poor households: reduce by {target} ({rate_from}% → {rate_to}%); so far "
              "{done}", target=targets.poor.reduce_by, rate_from=_rate(targets.poor.rate_from),
              rate_to=_rate(targets.poor.rate_to), done=_signed(-poor.reduced)),
        ctx._("• Near-poor households: reduce by {target} ({rate_from}% → {rate_to}%); so far "
              "{done}", target=targets.near_poor.reduce_by,
              rate_from=_rate(targets.near_poor.rate_from),
              rate_to=_rate(targets.near_poor.rate_to), done=_signed(-near.reduced)),
    ]
    if targets.new_houses is not None:
        lines.append(ctx._("• New houses for poor households: {count} (not tracked by the bot)",
                           count=targets.new_houses))
    lines.append(ctx._("Source: {source}", source="; ".join(targets.sources)))
    return lines


async def report(ctx: Ctx, _args: str = "") -> list[Reply]:
    """/baocao: the figures as text, a chart, and a button for the Excel file."""
    from handlers.charts import BarChart, render

    rows, city = await figures_for(ctx)
    if not rows:
        return [main_menu(ctx, ctx._("You are not an officer of any ward yet."))]
    loc = dialogs.localities(ctx)
    when = format_datetime(ctx.now, ctx.settings.timezone)
    scope_name = loc.city if city else ", ".join(dialogs.ward_label(loc, r.ward) for r in rows)
    lines = [ctx._("📊 Figures at {when} — {scope}", when=when, scope=scope_name)]
    for row in rows:
        lines += _figure_lines(ctx, row, dialogs.ward_label(loc, row.ward))
    if city:
        total = total_figures(rows, loc.city)
        lines += _figure_lines(ctx, total, ctx._("Whole city"))
        lines += await _target_lines(ctx, total, ctx.local_now.year)
    chart = BarChart(
        title=ctx._("Households by list — {scope}", scope=loc.city if city else scope_name),
        groups=[r.ward for r in rows],
        series=[ctx._(label) for label in dialogs.CATEGORY_LABELS.values()],
        values=[[r.by_category.get(c, 0) for r in rows] for c in dialogs.CATEGORY_LABELS],
        y_label=ctx._("Households"),
    )
    # The Excel button rides on the chart's own message, so it is not below a tall picture.
    # Drawing takes ~0.1 s of CPU: in a thread, so other people are answered meanwhile.
    image = Reply(ctx._("Chart: households by list"), (Choice(ctx._("📥 Excel file"), "off:rx"),),
                  image=await asyncio.to_thread(render, chart))
    return [Reply("\n".join(lines)), image]


def report_table(ctx: Ctx, rows: list[repo.WardFigures]) -> tuple[list[str], list[list[Any]]]:
    headers = [ctx._("Ward"), *(ctx._(label) for label in dialogs.CATEGORY_LABELS.values()),
               ctx._("Total"), ctx._("Visits this month"),
               ctx._("Not visited for {days} days", days=NOT_VISITED_DAYS),
               ctx._("Poor at 1/1"), ctx._("Near-poor at 1/1")]
    table = []
    for row in rows:
        counts = {c: row.by_category.get(c, 0) for c in repo.CATEGORIES}
        start = start_of_year(counts, row.changes)
        table.append([row.ward, *counts.values(), row.households, row.visits_this_month,
                      row.not_visited, start.get("poor", 0), start.get("near_poor", 0)])
    return headers, table


async def report_xlsx(ctx: Ctx) -> list[Reply]:
    rows, city = await figures_for(ctx)
    if city:
        rows = [*rows, total_figures(rows, ctx._("Whole city"))]
    headers, table = report_table(ctx, rows)
    name = f"baocao-{ctx.local_now:%Y-%m-%d}.xlsx"
    data = await asyncio.to_thread(write_xlsx, headers, table, ctx._("Report"))
    document = Document(data, name, XLSX_MIME)
    return [Reply(ctx._("The figures as an Excel file."), document=document)]


# --- buttons -----------------------------------------------------------------------------------


async def on_button(ctx: Ctx, payload: str) -> list[Reply]:
    """Every "off:" button; households and other citizens get a refusal."""
    if ctx.user.role not in OFFICERS:
        return _refuse(ctx)
    _, action, rest = payload.split(":", 2) if payload.count(":") >= 2 else (*payload.split(
        ":", 1), "")
    number, _sep, tail = rest.partition(":")
    value = as_int(number) or 0
    if action == "ol":
        return await list_officers(ctx, page=value)
    if action == "rv":
        if ctx.user.role != "admin":
            return _refuse(ctx)
        return await ctx.dialogs.start(ctx, "off_revoke", {"officer_id": value})
    if action == "hs":
        return await find(ctx, tail, value)
    if action == "hh":
        return await household_card(ctx, value)
    if action == "vs":
        if await repo.get_household(ctx.session, value, await dialogs.scope(ctx)) is None:
            return [main_menu(ctx, ctx._("I cannot find that household in your wards."))]
        return await ctx.dialogs.start(ctx, "off_visit", {"household_id": value})
    if action == "cat":
        if await repo.get_household(ctx.session, value, await dialogs.scope(ctx)) is None:
            return [main_menu(ctx, ctx._("I cannot find that household in your wards."))]
        return await ctx.dialogs.start(ctx, "off_category", {"household_id": value})
    if action == "rl":
        return await reminders(ctx, page=value)
    if action in ("rd", "rs"):
        return await reminder_done(ctx, value, snooze=action == "rs")
    if action == "q":
        return await queue(ctx, page=value)
    if action == "qh":
        return await mark_contacted(ctx, value)
    if action == "rx":
        return await report_xlsx(ctx)
    return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]


# --- imports, exports, personal data -----------------------------------------------------------


async def run_import(
    core: Any, rows: list[Any], translator: Translator, actor_user_id: int | None
) -> ImportResult:
    """`giamngheo admin import households FILE` (and the same rules as /nhapho)."""
    loc: Localities = core.services.content["localities"]
    now = core.services.clock()
    async with core.sessions() as session, session.begin():
        actor = await session.get(User, actor_user_id) if actor_user_id is not None else None
        wards = dialogs.city_wards(loc)
        if actor is not None and actor.role != "admin":
            wards = await repo.wards_of(session, actor.id)
        count, errors = await dialogs.import_rows(
            session, rows, translator, loc, wards, now.astimezone(core.settings.tz).year,
            actor, now,
        )
    return ImportResult(count, errors)


EXPORT_CATEGORY = {"poor": "nghèo", "near_poor": "cận nghèo", "escaped": "mới thoát nghèo",
                   "other": "khác"}


async def run_export(core: Any, translator: Translator) -> tuple[list[str], list[list[Any]]]:
    """Every household, in the import's own columns (so the file can be edited and re-imported)."""
    loc: Localities = core.services.content["localities"]
    async with core.sessions() as session:
        households = await repo.all_households(session, None)
    headers = ["Phường", "Mã hộ", "Họ tên chủ hộ", "Địa chỉ", "Số điện thoại", "Số nhân khẩu",
               "Phân loại", "Năm", "Ghi chú"]
    rows = [[dialogs.ward_label(loc, h.ward), h.code, h.head_name, h.address, h.phone or "",
             h.members, EXPORT_CATEGORY.get(h.category, h.category), h.category_year,
             h.notes or ""] for h in households]
    return headers, rows


async def _officer_lines(ctx: Ctx) -> list[str]:
    wards = await repo.wards_of(ctx.session, ctx.user.id)
    if not wards:
        return []
    loc = dialogs.localities(ctx)
    open_count = len(await repo.open_reminders(ctx.session, ctx.user.id))
    return [ctx._("• Ward officer of: {wards}; open reminders: {count}",
                  wards=", ".join(dialogs.ward_label(loc, w) for w in wards), count=open_count)]


async def _delete_officer(ctx: Ctx) -> int:
    return await repo.delete_officer_data(ctx.session, ctx.user.id)


# --- menu entries ------------------------------------------------------------------------------


async def _menu_visit(ctx: Ctx) -> list[Reply]:
    return await visit(ctx, "")


async def _menu_reminders(ctx: Ctx) -> list[Reply]:
    return await reminders(ctx)


async def _menu_report(ctx: Ctx) -> list[Reply]:
    return await report(ctx)


async def _menu_queue(ctx: Ctx) -> list[Reply]:
    return await queue(ctx)


async def _menu_find(ctx: Ctx) -> list[Reply]:
    return await find(ctx, "")


def register(registry: Registry) -> None:
    """The officers' workspace: dialogs, commands, buttons, menu, job, import/export, data."""
    for dialog in dialogs.DIALOGS:
        registry.dialog(dialog)
    registry.command(Command("canbo", N_("Join as a ward officer with your code"), join,
                             EVERYONE))
    registry.command(Command("moicanbo", N_("Invite a ward officer"), invite, ADMINS))
    registry.command(Command("dscanbo", N_("List and revoke officers"), list_officers, ADMINS))
    registry.command(Command("themho", N_("Add a household"), add_household, OFFICERS))
    registry.command(Command("nhapho", N_("Import the ward's household list"),
                             import_households, OFFICERS))
    registry.command(Command("ho", N_("Find a household"), find, OFFICERS))
    registry.command(Command("thamho", N_("Log a visit"), visit, OFFICERS))
    registry.command(Command("nhacviec", N_("Your reminders"), reminders, OFFICERS))
    registry.command(Command("hangdoi", N_("Self-assessments shared with your wards"), queue,
                             OFFICERS))
    registry.command(Command("baocao", N_("Your wards' figures"), report, OFFICERS))
    registry.choice_prefix("off", on_button)
    # orders 1-5: an officer's own work comes first in their menu (households never see it)
    registry.menu_item(MenuItem("off_visit", N_("📝 Log a visit"), _menu_visit, OFFICERS, 1))
    registry.menu_item(MenuItem("off_find", N_("🏘️ Households"), _menu_find, OFFICERS, 2))
    registry.menu_item(MenuItem("off_reminders", N_("⏰ Reminders"), _menu_reminders, OFFICERS,
                                3))
    registry.menu_item(MenuItem("off_queue", N_("📥 Shared self-assessments"), _menu_queue,
                                OFFICERS, 4))
    registry.menu_item(MenuItem("off_report", N_("📊 Figures"), _menu_report, OFFICERS, 5))
    registry.job(Job("officers.reminders", run_reminders, minutes=REMINDER_JOB_MINUTES))
    registry.importer(Importer("households", run_import))
    registry.exporter(Exporter("households", run_export))
    registry.personal_data.append(
        PersonalData(N_("ward officer role"), _officer_lines, _delete_officer)
    )
