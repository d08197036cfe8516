"""The labour office's side of the vocational courses: every course with its counts
(/dangkykhoahoc), one course with its registrants, closing, cancelling or reopening sign-ups
(registrants told), editing a course, adding courses (/khoahocmoi), and the registrations as a
CSV or XLSX file (in chat, and `giamngheo admin export registrations`); the course import for
`giamngheo admin import courses`.

The pages are stateless behind `AdminButton` ("kq:<action>:<course>:<page>:<what>") buttons;
anyone but an admin is refused. A registrant's line and the export's columns come from the
registration record (conversations/courses.py `REGISTRATION`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from conversations import course_editor as editor
from conversations import courses as signup
from conversations import paging
from conversations.context import Ctx
from conversations.course_editor import import_courses
from conversations.course_fields import STATUS_NAMES, Env, course_text
from conversations.course_notices import notify_registrants
from conversations.payloads import Payload, payload
from db import courses as repo
from db.courses import Course, CourseRegistration
from db.models import User
from domain.formatting import format_date, format_datetime
from domain.i18n import N_, Translator
from domain.messages import Choice, Document, Reply
from domain.roles import ADMINS
from domain.tables import ImportResult, Row, write_csv, write_xlsx
from handlers.menu import main_menu

if TYPE_CHECKING:
    from handlers.core import Core

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REG_STATUS_NAMES = {repo.REGISTERED: N_("has a place"), repo.WAITLIST: N_("waiting"),
                    repo.CANCELLED: N_("cancelled")}


@payload("kq")
class AdminButton(Payload):
    """An admin's course page: the list (a `page`), one `course` (a page of its registrants),
    editing it, a new course, an export (`what`: csv or xlsx; of one course, or 0: all), or a
    status change asked ("st") and confirmed ("stok") (`what`: the new status)."""

    action: Literal["list", "course", "edit", "new", "export", "st", "stok"]
    course: int = 0
    page: int = 1
    what: Literal["-", "csv", "xlsx", "open", "closed", "cancelled"] = "-"


def _button(label: str, *args: Any, **named: Any) -> Choice:
    return Choice(label, AdminButton(*args, **named).pack())


async def admin_list(ctx: Ctx, page: int = 1) -> list[Reply]:
    """Every course with its counts, a page at a time, and the export buttons."""
    found = await repo.courses(ctx.session)
    counts = await repo.counts(ctx.session)
    shown, page, pages = paging.page_of(found, page)
    lines = [ctx._("Courses and sign-ups:")] if found else [ctx._("No courses yet.")]
    buttons = []
    for number, course in enumerate(shown, start=(page - 1) * paging.PAGE_SIZE + 1):
        n = counts.get(course.id, repo.Counts())
        lines.append(ctx._("{number}. {title} ({code}, {status}): {registered}/{capacity} with a "
                           "place, {waiting} waiting", number=number, title=course.title,
                           code=course.code,
                           status=ctx._(STATUS_NAMES.get(course.status, course.status)),
                           registered=n.registered, capacity=course.capacity,
                           waiting=n.waitlist))
        buttons.append(_button(f"{number}. {course.title}"[:60], "course", course.id))
    if pages > 1:
        lines.append(ctx._("Page {page}/{pages}", page=page, pages=pages))
    buttons += paging.page_buttons(ctx, lambda n: AdminButton("list", page=n).pack(), page,
                                   pages)
    buttons += [_button(ctx._("📄 Export CSV"), "export", what="csv"),
                _button(ctx._("📊 Export Excel"), "export", what="xlsx"),
                _button(ctx._("➕ New course"), "new")]
    return [Reply("\n".join(lines), tuple(buttons))]


def registrant_line(t: Translator, number: int, reg: Any, position: int | None) -> str:
    """"3. Nguyễn Thị Lan, 1990, 0912345678, phường Phan Rang, Hộ nghèo — KH-7Q3M": the
    registration record's values, in its order."""
    line = f"{number}. {', '.join(signup.REGISTRATION.lines(t, reg, 'value'))} — {reg.code}"
    if position is not None:
        line += " " + t.gettext("(waiting #{position})").format(position=position)
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
    shown, page, pages = paging.page_of(regs, page)
    lines = [course_text(ctx, course, counts),
             ctx._("Signed up: {registered}/{capacity}, waiting: {waiting}",
                   registered=counts.registered, capacity=course.capacity,
                   waiting=counts.waitlist)]
    first = (page - 1) * paging.PAGE_SIZE + 1
    lines += [registrant_line(ctx.translator, i, reg, positions.get(reg.id))
              for i, reg in enumerate(shown, start=first)]
    buttons = paging.page_buttons(ctx, lambda n: AdminButton("course", course.id, n).pack(),
                                  page, pages)
    buttons.append(_button(ctx._("✏️ Edit"), "edit", course.id))
    if course.status == "open":
        buttons.append(_button(ctx._("🔒 Close sign-ups"), "st", course.id, what="closed"))
    else:
        buttons.append(_button(ctx._("🔓 Reopen sign-ups"), "st", course.id, what="open"))
    if course.status != "cancelled":
        buttons.append(_button(ctx._("❌ Cancel the course"), "st", course.id,
                               what="cancelled"))
    buttons += [_button(ctx._("📄 Export CSV"), "export", course.id, what="csv"),
                _button(ctx._("📊 Export Excel"), "export", course.id, what="xlsx"),
                _button(ctx._("⬅️ List"), "list")]
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
    return [Reply(question, (_button(ctx._("✅ Confirm"), "stok", course.id, what=status),
                             _button(ctx._("No"), "course", course.id)))]


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


