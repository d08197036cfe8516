"""The vocational-courses feature: households browse and sign up (/khoahoc), cancel (/huydangky)
and are reminded the day before a course starts; admins add, import, edit, close or cancel
courses (/khoahocmoi) and see and export who signed up (/dangkykhoahoc, `giamngheo admin
export registrations`; their pages are in handlers/course_admin.py).

Pages are stateless behind buttons, so they work from anywhere:

    kl:<page>:<by>:<n>         open courses: all, or the n-th trade ("t") or ward ("w") of them
    kh:trades / kh:wards       the filter choices
    kh:show:<id>               one course;  kh:join:<id> starts the sign-up dialog
    kh:cancel:<reg> / kh:cancelok:<reg>   cancel a registration (confirm first)
    kq:…                       admins (handlers/course_admin.py `AdminButton`)

Reminders: the job "course-reminders" runs every REMINDER_EVERY_MINUTES minutes and, from
COURSE_REMINDER_TIME (local time, Asia/Ho_Chi_Minh by default) on the day before a course
starts, queues one reminder per registrant with the outbox dedup key
"course-reminder:<registration id>": the database, not the process, remembers what was sent, so
a restart or a second process never sends it twice, and a run missed at 08:00 is made up by the
next one that day.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Literal

from conversations import course_editor as editor
from conversations import courses as signup
from conversations import paging
from conversations.answers import labour_office_name
from conversations.context import Ctx
from conversations.course_fields import course_text, free_text
from conversations.course_notices import notice, notify_promoted, queue_notice
from conversations.payloads import Payload, payload
from db import courses as repo
from db.courses import Course, CourseRegistration
from db.models import User
from domain.formatting import format_date
from domain.i18n import N_, Translator
from domain.messages import Choice, Reply
from domain.roles import ADMINS
from handlers import course_admin as admin
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

# When reminders go out on the day before a course starts, local time. A module constant on
# purpose (settings belong to the composition root): change it here and restart.
COURSE_REMINDER_TIME = "08:00"
REMINDER_EVERY_MINUTES = 5


@payload("kh")
class CourseButton(Payload):
    """A household's course button: one course (`n` its id), its sign-up, cancelling a sign-up
    (`n` the registration's id; asked, then confirmed), or the filter choices."""

    action: Literal["show", "join", "cancel", "cancelok", "trades", "wards"]
    n: int = 0


@payload("kl")
class CourseList(Payload):
    """A page of the open courses: all of them, or those of one trade ("t") or ward ("w"), the
    `n`-th of the filter's choices (`filter_names`)."""

    page: int = 1
    by: Literal["all", "t", "w"] = "all"
    n: int = 0


def _today(ctx: Ctx) -> date:
    return ctx.local_now.date()


# --- households: the catalogue ------------------------------------------------------------------


def filter_names(courses: Sequence[Course], by: str) -> list[str]:
    """The trades ("t") or wards ("w") of these courses, sorted: the filter's choices."""
    return sorted({c.trade if by == "t" else c.ward for c in courses})


async def list_reply(ctx: Ctx, shown_page: CourseList | None = None) -> Reply:
    """Open courses (all, or a trade's or a ward's), a page of them, with a button each."""
    wanted = shown_page or CourseList()
    found = await repo.courses(ctx.session, accepting_on=_today(ctx))
    names = filter_names(found, wanted.by) if wanted.by != "all" else []
    if wanted.n < len(names):  # a filter no longer offered (its last course closed): all
        found = [c for c in found if (c.trade if wanted.by == "t" else c.ward) == names[wanted.n]]
    else:
        wanted = CourseList(wanted.page)
    counts = await repo.counts(ctx.session)
    filters = [Choice(ctx._("🔧 By trade"), CourseButton("trades").pack()),
               Choice(ctx._("📍 By ward"), CourseButton("wards").pack())]
    if wanted.by != "all":
        filters.append(Choice(ctx._("All courses"), CourseList().pack()))
    if not found:
        return Reply(ctx._("No course is taking sign-ups right now. Please look again later, "
                           "or ask the {office}.", office=labour_office_name(ctx)),
                     tuple(filters))
    shown, page, pages = paging.page_of(found, wanted.page)
    first = (page - 1) * paging.PAGE_SIZE
    lines = [ctx._("Vocational courses taking sign-ups. Choose one to see the details and the "
                   "support:")]
    buttons = []
    for number, course in enumerate(shown, start=first + 1):
        lines.append(ctx._("{number}. {title} — {ward}, from {date}; {free}", number=number,
                           title=course.title, ward=course.ward,
                           date=format_date(course.starts_on),
                           free=free_text(ctx, course, counts.get(course.id, repo.Counts()))))
        buttons.append(Choice(f"{number}. {course.title}"[:60],
                              CourseButton("show", course.id).pack()))
    if pages > 1:
        lines.append(ctx._("Page {page}/{pages}", page=page, pages=pages))
    buttons += paging.page_buttons(
        ctx, lambda n: dataclasses.replace(wanted, page=n).pack(), page, pages)
    return Reply("\n".join(lines), (*buttons, *filters))


def _filter_reply(ctx: Ctx, courses: Sequence[Course], by: Literal["t", "w"]) -> Reply:
    buttons = [Choice(name[:60], CourseList(1, by, n).pack())
               for n, name in enumerate(filter_names(courses, by)[:20])]
    text = ctx._("Which trade?") if by == "t" else ctx._("Which ward?")
    return Reply(text, (*buttons, Choice(ctx._("All courses"), CourseList().pack())))


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
        buttons.append(Choice(ctx._("❌ Cancel my sign-up"),
                              CourseButton("cancel", mine.id).pack()))
    elif course.accepting(_today(ctx)):
        full = counts.registered >= course.capacity
        label = ctx._("📝 Join the waiting list") if full else ctx._("📝 Sign up")
        buttons.append(Choice(label, CourseButton("join", course.id).pack()))
    buttons.append(Choice(ctx._("⬅️ List"), CourseList().pack()))
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
                  (Choice(ctx._("✅ Yes, cancel it"), CourseButton("cancelok", reg.id).pack()),
                   Choice(ctx._("No, keep it"), CourseButton("show", course.id).pack())))]


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
    buttons = [Choice(f"{c.title} ({reg.code})"[:60], CourseButton("cancel", reg.id).pack())
               for reg, c in rows[: paging.PAGE_SIZE]]
    return [Reply(ctx._("Which sign-up do you want to cancel?"), tuple(buttons))]


