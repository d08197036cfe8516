"""The vocational-courses feature: households browse and sign up (/khoahoc), cancel (/huydangky)
and are reminded the day before a course starts; admins add, import, edit, close or cancel
courses (/khoahocmoi) and see and export who signed up (/dangkykhoahoc, `giamngheo admin
export registrations`).

Pages are stateless behind buttons, so they work from anywhere:

    kh:list:<filter>:<page>   open courses; filter "all", "t-<trade>" or "w-<ward>"
    kh:trades / kh:wards       the filter choices
    kh:show:<id>               one course;  kh:join:<id> starts the sign-up dialog
    kh:cancel:<reg> / kh:cancelok:<reg>   cancel a registration (confirm first)
    kq:list:<page>             admins: courses with counts
    kq:course:<id>:<page>      admins: one course and its registrants
    kq:st:<id>:<status> / kq:stok:<id>:<status>   close, cancel or reopen (confirm first)
    kq:edit:<id>  kq:new  kq:export:<csv|xlsx>[:<id>]

Reminders: the job "course-reminders" runs every REMINDER_EVERY_MINUTES minutes and, from
COURSE_REMINDER_TIME (local time, Asia/Ho_Chi_Minh by default) on the day before a course
starts, queues one reminder per registrant with the outbox dedup key
"course-reminder:<registration id>": the database, not the process, remembers what was sent, so
a restart or a second process never sends it twice, and a run missed at 08:00 is made up by the
next one that day.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from conversations import courses as dialogs
from conversations.answers import labour_office_name
from conversations.context import Ctx
from conversations.courses import (
    HOUSEHOLD_NAMES,
    LEVEL_NAMES,
    STATUS_NAMES,
    Env,
    notice,
    notify_promoted,
    notify_registrants,
    page_buttons,
    page_of,
    queue_notice,
    slug,
)
from db import courses as repo
from db.courses import Course, CourseRegistration
from db.models import User
from domain.formatting import format_date, format_datetime
from domain.i18n import N_, Translator
from domain.messages import Choice, Document, Reply
from domain.roles import ADMINS
from domain.tables import ImportResult, Row, write_csv, write_xlsx
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

if TYPE_CHECKING:
    from handlers.core import Core

log = logging.getLogger("giamngheo.courses")

PREFIX = "kh"
ADMIN_PREFIX = "kq"
# When reminders go out on the day before a course starts, local time. A module constant on
# purpose (settings belong to the composition root): change it here and restart.
COURSE_REMINDER_TIME = "08:00"
REMINDER_EVERY_MINUTES = 5
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REG_STATUS_NAMES = {repo.REGISTERED: N_("has a place"), repo.WAITLIST: N_("waiting"),
                    repo.CANCELLED: N_("cancelled")}


def _today(ctx: Ctx) -> date:
    return ctx.local_now.date()


def _is_admin(ctx: Ctx) -> bool:
    return ctx.user.role in ADMINS


def _refused(ctx: Ctx) -> list[Reply]:
    return [main_menu(ctx, ctx._("This command is only for ward officers and the labour "
                                 "office."))]


def _arg(parts: Sequence[str], index: int, default: int = 1) -> int:
    try:
        return int(parts[index])
    except (IndexError, ValueError):
        return default


# --- households: the catalogue ------------------------------------------------------------------


def _free_text(ctx: Ctx, course: Course, counts: repo.Counts) -> str:
    free = course.capacity - counts.registered
    if free > 0:
        return ctx.ngettext("{n} place left", "{n} places left", free)
    return ctx._("full, waiting list open")


def _matches(course: Course, filter_id: str) -> bool:
    if filter_id.startswith("t-"):
        return slug(course.trade) == filter_id[2:]
    if filter_id.startswith("w-"):
        return slug(course.ward) == filter_id[2:]
    return True


async def list_reply(ctx: Ctx, filter_id: str = "all", page: int = 1) -> Reply:
    """Open courses (filtered), a page of them, with a button each."""
    found = [c for c in await repo.courses(ctx.session, accepting_on=_today(ctx))
             if _matches(c, filter_id)]
    counts = await repo.counts(ctx.session)
    filters = [Choice(ctx._("🔧 By trade"), "kh:trades"), Choice(ctx._("📍 By ward"), "kh:wards")]
    if filter_id != "all":
        filters.append(Choice(ctx._("All courses"), "kh:list:all:1"))
    if not found:
        return Reply(ctx._("No course is taking sign-ups right now. Please look again later, "
                           "or ask the {office}.", office=labour_office_name(ctx)),
                     tuple(filters))
    shown, page, pages = page_of(found, page)
    first = (page - 1) * dialogs.PAGE_SIZE
    lines = [ctx._("Vocational courses taking sign-ups. Choose one to see the details and the "
                   "support:")]
    buttons = []
    for number, course in enumerate(shown, start=first + 1):
        lines.append(ctx._("{number}. {title} — {ward}, from {date}; {free}", number=number,
                           title=course.title, ward=course.ward,
                           date=format_date(course.starts_on),
                           free=_free_text(ctx, course, counts.get(course.id, repo.Counts()))))
        buttons.append(Choice(f"{number}. {course.title}"[:60], f"kh:show:{course.id}"))
    if pages > 1:
        lines.append(ctx._("Page {page}/{pages}", page=page, pages=pages))
    buttons += page_buttons(ctx, f"kh:list:{filter_id}", page, pages)
    return Reply("\n".join(lines), (*buttons, *filters))


def _filter_reply(ctx: Ctx, courses: Sequence[Course], by: str) -> Reply:
    names = sorted({c.trade if by == "t" else c.ward for c in courses})
    buttons = [Choice(name[:60], f"kh:list:{by}-{slug(name)}:1") for name in names[:20]]
    text = ctx._("Which trade?") if by == "t" else ctx._("Which ward?")
    return Reply(text, (*buttons, Choice(ctx._("All courses"), "kh:list:all:1")))


def course_text(ctx: Ctx, course: Course, counts: repo.Counts) -> str:
    """Everything a household needs to decide, with the support and its source."""
    lines = [
        f"🎓 {course.title} ({course.code})",
        ctx._("Trade: {trade}; level: {level}", trade=course.trade,
              level=ctx._(LEVEL_NAMES.get(course.level, course.level))),
        ctx._("From {start} to {end}", start=format_date(course.starts_on),
              end=format_date(course.ends_on)),
        ctx._("Schedule: {schedule}", schedule=course.schedule),
        ctx._("Place: {place}, {ward}", place=course.place, ward=course.ward),
        ctx._("Places: {capacity} ({free})", capacity=course.capacity,
              free=_free_text(ctx, course, counts)),
    ]
    if course.deadline:
        lines.append(ctx._("Sign up by: {date}", date=format_date(course.deadline)))
    lines += [
        ctx._("For: {audience}", audience=course.audience),
        ctx._("Support: {support} (source: {source})", support=course.support,
              source=course.support_source),
        ctx._("ℹ️ Support levels may have changed: ask the {office} to confirm.",
              office=labour_office_name(ctx)),
        ctx._("Contact: {contact}", contact=course.contact),
    ]
    if course.status != "open":
        lines.append(ctx._("Status: {status}",
                           status=ctx._(STATUS_NAMES.get(course.status, course.status))))
    return "\n".join(lines)


async def show_course(ctx: Ctx, course_id: int) -> list[Reply]:
    """One course; "Sign up" (or the waitlist), or "Cancel my sign-up" when already on it."""
    course = await repo.course(ctx.session, course_id)
    if course is None:
        return [await list_reply(ctx)]
    counts = await repo.count_for(ctx.session, course.id)
    mine = await repo.active_for(ctx.session, course.id, ctx.user.id)
    buttons = []
    text = course_text(ctx, course, counts)
    if mine is not None:
        text += "\n" + ctx._("You are signed up (code {code}).", code=mine.code)
        buttons.append(Choice(ctx._("❌ Cancel my sign-up"), f"kh:cancel:{mine.id}"))
    elif course.accepting(_today(ctx)):
        full = counts.registered >= course.capacity
        label = ctx._("📝 Join the waiting list") if full else ctx._("📝 Sign up")
        buttons.append(Choice(label, f"kh:join:{course.id}"))
    buttons.append(Choice(ctx._("⬅️ List"), "kh:list:all:1"))
    return [Reply(text, tuple(buttons))]


async def browse(ctx: Ctx, _args: str = "") -> list[Reply]:
    return [await list_reply(ctx)]


async def _browse_menu(ctx: Ctx) -> list[Reply]:
    return await browse(ctx)


# --- households: cancelling ---------------------------------------------------------------------


async def _own(ctx: Ctx, reg_id: int) -> tuple[CourseRegistration, Course] | None:
    reg = await repo.registration(ctx.session, reg_id)
    if reg is None or reg.user_id != ctx.user.id or reg.status not in repo.ACTIVE:
        return None
    course = await repo.course(ctx.session, reg.course_id)
    return (reg, course) if course is not None else None


async def confirm_cancel(ctx: Ctx, reg_id: int) -> list[Reply]:
    found = await _own(ctx, reg_id)
    if found is None:
        return [main_menu(ctx, ctx._("That sign-up is no longer active."))]
    reg, course = found
    return [Reply(ctx._("Cancel your sign-up for {title} (code {code})?", title=course.title,
                        code=reg.code),
                  (Choice(ctx._("✅ Yes, cancel it"), f"kh:cancelok:{reg.id}"),
                   Choice(ctx._("No, keep it"), f"kh:show:{course.id}")))]


async def do_cancel(ctx: Ctx, reg_id: int) -> list[Reply]:
    """Cancels; the first on the waitlist gets the place and is told."""
    found = await _own(ctx, reg_id)
    if found is None:
        return [main_menu(ctx, ctx._("That sign-up is no longer active."))]
    reg, course = found
    promoted = await repo.cancel(ctx.session, reg, ctx.now)
    await notify_promoted(ctx, [promoted] if promoted else [])
    return [main_menu(ctx, ctx._("Your sign-up for {title} is cancelled.", title=course.title))]


async def my_signups(ctx: Ctx, args: str = "") -> list[Reply]:
    """/huydangky [code]: the user's active sign-ups to cancel (straight to one by its code)."""
    if args.strip():
        reg = await repo.registration_by_code(ctx.session, args)
        if reg is not None and reg.user_id == ctx.user.id:
            return await confirm_cancel(ctx, reg.id)
    rows = [(reg, c) for reg, c in await repo.for_user(ctx.session, ctx.user.id)
            if c.status != "cancelled"]
    if not rows:
        return [main_menu(ctx, ctx._("You have not signed up for any course. See the courses "
                                     "with /khoahoc."))]
    if len(rows) == 1:
        return await confirm_cancel(ctx, rows[0][0].id)
    buttons = [Choice(f"{c.title} ({reg.code})"[:60], f"kh:cancel:{reg.id}")
               for reg, c in rows[: dialogs.PAGE_SIZE]]
    return [Reply(ctx._("Which sign-up do you want to cancel?"), tuple(buttons))]