def registration_headers(t: Translator) -> list[str]:
    _ = t.gettext
    return [_("Registration code"), _("Course code"), _("Course"), _("Start date"),
            *signup.REGISTRATION.headers(t), _("Status"), _("Waiting position"),
            _("Signed up at")]


def registration_row(
    t: Translator, reg: CourseRegistration, course: Course, position: int | None, timezone: str
) -> list[Any]:
    return [reg.code, course.code, course.title, format_date(course.starts_on),
            *signup.REGISTRATION.cells(t, reg),
            t.gettext(REG_STATUS_NAMES.get(reg.status, reg.status)), position,
            format_datetime(reg.created_at, timezone)]


async def registration_table(
    session: Any, t: Translator, timezone: str, course_id: int | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Active registrations as a sheet: one row each, places first, waitlist in order."""
    rows: list[list[Any]] = []
    waiting: dict[int, int] = {}
    for reg, course, _user in await repo.with_recipients(session, course_id):
        position = None
        if reg.status == repo.WAITLIST:
            position = waiting[course.id] = waiting.get(course.id, 0) + 1
        rows.append(registration_row(t, reg, course, position, timezone))
    return registration_headers(t), rows


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
    return await ctx.dialogs.start(ctx, editor.EDIT, {**course.values(), "course_id": course.id})


async def on_admin_choice(ctx: Ctx, payload: str) -> list[Reply]:
    """The admin pages behind "kq:" buttons; anyone else is refused."""
    if ctx.user.role not in ADMINS:
        return [main_menu(ctx, ctx._("This command is only for ward officers and the labour "
                                     "office."))]
    pressed = AdminButton.unpack(payload)
    if pressed is None:
        return await admin_list(ctx)
    if pressed.action == "course":
        return await admin_course(ctx, pressed.course, pressed.page)
    if pressed.action == "st":
        return await confirm_status(ctx, pressed.course, pressed.what)
    if pressed.action == "stok":
        return await apply_status(ctx, pressed.course, pressed.what)
    if pressed.action == "export":
        return await export_reply(ctx, pressed.what, pressed.course or None)
    if pressed.action == "edit":
        return await start_edit(ctx, pressed.course)
    if pressed.action == "new":
        return await ctx.dialogs.start(ctx, editor.NEW)
    return await admin_list(ctx, pressed.page)


async def registrations_command(ctx: Ctx, args: str = "") -> list[Reply]:
    return await admin_list(ctx)


async def new_course_command(ctx: Ctx, args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, editor.NEW)


# --- files ---------------------------------------------------------------------------------------


async def import_file(
    core: Core, rows: Sequence[Row], translator: Translator, actor_user_id: int | None
) -> ImportResult:
    """`giamngheo admin import courses FILE`: all rows good, or nothing imported."""
    now = core.services.clock()
    env = Env(now.astimezone(core.settings.tz).date(), core.services.content["localities"])
    async with core.sessions() as session, session.begin():
        actor = await session.get(User, actor_user_id) if actor_user_id else None
        return await import_courses(session, rows, env, translator, actor, now)


async def export_registrations(
    core: Core, translator: Translator
) -> tuple[list[str], list[list[Any]]]:
    """`giamngheo admin export registrations`: every active sign-up."""
    async with core.sessions() as session:
        return await registration_table(session, translator, core.settings.timezone)
