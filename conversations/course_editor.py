"""The admin's course dialogs: adding a course (typed field by field, or a CSV/XLSX file of
courses) and editing one, around the course record `COURSE`, every field of a course declared
once: its rows give the field steps, the edit menu, the review's lines and the import's columns
(`validate_rows`, the all-or-nothing check of an imported sheet, also behind `giamngheo admin
import courses`). `course_edit` is the review, the edit menu and the same field steps, started
on an existing course's values.

```mermaid
flowchart LR
    subgraph course_new
    course_new__mode[mode] -->|file| course_new__file[file]
    course_new__mode[mode] -->|type| course_new__code[code]
    course_new__file[file] --> course_new__import_confirm[import_confirm]
    course_new__import_confirm[import_confirm]
    course_new__code[code] --> course_new__title[title]
    course_new__title[title] --> course_new__trade[trade]
    course_new__trade[trade] --> course_new__level[level]
    course_new__level[level] --> course_new__starts_on[starts_on]
    course_new__starts_on[starts_on] --> course_new__ends_on[ends_on]
    course_new__ends_on[ends_on] --> course_new__schedule[schedule]
    course_new__schedule[schedule] --> course_new__place[place]
    course_new__place[place] --> course_new__ward[ward]
    course_new__ward[ward] --> course_new__capacity[capacity]
    course_new__capacity[capacity] --> course_new__deadline[deadline]
    course_new__deadline[deadline] --> course_new__audience[audience]
    course_new__audience[audience] --> course_new__support[support]
    course_new__support[support] --> course_new__support_source[support_source]
    course_new__support_source[support_source] --> course_new__contact[contact]
    course_new__contact[contact] --> course_new__review[review]
    course_new__review[review] -->|edit| course_new__pick[pick]
    course_new__pick[pick]
    end
    subgraph course_edit
    course_edit__review[review] -->|edit| course_edit__pick[pick]
    course_edit__pick[pick]
    course_edit__code[code] --> course_edit__title[title]
    course_edit__title[title] --> course_edit__trade[trade]
    course_edit__trade[trade] --> course_edit__level[level]
    course_edit__level[level] --> course_edit__starts_on[starts_on]
    course_edit__starts_on[starts_on] --> course_edit__ends_on[ends_on]
    course_edit__ends_on[ends_on] --> course_edit__schedule[schedule]
    course_edit__schedule[schedule] --> course_edit__place[place]
    course_edit__place[place] --> course_edit__ward[ward]
    course_edit__ward[ward] --> course_edit__capacity[capacity]
    course_edit__capacity[capacity] --> course_edit__deadline[deadline]
    course_edit__deadline[deadline] --> course_edit__audience[audience]
    course_edit__audience[audience] --> course_edit__support[support]
    course_edit__support[support] --> course_edit__support_source[support_source]
    course_edit__support_source[support_source] --> course_edit__contact[contact]
    course_edit__contact[contact] --> course_edit__review[review]
    end
```
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import answers, paging
from conversations.context import Ctx
from conversations.course_fields import (
    LEVEL_NAMES,
    STATUS_NAMES,
    CourseField,
    Env,
    Invalid,
    as_capacity,
    as_code,
    as_date,
    as_level,
    as_optional_date,
    as_status,
    as_text,
    as_ward,
    env_of,
    say,
    show_date,
)
from conversations.course_notices import notify_registrants
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Say, Step
from conversations.fields import Record
from conversations.payloads import Payload, payload
from db import courses as repo
from db.models import User
from domain.i18n import N_, Translator
from domain.messages import Choice, Kind, Reply
from domain.roles import ADMINS
from domain.tables import ImportResult, Row, TableError, read_table
from domain.text import parse_yes_no

NEW = "course_new"
EDIT = "course_edit"
MAX_ERRORS_SHOWN = 10


@payload("kn")
class Editor(Payload):
    """The editor's own buttons (the fields' and the edit menu's are the record's)."""

    action: Literal["type", "file", "import", "save", "pick"]


COURSE = Record("kf", __name__, (
    CourseField("code", N_("Code"), N_("Course code (short, unique)?"), example="MAY-2026-01",
                parse=as_code, sheet="ma_khoa_hoc"),
    CourseField("title", N_("Title"), N_("Course title?"), example="May công nghiệp",
                parse=as_text(200), sheet="ten_khoa_hoc"),
    CourseField("trade", N_("Trade"), N_("Trade (nghề)?"), example="May", parse=as_text(100),
                sheet="nghe"),
    CourseField("level", N_("Level"), N_("Level: sơ cấp or under 3 months?"),
                example="dưới 3 tháng", parse=as_level, sheet="trinh_do", choices=LEVEL_NAMES),
    CourseField("starts_on", N_("Start date"), N_("Start date?"), example="07/12/2026",
                parse=as_date, sheet="ngay_bat_dau", show=show_date),
    CourseField("ends_on", N_("End date"), N_("End date?"), example="28/02/2027", parse=as_date,
                sheet="ngay_ket_thuc", show=show_date),
    CourseField("schedule", N_("Schedule"), N_("Schedule (days and hours)?"),
                example="Thứ 2 đến thứ 6, 7:30-11:00", parse=as_text(500), sheet="lich_hoc"),
    CourseField("place", N_("Place"), N_("Where is it taught (address)?"),
                example="Nhà văn hóa khu phố 3", parse=as_text(500), sheet="dia_diem"),
    CourseField("ward", N_("Ward"), N_("Which ward or commune is the place in?"),
                example="Phan Rang", parse=as_ward, sheet="phuong_xa", wards=True),
    CourseField("capacity", N_("Places"), N_("How many places?"), example="30",
                parse=as_capacity, sheet="so_cho", numeric=True),
    CourseField("deadline", N_("Sign-up deadline"),
                N_("Last day to sign up? Type \"không\" if there is none."),
                example="30/11/2026", parse=as_optional_date, sheet="han_dang_ky", optional=True,
                skip=N_("No deadline"), show=show_date),
    CourseField("audience", N_("Who it is for"), N_("Who is it for?"),
                example="Lao động thuộc hộ nghèo, cận nghèo, mới thoát nghèo",
                parse=as_text(1000), sheet="doi_tuong"),
    CourseField("support", N_("Support"),
                N_("What support does it give (tuition, meals, travel)?"),
                example="Miễn học phí; tiền ăn 30.000 đ/ngày học", parse=as_text(1000),
                sheet="ho_tro"),
    CourseField("support_source", N_("Source of the support"),
                N_("Source of that support (decision, link)?"), example="QĐ 46/2015/QĐ-TTg",
                parse=as_text(1000), sheet="nguon_ho_tro"),
    CourseField("contact", N_("Contact"), N_("Contact (office, phone)?"),
                example="UBND phường Phan Rang, 0912345678", parse=as_text(500),
                sheet="lien_he"),
    CourseField("status", N_("Status"), N_("Status?"), example="mở", parse=as_status,
                sheet="trang_thai", optional=True, asked=False, choices=STATUS_NAMES,
                blank=None),
))
FIELDS: tuple[CourseField, ...] = tuple(f for f in COURSE.fields if isinstance(f, CourseField))


def course_summary(t: Translator, values: dict[str, Any]) -> str:
    """Every field of a course as "Label: value" lines (admins' review)."""
    return "\n".join(COURSE.lines(t, values))


def cross_errors(values: dict[str, Any]) -> list[Invalid]:
    """What is wrong between fields: the end before the start, a deadline after the start."""
    errors = []
    starts, ends, deadline = values.get("starts_on"), values.get("ends_on"), values.get("deadline")
    if starts and ends and ends < starts:
        errors.append(Invalid(N_("The end date is before the start date.")))
    if starts and deadline and deadline > starts:
        errors.append(Invalid(N_("The sign-up deadline is after the start date.")))
    return errors




def validate_rows(
    rows: Sequence[Row], env: Env, taken_codes: set[str], t: Translator
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Every row checked; returns the course values, or every bad row with its reason."""
    _ = t.gettext
    courses: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    for row in rows:
        values: dict[str, Any] = {}
        reasons: list[str] = []
        for field in FIELDS:
            raw = row.cells.get(field.sheet, "").strip()
            if not raw and not field.optional:
                reasons.append(_("missing {column}").format(column=field.sheet))
                continue
            try:
                values[field.key] = field.parse(raw, env)
            except Invalid as error:
                reasons.append(f"{field.sheet}: {say(t, error)}")
        reasons += [say(t, error) for error in cross_errors(values)]
        code = values.get("code")
        if code in taken_codes:
            reasons.append(_("the code {code} already exists").format(code=code))
        elif code in seen:
            reasons.append(_("the code {code} is twice in the file").format(code=code))
        seen.add(code or "")
        if reasons:
            errors.append((row.number, "; ".join(reasons)))
        else:
            values["status"] = values.get("status") or "open"
            courses.append(values)
    return courses, errors


async def import_courses(
    session: AsyncSession, rows: Sequence[Row], env: Env, t: Translator, actor: User | None,
    now: datetime,
) -> ImportResult:
    """All or nothing: validate every row, then add every course (with an audit row each)."""
    taken = {c.code.upper() for c in await repo.courses(session)}
    values, errors = validate_rows(rows, env, taken, t)
    if errors:
        return ImportResult(0, errors)
    for course_values in values:
        await repo.add_course(session, course_values, actor, now)
    return ImportResult(len(values))


def error_text(ctx: Ctx, result: ImportResult) -> str:
    """The bad rows of an import, at most MAX_ERRORS_SHOWN of them, for a chat message."""
    lines = [ctx.ngettext("Nothing was imported: {n} row needs fixing.",
                          "Nothing was imported: {n} rows need fixing.", len(result.errors))]
    for number, reason in result.errors[:MAX_ERRORS_SHOWN]:
        lines.append(ctx._("Row {number}: {reason}", number=number, reason=reason))
    if len(result.errors) > MAX_ERRORS_SHOWN:
        lines.append(ctx._("… and {count} more.", count=len(result.errors) - MAX_ERRORS_SHOWN))
    return "\n".join(lines)



def ask_mode(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: type one course, or send a file of courses?"""
    typed = Choice(ctx._("✍️ Type one course"), Editor("type").pack())
    if not ctx.can_receive(Kind.DOCUMENT):
        return Reply(ctx._("Add a course: type it field by field.") + "\n" +
                     answers.no_files_here(ctx), (typed,))
    return Reply(ctx._("Add a course: type it field by field, or send a CSV/XLSX file of "
                       "courses?"),
                 (typed, Choice(ctx._("📄 Send a file"), Editor("file").pack())))


def accept_mode(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Goes to the first field, or to the file step."""
    pressed = Editor.unpack(answer.choice)
    if pressed is not None and pressed.action == "file":
        if not ctx.can_receive(Kind.DOCUMENT):
            return Retry(answers.no_files_here(ctx))
        return Next("file")
    if pressed is not None and pressed.action == "type":
        return Next("type")
    return Retry(ctx._("Please choose one of the two buttons."))


def ask_file(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks for the CSV or XLSX file, naming its columns."""
    columns = ", ".join(f.sheet for f in FIELDS)
    return Reply(ctx._("Send the .csv or .xlsx file as a document. First row: the column names "
                       "{columns}. Nothing is imported if any row is wrong.", columns=columns))


async def accept_file(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Reads and checks every row; shows every bad one, or asks to confirm the import."""
    if answer.kind != Kind.DOCUMENT:
        return Retry(ctx._("Please send the file as a document (📎)."))
    try:
        rows = await asyncio.to_thread(  # a big sheet must not stall everyone else
            read_table, answer.payload.get("data", b""), answer.payload.get("file_name", ""))
    except TableError as error:
        return Retry(ctx._(error.message, **error.values))
    taken = {c.code.upper() for c in await repo.courses(ctx.session)}
    values, errors = validate_rows(rows, env_of(ctx), taken, ctx.translator)
    if errors:
        return Say([Reply(error_text(ctx, ImportResult(0, errors)))])
    if not values:
        return Retry(ctx._("The file has no courses."))
    data["import"] = values
    return Next()


def ask_import_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: import these N courses?"""
    titles = [f"• {v['title']} ({v['code']})" for v in data["import"][:paging.PAGE_SIZE]]
    more = len(data["import"]) - len(titles)
    if more > 0:
        titles.append(ctx._("… and {count} more.", count=more))
    head = ctx.ngettext("Import {n} course?", "Import {n} courses?", len(data["import"]))
    return Reply("\n".join([head, *titles]),
                 (Choice(ctx._("✅ Confirm"), Editor("import").pack()),))


async def accept_import_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Adds the courses (checking the codes again: another admin may have added one)."""
    pressed = Editor.unpack(answer.choice)
    if (pressed is None or pressed.action != "import") and not parse_yes_no(answer.text):
        return Retry(ctx._("Press Confirm, or Cancel to stop."))
    taken = {c.code.upper() for c in await repo.courses(ctx.session)}
    clash = [v["code"] for v in data["import"] if v["code"] in taken]
    if clash:
        return Done([Reply(ctx._("Nothing was imported: the code {code} already exists.",
                                 code=clash[0]))], menu=True)
    for values in data["import"]:
        await repo.add_course(ctx.session, values, ctx.user, ctx.now)
    count = len(data["import"])
    return Done([Reply(ctx.ngettext("Imported {n} course.", "Imported {n} courses.", count))],
                menu=True)


def ask_review(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows every field; asks to confirm, edit one, or cancel."""
    head = ctx._("Please check the course:") if data.get("course_id") is None else ctx._(
        "Please check the changes:")
    return Reply(f"{head}\n{course_summary(ctx.translator, data)}",
                 (Choice(ctx._("✅ Confirm"), Editor("save").pack()),
                  Choice(ctx._("✏️ Edit"), Editor("pick").pack())))


async def accept_review(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the new course or the changes (telling registrants of a move); or picks a field."""
    pressed = Editor.unpack(answer.choice)
    if pressed is not None and pressed.action == "pick":
        return Next("edit")
    if (pressed is None or pressed.action != "save") and not parse_yes_no(answer.text):
        return Retry(ctx._("Press Confirm, Edit, or Cancel."))
    values = COURSE.values(data)
    problems = cross_errors(values)
    if problems:
        return Retry(say(ctx.translator, problems[0]))
    existing = await repo.course_by_code(ctx.session, values["code"])
    if existing is not None and existing.id != data.get("course_id"):
        return Retry(ctx._("The code {code} already exists. Press Edit to change it.",
                           code=values["code"]))
    if data.get("course_id") is None:
        row = await repo.add_course(ctx.session, {**values, "status": "open"}, ctx.user, ctx.now)
        return Done([Reply(ctx._("Saved: {title} ({code}). Households can sign up now with "
                                 "/khoahoc.", title=row.title, code=row.code))], menu=True)
    row = await repo.course(ctx.session, data["course_id"])
    if row is None:
        return Done([Reply(ctx._("That course no longer exists."))], menu=True)
    changed = await repo.update_course(ctx.session, row, values, ctx.user, ctx.now)
    told = 0
    if changed & repo.MOVE_FIELDS:
        told = await notify_registrants(ctx, row, "moved")
    text = ctx._("Saved the changes to {title}.", title=row.title)
    if told:
        text += " " + ctx.ngettext("{n} registrant was told.", "{n} registrants were told.",
                                   told)
    return Done([Reply(text)], menu=True)


def build_editor_dialogs() -> list[Dialog]:
    """course_new (from a blank or a file) and course_edit (an existing course's values in the
    start data, with its `course_id`), admins only."""
    fields = COURSE.steps(then="review")
    review = [Step("review", ask_review, accept_review, next={"edit": "pick"}),
              COURSE.fix_step("pick", "review", page_size=paging.PAGE_SIZE)]
    document = frozenset({Kind.DOCUMENT, Kind.TEXT, Kind.CHOICE})
    new = Dialog(
        name=NEW, title=N_("New course"), roles=ADMINS,
        steps=[Step("mode", ask_mode, accept_mode,
                    next={"file": "file", "type": fields[0].name}),
               Step("file", ask_file, accept_file, accepts=document),
               Step("import_confirm", ask_import_confirm, accept_import_confirm, next={}),
               *fields, *review],
    )
    edit = Dialog(name=EDIT, title=N_("Edit course"), roles=ADMINS, steps=[*review, *fields])
    return [new, edit]