async def on_choice(ctx: Ctx, payload: str) -> list[Reply]:
    """The household pages behind "kh:" buttons."""
    parts = payload.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "list":
        filter_id = parts[2] if len(parts) > 2 else "all"
        return [await list_reply(ctx, filter_id, _arg(parts, 3))]
    if action in ("trades", "wards"):
        open_courses = await repo.courses(ctx.session, accepting_on=_today(ctx))
        return [_filter_reply(ctx, open_courses, "t" if action == "trades" else "w")]
    if action == "show":
        return await show_course(ctx, _arg(parts, 2, 0))
    if action == "join":
        return await ctx.dialogs.start(ctx, dialogs.SIGNUP, {"course_id": _arg(parts, 2, 0)})
    if action == "cancel":
        return await confirm_cancel(ctx, _arg(parts, 2, 0))
    if action == "cancelok":
        return await do_cancel(ctx, _arg(parts, 2, 0))
    return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]


# --- admins: registrations, status, exports ------------------------------------------------------


async def admin_list(ctx: Ctx, page: int = 1) -> list[Reply]:
    """Every course with its counts, a page at a time, and the export buttons."""
    found = await repo.courses(ctx.session)
    counts = await repo.counts(ctx.session)
    shown, page, pages = page_of(found, page)
    lines = [ctx._("Courses and sign-ups:")] if found else [ctx._("No courses yet.")]
    buttons = []
    for number, course in enumerate(shown, start=(page - 1) * dialogs.PAGE_SIZE + 1):
        n = counts.get(course.id, repo.Counts())
        lines.append(ctx._("{number}. {title} ({code}, {status}): {registered}/{capacity} with a "
                           "place, {waiting} waiting", number=number, title=course.title,
                           code=course.code,
                           status=ctx._(STATUS_NAMES.get(course.status, course.status)),
                           registered=n.registered, capacity=course.capacity,
                           waiting=n.waitlist))
        buttons.append(Choice(f"{number}. {course.title}"[:60], f"kq:course:{course.id}:1"))
    if pages > 1:
        lines.append(ctx._("Page {page}/{pages}", page=page, pages=pages))
    buttons += page_buttons(ctx, "kq:list", page, pages)
    buttons += [Choice(ctx._("📄 Export CSV"), "kq:export:csv"),
                Choice(ctx._("📊 Export Excel"), "kq:export:xlsx"),
                Choice(ctx._("➕ New course"), "kq:new")]
    return [Reply("\n".join(lines), tuple(buttons))]