async def on_choice(ctx: Ctx, payload: str) -> list[Reply]:
    """The household pages behind "kh:" buttons."""
    pressed = CourseButton.unpack(payload)
    if pressed is None:
        return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]
    if pressed.action in ("trades", "wards"):
        open_courses = await repo.courses(ctx.session, accepting_on=_today(ctx))
        return [_filter_reply(ctx, open_courses, "t" if pressed.action == "trades" else "w")]
    if pressed.action == "show":
        return await show_course(ctx, pressed.n)
    if pressed.action == "join":
        return await ctx.dialogs.start(ctx, signup.SIGNUP, {"course_id": pressed.n})
    if pressed.action == "cancel":
        return await confirm_cancel(ctx, pressed.n)
    return await do_cancel(ctx, pressed.n)


async def on_list(ctx: Ctx, payload: str) -> list[Reply]:
    """A page of the open courses behind "kl:" buttons."""
    return [await list_reply(ctx, CourseList.unpack(payload))]


# --- personal data ----------------------------------------------------------------------------


def personal_line(t: Translator, reg: CourseRegistration, course: Course) -> str:
    """"• Course sign-up …: " and the registration record's personal-data fragments."""
    return t.gettext("• Course sign-up {title} ({code}, {status}): {fields}").format(
        title=course.title, code=reg.code,
        status=t.gettext(admin.REG_STATUS_NAMES.get(reg.status, reg.status)),
        fields=", ".join(signup.REGISTRATION.lines(t, reg, "personal")))


async def personal_lines(ctx: Ctx) -> list[str]:
    """One line per course sign-up (for /dulieucuatoi)."""
    return [personal_line(ctx.translator, reg, course)
            for reg, course in await repo.for_user(ctx.session, ctx.user.id, active_only=False)]


async def delete_personal(ctx: Ctx) -> int:
    """Deletes the user's sign-ups; a freed place goes to the first on the waitlist."""
    count, promoted = await repo.delete_for_user(ctx.session, ctx.user.id, ctx.now)
    await notify_promoted(ctx, promoted)
    return count


# --- the scheduler ------------------------------------------------------------------------------


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
    registry.dialog(signup.build_signup_dialog())
    for dialog in editor.build_editor_dialogs():
        registry.dialog(dialog)
    registry.command(Command("khoahoc", N_("Vocational courses: see them and sign up"), browse))
    registry.command(Command("huydangky", N_("Cancel a course sign-up"), my_signups))
    registry.command(Command("khoahocmoi", N_("Add courses (typed or from a file)"),
                             admin.new_course_command, roles=ADMINS))
    registry.command(Command("dangkykhoahoc", N_("Course sign-ups: counts and exports"),
                             admin.registrations_command, roles=ADMINS))
    registry.menu_item(MenuItem("courses", N_("🎓 Vocational courses"), _browse_menu, order=30))
    registry.choice_prefix(CourseButton.PREFIX, on_choice)
    registry.choice_prefix(CourseList.PREFIX, on_list)
    registry.choice_prefix(admin.AdminButton.PREFIX, admin.on_admin_choice)
    registry.importer(Importer("courses", admin.import_file))
    registry.exporter(Exporter("registrations", admin.export_registrations))
    registry.job(Job("course-reminders", _reminder_job, minutes=REMINDER_EVERY_MINUTES))
    registry.personal_data.append(
        PersonalData(N_("course sign-ups"), personal_lines, delete_personal)
    )
