"""An officer's reminders: /nhacviec (done / snooze) and the job that sends them.

Reminders (job "officers.reminders", every `REMINDER_JOB_MINUTES`): rows in officer_reminders,
claimed by a conditional UPDATE and queued in the outbox with a dedup key of (reminder, due
time), so a reminder is sent once, a restart loses nothing, and a snoozed one comes again.
When they fire (local time, `Settings.timezone`), all configurable here:
    follow-ups        on the follow-up day at conversations.officers.visit.FOLLOW_UP_TIME (07:30)
    weekly digest     DIGEST_WEEKDAY (Monday) at DIGEST_TIME: households not visited for
                      NOT_VISITED_DAYS days, follow-ups due within a week
    monthly report    from REPORT_REMINDER_DAY (the 25th) at REPORT_TIME; the deadline itself
                      is not in any source we have, so the message says to check it
    yearly review     REVIEW_START..REVIEW_END (1/9–14/12, facts.md §4.2): when it opens, and
                      REVIEW_CLOSING_DAYS before it ends
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import paging
from conversations.context import Ctx
from db import outbox
from db.models import User
from db.officers import households as households_repo
from db.officers import roster as roster_repo
from db.officers import visits as repo
from domain.formatting import format_date, format_datetime
from domain.i18n import N_, Translator, pick_locale
from domain.messages import Choice, Reply
from handlers.menu import main_menu
from handlers.officers.buttons import OfficerButton
from handlers.officers.report import NOT_VISITED_DAYS

REMINDER_JOB_MINUTES = 5
DIGEST_WEEKDAY = 0  # Monday
DIGEST_TIME = time(7, 30)
REPORT_REMINDER_DAY = 25
REPORT_TIME = time(8, 0)
REVIEW_START = (9, 1)
REVIEW_END = (12, 14)
REVIEW_CLOSING_DAYS = 7
REVIEW_TIME = time(8, 0)
SNOOZE = timedelta(days=1)
REMINDERS_PER_PAGE = 4

REMINDER_LABELS = {
    "follow_up": N_("Follow-up visit: {household}"),
    "digest": N_("Weekly summary"),
    "report": N_("Monthly report"),
    "review_open": N_("The yearly review has started"),
    "review_close": N_("The yearly review ends soon"),
}



async def reminders(ctx: Ctx, _args: str = "", page: int = 0) -> list[Reply]:
    """/nhacviec: the officer's open reminders, each with Done and Snooze."""
    rows = await repo.open_reminders(ctx.session, ctx.user.id)
    if not rows:
        return [main_menu(ctx, ctx._("You have no reminders. Set a follow-up date when you log "
                                     "a visit (/thamho)."))]
    shown, page, pages = paging.page_of(rows, page, REMINDERS_PER_PAGE, first=0)
    lines = [ctx._("Your reminders, page {page}/{pages}:", page=page + 1, pages=pages)]
    buttons: list[Choice] = []
    for number, reminder in enumerate(shown, start=page * REMINDERS_PER_PAGE + 1):
        label = await _reminder_label(ctx.session, ctx.translator, reminder)
        when = format_datetime(reminder.due_at, ctx.settings.timezone)
        lines.append(f"{number}. {when} — {label}")
        buttons.append(Choice(ctx._("✔️ Done {number}", number=number),
                              OfficerButton("rd", reminder.id).pack()))
        buttons.append(Choice(ctx._("⏰ Tomorrow {number}", number=number),
                              OfficerButton("rs", reminder.id).pack()))
    buttons += paging.page_buttons(ctx, lambda n: OfficerButton("rl", n).pack(), page, pages,
                                   first=0)
    return [Reply("\n".join(lines), tuple(buttons))]


async def _reminder_label(session: AsyncSession, t: Translator, reminder: Any) -> str:
    label = t.gettext(REMINDER_LABELS.get(reminder.kind, reminder.kind))
    household = (await households_repo.get_household(session, reminder.household_id, None)
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
    for user_id in await roster_repo.officer_ids(session):
        for kind, period in due:
            await repo.plan_reminder(session, user_id, kind, f"{kind}:{user_id}:{period}", now,
                                     now)


async def reminder_reply(
    session: AsyncSession, core: Any, t: Translator, reminder: Any, now: datetime
) -> Reply:
    """The message of one reminder, in the officer's language, with its buttons."""
    _ = t.gettext
    local = now.astimezone(core.settings.tz)
    buttons = [Choice(_("✔️ Done"), OfficerButton("rd", reminder.id).pack()),
               Choice(_("⏰ Tomorrow"), OfficerButton("rs", reminder.id).pack())]
    if reminder.kind == "follow_up":
        household = await households_repo.get_household(session, reminder.household_id, None)
        name = f"{household.code} · {household.head_name}" if household else "—"
        text = _("⏰ Follow-up visit due today: {household}.").format(household=name)
        if household is not None:
            visit = OfficerButton("vs", household.id).pack()
            buttons.insert(0, Choice(_("📝 Log a visit"), visit))
    elif reminder.kind == "digest":
        wards = await roster_repo.wards_of(session, reminder.user_id)
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