def _person_line(ctx: Ctx, number: int, reg: CourseRegistration, position: int | None) -> str:
    household = ctx._(HOUSEHOLD_NAMES.get(reg.household, reg.household))
    line = f"{number}. {reg.full_name}, {reg.birth_year}, {reg.phone}, {reg.ward or '—'}, " \
           f"{household} — {reg.code}"
    if position is not None:
        line += " " + ctx._("(waiting #{position})", position=position)
    return line


async def admin_course(ctx: Ctx, course_id: int, page: int = 1) -> list[Reply]:
    """One course for admins: details, registrants (paged) and the actions."""
    course = await repo.course(ctx.session, course_id)
    if course is None:
        return await admin_list(ctx)
    regs = await repo.for_course(ctx.session, course.id)
    counts = await repo.count_for(ctx.session, course.id)
    positions, waiting = {}, 0
    for reg in regs:
        if reg.status == repo.WAITLIST:
            waiting += 1
            positions[reg.id] = waiting
    shown, page, pages = page_of(regs, page)
    lines = [course_text(ctx, course, counts),
             ctx._("Signed up: {registered}/{capacity}, waiting: {waiting}",
                   registered=counts.registered, capacity=course.capacity,
                   waiting=counts.waitlist)]
    first = (page - 1) * dialogs.PAGE_SIZE + 1
    lines += [_person_line(ctx, i, reg, positions.get(reg.id))
              for i, reg in enumerate(shown, start=first)]
    buttons = page_buttons(ctx, f"kq:course:{course.id}", page, pages)
    buttons.append(Choice(ctx._("✏️ Edit"), f"kq:edit:{course.id}"))
    if course.status == "open":
        buttons.append(Choice(ctx._("🔒 Close sign-ups"), f"kq:st:{course.id}:closed"))
    else:
        buttons.append(Choice(ctx._("🔓 Reopen sign-ups"), f"kq:st:{course.id}:open"))
    if course.status != "cancelled":
        buttons.append(Choice(ctx._("❌ Cancel the course"), f"kq:st:{course.id}:cancelled"))
    buttons += [Choice(ctx._("📄 Export CSV"), f"kq:export:csv:{course.id}"),
                Choice(ctx._("📊 Export Excel"), f"kq:export:xlsx:{course.id}"),
                Choice(ctx._("⬅️ List"), "kq:list:1")]
    return [Reply("\n".join(lines), tuple(buttons))]


async def confirm_status(ctx: Ctx, course_id: int, status: str) -> list[Reply]:
    course = await repo.course(ctx.session, course_id)
    if course is None or status not in repo.STATUSES:
        return await admin_list(ctx)
    n = len(await repo.for_course(ctx.session, course.id))
    question = {
        "closed": ctx._("Close sign-ups for {title}?", title=course.title),
        "cancelled": ctx._("Cancel the course {title}?", title=course.title),
        "open": ctx._("Reopen sign-ups for {title}?", title=course.title),
    }[status]
    if status != "open":
        question += " " + ctx.ngettext("I will tell the {n} person signed up.",
                                       "I will tell the {n} people signed up.", n)
    return [Reply(question, (Choice(ctx._("✅ Confirm"), f"kq:stok:{course.id}:{status}"),
                             Choice(ctx._("No"), f"kq:course:{course.id}:1")))]


async def apply_status(ctx: Ctx, course_id: int, status: str) -> list[Reply]:
    """Changes the status (audited) and tells the registrants of a close or cancel."""
    course = await repo.course(ctx.session, course_id, lock=True)
    if course is None or status not in repo.STATUSES:
        return await admin_list(ctx)
    changed = await repo.update_course(ctx.session, course, {"status": status}, ctx.user,
                                       ctx.now)
    told = 0
    if changed and status != "open":
        told = await notify_registrants(ctx, course, status)
    text = ctx._("{title}: {status}.", title=course.title,
                 status=ctx._(STATUS_NAMES[status]))
    if told:
        text += " " + ctx.ngettext("{n} registrant was told.", "{n} registrants were told.",
                                   told)
    return [main_menu(ctx, text)]


async def registration_table(
    session: Any, t: Translator, timezone: str, course_id: int | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Active registrations as a sheet: one row each, places first, waitlist in order."""
    _ = t.gettext
    headers = [_("Registration code"), _("Course code"), _("Course"), _("Start date"),
               _("Full name"), _("Year of birth"), _("Phone"), _("Ward"), _("Household"),
               _("Status"), _("Waiting position"), _("Signed up at")]
    rows: list[list[Any]] = []
    waiting: dict[int, int] = {}
    for reg, course, _user in await repo.with_recipients(session, course_id):
        position = None
        if reg.status == repo.WAITLIST:
            position = waiting[course.id] = waiting.get(course.id, 0) + 1
        rows.append([
            reg.code, course.code, course.title, format_date(course.starts_on), reg.full_name,
            reg.birth_year, reg.phone, reg.ward or "",
            _(HOUSEHOLD_NAMES.get(reg.household, reg.household)),
            _(REG_STATUS_NAMES.get(reg.status, reg.status)), position,
            format_datetime(reg.created_at, timezone),
        ])
    return headers, rows


async def export_reply(ctx: Ctx, fmt: str, course_id: int | None) -> list[Reply]:
    """The registrations as a CSV (UTF-8 with BOM) or XLSX document."""
    headers, rows = await registration_table(ctx.session, ctx.translator,
                                              ctx.settings.timezone, course_id)
    if fmt == "xlsx":
        document = Document(await asyncio.to_thread(write_xlsx, headers, rows, "dang-ky"),
                            "dang-ky-khoa-hoc.xlsx", XLSX_MIME)
    else:
        document = Document(await asyncio.to_thread(write_csv, headers, rows),
                            "dang-ky-khoa-hoc.csv", CSV_MIME)
    text = ctx.ngettext("{n} sign-up exported.", "{n} sign-ups exported.", len(rows))
    return [Reply(text, document=document)]


async def start_edit(ctx: Ctx, course_id: int) -> list[Reply]:
    course = await repo.course(ctx.session, course_id)
    if course is None:
        return await admin_list(ctx)
    return await ctx.dialogs.start(ctx, dialogs.EDIT,
                                   {"course_id": course.id, "values": course.values()})


async def on_admin_choice(ctx: Ctx, payload: str) -> list[Reply]:
    """The admin pages behind "kq:" buttons; anyone else is refused."""
    if not _is_admin(ctx):
        return _refused(ctx)
    parts = payload.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "list":
        return await admin_list(ctx, _arg(parts, 2))
    if action == "course":
        return await admin_course(ctx, _arg(parts, 2, 0), _arg(parts, 3))
    if action in ("st", "stok") and len(parts) == 4:
        handler = confirm_status if action == "st" else apply_status
        return await handler(ctx, _arg(parts, 2, 0), parts[3])
    if action == "export":
        fmt = parts[2] if len(parts) > 2 else "csv"
        return await export_reply(ctx, fmt, _arg(parts, 3, 0) or None)
    if action == "edit":
        return await start_edit(ctx, _arg(parts, 2, 0))
    if action == "new":
        return await ctx.dialogs.start(ctx, dialogs.NEW)
    return await admin_list(ctx)


async def registrations_command(ctx: Ctx, args: str = "") -> list[Reply]:
    return await admin_list(ctx)


async def new_course_command(ctx: Ctx, args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, dialogs.NEW)


# --- personal data ----------------------------------------------------------------------------


async def personal_lines(ctx: Ctx) -> list[str]:
    """One line per course sign-up (for /dulieucuatoi)."""
    return [
        ctx._("• Course sign-up {title} ({code}, {status}): {name}, born {year}, phone {phone}, "
              "{ward}, {household}", title=course.title, code=reg.code,
              status=ctx._(REG_STATUS_NAMES.get(reg.status, reg.status)), name=reg.full_name,
              year=reg.birth_year, phone=reg.phone, ward=reg.ward or "—",
              household=ctx._(HOUSEHOLD_NAMES.get(reg.household, reg.household)))
        for reg, course in await repo.for_user(ctx.session, ctx.user.id, active_only=False)
    ]


async def delete_personal(ctx: Ctx) -> int:
    """Deletes the user's sign-ups; a freed place goes to the first on the waitlist."""
    count, promoted = await repo.delete_for_user(ctx.session, ctx.user.id, ctx.now)
    await notify_promoted(ctx, promoted)
    return count


# --- files and the scheduler --------------------------------------------------------------------


async def import_courses(
    core: Core, rows: Sequence[Row], translator: Translator, actor_user_id: int | None
) -> ImportResult:
    """`giamngheo admin import courses FILE`: all rows good, or nothing imported."""
    now = core.services.clock()
    env = Env(now.astimezone(core.settings.tz).date(), core.services.content["localities"])
    async with core.sessions() as session, session.begin():
        actor = await session.get(User, actor_user_id) if actor_user_id else None
        return await dialogs.import_courses(session, rows, env, translator, actor, now)


async def export_registrations(
    core: Core, translator: Translator
) -> tuple[list[str], list[list[Any]]]:
    """`giamngheo admin export registrations`: every active sign-up."""
    async with core.sessions() as session:
        return await registration_table(session, translator, core.settings.timezone)


def _translator_for(core: Core, user: User) -> Translator:
    return core.catalogs.get(user.locale or "", core.catalogs[core.settings.locale])


async def queue_reminders(core: Core) -> int:
    """Queue the day-before reminders that are due; returns how many were newly queued."""
    now = core.services.clock()
    local = now.astimezone(core.settings.tz)
    if local.time() < time.fromisoformat(COURSE_REMINDER_TIME):
        return 0
    queued = 0
    async with core.sessions() as session, session.begin():
        for reg, course, user in await repo.starting_on(session, local.date() + timedelta(1)):
            reply = notice(_translator_for(core, user), "reminder", course, reg)
            if await queue_notice(session, user, reply, "reminder", now,
                                  dedup_key=f"course-reminder:{reg.id}"):
                queued += 1
    if queued:
        core.services.wake_delivery()
    log.info("course reminders queued=%d", queued)
    return queued


async def _reminder_job(core: Core) -> None:
    await queue_reminders(core)


def register(registry: Registry) -> None:
    for dialog in dialogs.build_dialogs():
        registry.dialog(dialog)
    registry.command(Command("khoahoc", N_("Vocational courses: see them and sign up"), browse))
    registry.command(Command("huydangky", N_("Cancel a course sign-up"), my_signups))
    registry.command(Command("khoahocmoi", N_("Add courses (typed or from a file)"),
                             new_course_command, roles=ADMINS))
    registry.command(Command("dangkykhoahoc", N_("Course sign-ups: counts and exports"),
                             registrations_command, roles=ADMINS))
    registry.menu_item(MenuItem("courses", N_("🎓 Vocational courses"), _browse_menu, order=30))
    registry.choice_prefix(PREFIX, on_choice)
    registry.choice_prefix(ADMIN_PREFIX, on_admin_choice)
    registry.importer(Importer("courses", import_courses))
    registry.exporter(Exporter("registrations", export_registrations))
    registry.job(Job("course-reminders", _reminder_job, minutes=REMINDER_EVERY_MINUTES))
    registry.personal_data.append(
        PersonalData(N_("course sign-ups"), personal_lines, delete_personal)
    )
