"""The vocational-course dialogs: a household signing up, and an admin adding or editing a course
(typed field by field, or a CSV/XLSX file of courses).

Owns: the course field table (`FIELDS`: label, question, example, parser and import column of
every course field, shared by the admin dialogs and the file import), `validate_rows` (the
all-or-nothing check of an imported sheet), and three dialogs:

```mermaid
flowchart LR
    subgraph course_signup
    start -->|Bắt đầu / Vào danh sách chờ| name --> birth_year --> phone --> ward
    ward --> household --> confirm
    confirm -->|Sửa| fix -->|one field| confirm
    confirm -->|Đồng ý| done([KH-xxxx])
    end
    subgraph course_new
    mode -->|Gửi tệp| file --> import_confirm --> imported([N khóa học])
    mode -->|Nhập từng mục| code --> title --> dots[…] --> contact --> review
    review -->|Sửa| pick -->|one field| review
    review -->|Xác nhận| saved([saved])
    end
```

`course_edit` is `review`/`pick` and the field steps of `course_new`, started on an existing
course. Payloads: "kd:" (sign-up) and "kn:" (admin editor); the stateless list pages ("kh:",
"kq:") live in handlers/courses.py.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import answers, paging
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Edit, Next, Outcome, Retry, Say, Step
from conversations.payloads import int_at
from db import courses as repo
from db import outbox, users
from db.models import User
from domain.formatting import format_date, parse_date
from domain.i18n import N_, Translator
from domain.localities import Localities, Unit, find_unit, normalise_name
from domain.messages import Choice, Kind, Reply
from domain.roles import ADMINS
from domain.tables import ImportResult, Row, TableError, read_table
from domain.text import fold, fold_plain, parse_int, parse_yes_no

SIGNUP = "course_signup"
NEW = "course_new"
EDIT = "course_edit"
CONSENT_PURPOSE = "course_registration"
PAGE_SIZE = 8
MIN_AGE, MAX_AGE = 15, 80  # working age and a generous upper bound; outside: a typo
MAX_ERRORS_SHOWN = 10

LEVEL_NAMES = {"so_cap": N_("elementary level (sơ cấp)"),
               "duoi_3_thang": N_("under 3 months")}
STATUS_NAMES = {"open": N_("taking sign-ups"), "closed": N_("sign-ups closed"),
                "cancelled": N_("cancelled")}
HOUSEHOLD_NAMES = {
    "poor": N_("Poor household"),
    "near_poor": N_("Near-poor household"),
    "escaped": N_("Newly escaped poverty"),
    "other": N_("Other"),
    "unknown": N_("Don't know"),
}
_LEVEL_WORDS = {"so cap": "so_cap", "sc": "so_cap", "so_cap": "so_cap",
                "duoi 3 thang": "duoi_3_thang", "duoi_3_thang": "duoi_3_thang",
                "ngan han": "duoi_3_thang"}
_STATUS_WORDS = {"open": "open", "mo": "open", "dang mo": "open", "": "open",
                 "closed": "closed", "dong": "closed", "da dong": "closed",
                 "cancelled": "cancelled", "huy": "cancelled", "da huy": "cancelled"}
_NONE_WORDS = frozenset({"", "-", "khong", "khong co", "ko", "k"})
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-_.]{1,31}$")


def slug(text: str) -> str:
    """A stable ASCII id for a name (payloads): "Phường Đông Hải" → "dong-hai"."""
    return fold_plain(normalise_name(text)).replace(" ", "-")[:40]


def page_of(items: Sequence[Any], page: int) -> tuple[Sequence[Any], int, int]:
    """The items of 1-based `page` (clamped), the page and the page count."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page, pages


def page_buttons(ctx: Ctx, base: str, page: int, pages: int) -> list[Choice]:
    return paging.page_buttons(ctx, lambda n: f"{base}:{n}", page, pages)


def _localities(ctx: Ctx) -> Localities:
    localities: Localities = ctx.services.content["localities"]
    return localities


def _ward_buttons(ctx: Ctx, prefix: str) -> list[Choice]:
    units: Sequence[Unit] = _localities(ctx).current.units
    return [Choice(unit.full_name[:1].upper() + unit.full_name[1:], f"{prefix}{slug(unit.name)}")
            for unit in units[:PAGE_SIZE]]


# --- course fields: parsers shared by the admin dialog and the file import --------------------


class Invalid(ValueError):
    """A value that cannot be used: `message` is a msgid with named `values`."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Env:
    today: date
    localities: Localities


def _text(limit: int) -> Callable[[str, Env], str]:
    def parse(text: str, env: Env) -> str:
        value = " ".join(text.split())
        if len(value) < 2:
            raise Invalid(N_("This cannot be empty."))
        if len(value) > limit:
            raise Invalid(N_("Too long: at most {limit} characters."), limit=limit)
        return value
    return parse


def _code(text: str, env: Env) -> str:
    value = text.strip().upper()
    if not _CODE.match(value):
        raise Invalid(N_("A code is 2 to 32 letters, digits or dashes, without spaces."))
    return value


def _level(text: str, env: Env) -> str:
    level = _LEVEL_WORDS.get(fold(text).replace("-", " "))
    if level is None:
        raise Invalid(N_("The level must be \"sơ cấp\" or \"dưới 3 tháng\"."))
    return level


def _date(text: str, env: Env) -> str:
    found = parse_date(text, env.today)
    if found is None:
        try:
            found = date.fromisoformat(text.strip())
        except ValueError:
            raise Invalid(N_("Not a date like 07/12/2026.")) from None
    return found.isoformat()


def _optional_date(text: str, env: Env) -> str | None:
    return None if fold(text) in _NONE_WORDS else _date(text, env)


def _ward(text: str, env: Env) -> str:
    match = find_unit(env.localities, text.replace("-", " "))
    if match is None or match.current_unit is None:
        raise Invalid(N_("No ward or commune called \"{name}\" in the current list."),
                      name=text.strip())
    return match.current_unit.full_name


def _capacity(text: str, env: Env) -> int:
    value = parse_int(text)
    if value is None or not 1 <= value <= 1000:
        raise Invalid(N_("The number of places must be a whole number from 1 to 1000."))
    return value


def _status(text: str, env: Env) -> str:
    status = _STATUS_WORDS.get(fold(text))
    if status is None:
        raise Invalid(N_("The status must be open, closed or cancelled (mở, đóng, hủy)."))
    return status


@dataclass(frozen=True)
class Field:
    """One course field: how it is asked, read, shown, and which sheet column holds it."""

    key: str
    label: str
    question: str
    example: str
    parse: Callable[[str, Env], Any]
    column: str
    optional: bool = False
    in_dialog: bool = True


FIELDS: tuple[Field, ...] = (
    Field("code", N_("Code"), N_("Course code (short, unique)?"), "MAY-2026-01", _code,
          "ma_khoa_hoc"),
    Field("title", N_("Title"), N_("Course title?"), "May công nghiệp", _text(200),
          "ten_khoa_hoc"),
    Field("trade", N_("Trade"), N_("Trade (nghề)?"), "May", _text(100), "nghe"),
    Field("level", N_("Level"), N_("Level: sơ cấp or under 3 months?"), "dưới 3 tháng",
          _level, "trinh_do"),
    Field("starts_on", N_("Start date"), N_("Start date?"), "07/12/2026", _date,
          "ngay_bat_dau"),
    Field("ends_on", N_("End date"), N_("End date?"), "28/02/2027", _date, "ngay_ket_thuc"),
    Field("schedule", N_("Schedule"), N_("Schedule (days and hours)?"),
          "Thứ 2 đến thứ 6, 7:30-11:00", _text(500), "lich_hoc"),
    Field("place", N_("Place"), N_("Where is it taught (address)?"),
          "Nhà văn hóa khu phố 3", _text(500), "dia_diem"),
    Field("ward", N_("Ward"), N_("Which ward or commune is the place in?"), "Phan Rang",
          _ward, "phuong_xa"),
    Field("capacity", N_("Places"), N_("How many places?"), "30", _capacity, "so_cho"),
    Field("deadline", N_("Sign-up deadline"),
          N_("Last day to sign up? Type \"không\" if there is none."), "30/11/2026",
          _optional_date, "han_dang_ky", optional=True),
    Field("audience", N_("Who it is for"), N_("Who is it for?"),
          "Lao động thuộc hộ nghèo, cận nghèo, mới thoát nghèo", _text(1000), "doi_tuong"),
    Field("support", N_("Support"), N_("What support does it give (tuition, meals, travel)?"),
          "Miễn học phí; tiền ăn 30.000 đ/ngày học", _text(1000), "ho_tro"),
    Field("support_source", N_("Source of the support"),
          N_("Source of that support (decision, link)?"), "QĐ 46/2015/QĐ-TTg", _text(1000),
          "nguon_ho_tro"),
    Field("contact", N_("Contact"), N_("Contact (office, phone)?"),
          "UBND phường Phan Rang, 0912345678", _text(500), "lien_he"),
    Field("status", N_("Status"), N_("Status?"), "mở", _status, "trang_thai",
          optional=True, in_dialog=False),
)
DIALOG_FIELDS = tuple(f for f in FIELDS if f.in_dialog)
_BY_KEY = {f.key: f for f in FIELDS}


def cross_errors(values: dict[str, Any]) -> list[Invalid]:
    """What is wrong between fields: the end before the start, a deadline after the start."""
    errors = []
    starts, ends, deadline = values.get("starts_on"), values.get("ends_on"), values.get("deadline")
    if starts and ends and ends < starts:
        errors.append(Invalid(N_("The end date is before the start date.")))
    if starts and deadline and deadline > starts:
        errors.append(Invalid(N_("The sign-up deadline is after the start date.")))
    return errors


def _say(t: Translator, error: Invalid) -> str:
    return t.gettext(error.message).format(**error.values)


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
            raw = row.cells.get(field.column, "").strip()
            if not raw and not field.optional:
                reasons.append(_("missing {column}").format(column=field.column))
                continue
            try:
                values[field.key] = field.parse(raw, env)
            except Invalid as error:
                reasons.append(f"{field.column}: {_say(t, error)}")
        reasons += [_say(t, error) for error in cross_errors(values)]
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


def course_summary(ctx: Ctx, values: dict[str, Any]) -> str:
    """Every field of a course as "Label: value" lines (admins' review)."""
    lines = []
    for field in FIELDS:
        value = values.get(field.key)
        if field.key == "status" and value is None:
            continue
        lines.append(f"{ctx._(field.label)}: {show_value(ctx, field.key, value)}")
    return "\n".join(lines)


def show_value(ctx: Ctx, key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if key in repo.DATE_FIELDS:
        return format_date(date.fromisoformat(value) if isinstance(value, str) else value)
    if key == "level":
        return ctx._(LEVEL_NAMES.get(value, value))
    if key == "status":
        return ctx._(STATUS_NAMES.get(value, value))
    return str(value)


# --- notices: what registrants are told on the bot's own initiative ---------------------------


def notice(
    t: Translator, kind: str, course: repo.Course, reg: repo.CourseRegistration
) -> Reply:
    """The message for `kind`: reminder, promoted, moved, closed or cancelled."""
    _ = t.gettext
    values = dict(title=course.title, code=reg.code, date=format_date(course.starts_on),
                  end=format_date(course.ends_on), schedule=course.schedule, place=course.place)
    if kind == "reminder":
        text = _("Reminder: {title} starts tomorrow, {date}. Schedule: {schedule}. Place: "
                 "{place}. Your code: {code}. If you cannot come, please cancel with /huydangky "
                 "so someone else can have the place.")
    elif kind == "promoted":
        text = _("Good news: a place is free for you on {title}, starting {date} at {place}. "
                 "Your code: {code}. If you cannot come, cancel with /huydangky.")
    elif kind == "moved":
        text = _("Change to {title}: it now runs from {date} to {end}. Schedule: {schedule}. "
                 "Place: {place}. Your code: {code}. If you cannot come, cancel with "
                 "/huydangky.")
    elif kind == "closed" and reg.status == repo.WAITLIST:
        text = _("Sign-ups for {title} are closed and no place became free for you (code "
                 "{code}). Sorry! Type /khoahoc to see other courses.")
    elif kind == "closed":
        text = _("Sign-ups for {title} are closed. Your place is kept (code {code}).")
    else:
        text = _("Sorry, the course {title} (starting {date}) has been cancelled, so your "
                 "sign-up (code {code}) is void. Type /khoahoc to see other courses.")
    return Reply(text.format(**values))


async def queue_notice(
    session: AsyncSession, user: User, reply: Reply, kind: str, now: datetime,
    dedup_key: str | None = None,
) -> bool:
    """Queue one message to `user` in the caller's transaction (False: queued before)."""
    return await outbox.enqueue(
        session, channel=user.channel, chat_id=user.chat_id, reply=reply,
        kind=f"course-{kind}", now=now, user_id=user.id, dedup_key=dedup_key,
    )


async def notify_registrants(ctx: Ctx, course: repo.Course, kind: str) -> int:
    """Tell everyone signed up (or waiting) for `course` about a change; returns how many."""
    rows = await repo.with_recipients(ctx.session, course.id)
    for reg, _course, user in rows:
        await queue_notice(ctx.session, user, notice(ctx.translator, kind, course, reg), kind,
                           ctx.now)
    if rows:
        ctx.services.wake_delivery()
    return len(rows)


async def notify_promoted(ctx: Ctx, promoted: Sequence[repo.CourseRegistration]) -> None:
    """Tell each person moved up from the waitlist that they have a place."""
    for reg in promoted:
        user = await ctx.session.get(User, reg.user_id)
        course = await repo.course(ctx.session, reg.course_id)
        if user is not None and course is not None:
            await queue_notice(ctx.session, user, notice(ctx.translator, "promoted", course, reg),
                               "promoted", ctx.now)
    if promoted:
        ctx.services.wake_delivery()


# --- the admin editor: course_new and course_edit ----------------------------------------------


def _env(ctx: Ctx) -> Env:
    return Env(ctx.local_now.date(), _localities(ctx))


def ask_mode(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: type one course, or send a file of courses?"""
    if not ctx.can_receive(Kind.DOCUMENT):
        return Reply(ctx._("Add a course: type it field by field.") + "\n" +
                     answers.no_files_here(ctx),
                     (Choice(ctx._("✍️ Type one course"), "kn:mode:type"),))
    return Reply(ctx._("Add a course: type it field by field, or send a CSV/XLSX file of "
                       "courses?"),
                 (Choice(ctx._("✍️ Type one course"), "kn:mode:type"),
                  Choice(ctx._("📄 Send a file"), "kn:mode:file")))


def accept_mode(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Goes to the first field, or to the file step."""
    if answer.choice == "kn:mode:file":
        if not ctx.can_receive(Kind.DOCUMENT):
            return Retry(answers.no_files_here(ctx))
        return Next("file")
    if answer.choice == "kn:mode:type":
        return Next(DIALOG_FIELDS[0].key)
    return Retry(ctx._("Please choose one of the two buttons."))


def ask_file(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks for the CSV or XLSX file, naming its columns."""
    columns = ", ".join(f.column for f in FIELDS)
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
    values, errors = validate_rows(rows, _env(ctx), taken, ctx.translator)
    if errors:
        return Say([Reply(error_text(ctx, ImportResult(0, errors)))])
    if not values:
        return Retry(ctx._("The file has no courses."))
    data["import"] = values
    return Next("import_confirm")


def ask_import_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: import these N courses?"""
    titles = [f"• {v['title']} ({v['code']})" for v in data["import"][:PAGE_SIZE]]
    more = len(data["import"]) - len(titles)
    if more > 0:
        titles.append(ctx._("… and {count} more.", count=more))
    head = ctx.ngettext("Import {n} course?", "Import {n} courses?", len(data["import"]))
    return Reply("\n".join([head, *titles]), (Choice(ctx._("✅ Confirm"), "kn:import:yes"),))


async def accept_import_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Adds the courses (checking the codes again: another admin may have added one)."""
    if answer.choice != "kn:import:yes" and not parse_yes_no(answer.text):
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


def _field_step(field: Field, following: str) -> Step:
    def ask(ctx: Ctx, data: dict[str, Any]) -> Reply:
        buttons: list[Choice] = []
        if field.key == "level":
            buttons = [Choice(ctx._(name), f"kn:val:{key}") for key, name in LEVEL_NAMES.items()]
        elif field.key == "ward":
            buttons = _ward_buttons(ctx, "kn:val:")
        elif field.key == "deadline":
            buttons = [Choice(ctx._("No deadline"), "kn:val:-")]
        current = data.get("values", {}).get(field.key)
        text = ctx._(field.question) + "\n" + ctx._("For example: {example}",
                                                    example=field.example)
        if current not in (None, ""):
            text += "\n" + ctx._("Now: {value}", value=show_value(ctx, field.key, current))
        return Reply(text, tuple(buttons))

    def accept(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
        raw = (answer.choice or "").removeprefix("kn:val:") if answer.choice else answer.text
        try:
            value = field.parse(raw, _env(ctx))
        except Invalid as error:
            return Retry(ctx._(error.message, **error.values), field.example)
        data["values"] = {**data.get("values", {}), field.key: value}
        return Next(following)

    numeric = field.key == "capacity"
    return Step(field.key, ask, accept, numeric=numeric)


def _field_steps() -> list[Step]:
    keys = [f.key for f in DIALOG_FIELDS] + ["review"]
    return [_field_step(f, keys[i + 1]) for i, f in enumerate(DIALOG_FIELDS)]


def ask_review(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows every field; asks to confirm, edit one, or cancel."""
    head = ctx._("Please check the course:") if data.get("course_id") is None else ctx._(
        "Please check the changes:")
    return Reply(f"{head}\n{course_summary(ctx, data['values'])}",
                 (Choice(ctx._("✅ Confirm"), "kn:save"), Choice(ctx._("✏️ Edit"), "kn:pick")))


async def accept_review(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the new course or the changes (telling registrants of a move); or picks a field."""
    if answer.choice == "kn:pick":
        return Next("pick")
    if answer.choice != "kn:save" and not parse_yes_no(answer.text):
        return Retry(ctx._("Press Confirm, Edit, or Cancel."))
    values = data["values"]
    problems = cross_errors(values)
    if problems:
        return Retry(_say(ctx.translator, problems[0]))
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


def ask_pick(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which field to change? (paged)"""
    shown, page, pages = page_of(DIALOG_FIELDS, data.get("pick_page", 1))
    buttons = [Choice(ctx._(f.label), f"kn:edit:{f.key}") for f in shown]
    buttons += page_buttons(ctx, "kn:pickpage", page, pages)
    return Reply(ctx._("Which one do you want to change?"), tuple(buttons))


def accept_pick(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Opens one field, then comes back to the review."""
    choice = answer.choice or ""
    if choice.startswith("kn:pickpage:"):
        data["pick_page"] = int_at(choice, 2)
        return Next("pick")
    key = choice.removeprefix("kn:edit:")
    if key not in _BY_KEY or not _BY_KEY[key].in_dialog:
        return Retry(ctx._("Please choose one of the buttons."))
    return Edit(key, "review")


def build_editor_dialogs() -> list[Dialog]:
    """course_new (from a blank or a file) and course_edit (an existing course), admins only."""
    fields = _field_steps()
    review = [Step("review", ask_review, accept_review), Step("pick", ask_pick, accept_pick)]
    document = frozenset({Kind.DOCUMENT, Kind.TEXT, Kind.CHOICE})
    new = Dialog(
        loose=True, name=NEW, title=N_("New course"), roles=ADMINS,
        steps=[Step("mode", ask_mode, accept_mode),
               Step("file", ask_file, accept_file, accepts=document),
               Step("import_confirm", ask_import_confirm, accept_import_confirm),
               *fields, *review],
    )
    edit = Dialog(loose=True, name=EDIT, title=N_("Edit course"), roles=ADMINS,
                  steps=[*review, *fields])
    return [new, edit]


# --- a household signs up: course_signup --------------------------------------------------------


async def _signup_start(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """Refuses a closed course or a second sign-up before asking anything."""
    course = await repo.course(ctx.session, int(data.get("course_id", 0)))
    if course is None or not course.accepting(ctx.local_now.date()):
        return Done([Reply(ctx._("Sorry, this course is not taking sign-ups any more."))],
                    menu=True)
    existing = await repo.active_for(ctx.session, course.id, ctx.user.id)
    if existing is not None:
        return Done([Reply(already_text(ctx, course, existing))], menu=True)
    return None


def already_text(ctx: Ctx, course: repo.Course, existing: repo.CourseRegistration) -> str:
    return ctx._("You have already signed up for {title} (code {code}). To cancel, type "
                 "/huydangky.", title=course.title, code=existing.code)


async def ask_start(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Names the course; when full, offers the waitlist with the place in line."""
    course = await repo.course(ctx.session, data["course_id"])
    assert course is not None
    counts = await repo.count_for(ctx.session, course.id)
    if counts.registered >= course.capacity:
        text = ctx._("{title} is full ({capacity} places). You can join the waiting list: you "
                     "would be number {position}. If someone cancels, I will tell you.",
                     title=course.title, capacity=course.capacity,
                     position=counts.waitlist + 1)
        return Reply(text, (Choice(ctx._("📝 Join the waiting list"), "kd:start:yes"),
                            Choice(ctx._("No, thanks"), "kd:start:no")))
    text = ctx._("Sign up for {title}, starting {date}. I will ask 6 short questions.",
                 title=course.title, date=format_date(course.starts_on))
    return Reply(text, (Choice(ctx._("✅ Start"), "kd:start:yes"),))


def accept_start(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Goes on, or ends on "no"."""
    yes = answer.choice == "kd:start:yes" or (answer.choice is None and parse_yes_no(answer.text))
    if answer.choice == "kd:start:no" or parse_yes_no(answer.text) is False:
        return Done(menu=ctx._("All right. Nothing was saved."))
    if not yes:
        return Retry(ctx._("Please choose one of the buttons."))
    return Next("name")


def ask_name(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the learner's full name."""
    return Reply(ctx._("What is the full name of the person who will study? For example: "
                       "Nguyễn Văn An"))


def ask_birth_year(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the year of birth (4 digits)."""
    return Reply(ctx._("In which year was {name} born? Type 4 digits, for example: 1990",
                       name=data["full_name"]))


def accept_birth_year(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores a year giving an age from MIN_AGE to MAX_AGE this year."""
    year = parse_int(answer.text)
    this_year = ctx.local_now.year
    if year is None or not this_year - MAX_AGE <= year <= this_year - MIN_AGE:
        return Retry(ctx._("The year of birth must be 4 digits, from {first} to {last}.",
                           first=this_year - MAX_AGE, last=this_year - MIN_AGE), "1990")
    data["birth_year"] = year
    return Next("phone")


def ask_phone(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: a mobile number (typed, or shared with the channel's button)."""
    office = answers.labour_office_name(ctx)
    return answers.phone_question(
        ctx, ctx._("Which phone number can the {office} call? Type it, for example "
                   "0912345678, or press the button to share your number.", office=office),
        ctx._("Which phone number can the {office} call? Type it, for example 0912345678.",
              office=office))


def ask_ward(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which ward the learner lives in."""
    buttons = [*_ward_buttons(ctx, "kd:ward:"),
               Choice(ctx._("🤷 Don't know / somewhere else"), "kd:ward:other")]
    return Reply(ctx._("Which ward or commune do you live in? Choose one, or type its name."),
                 tuple(buttons))


def accept_ward(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the current ward (an old ward name is mapped to today's), or none."""
    choice = answer.choice or ""
    if choice == "kd:ward:other":
        data["ward"] = None
        return Next("household")
    text = choice.removeprefix("kd:ward:") if choice else answer.text
    try:
        data["ward"] = _ward(text, _env(ctx))
    except Invalid:
        return Retry(ctx._("I could not find that ward. Choose a button, or press \"Don't "
                           "know / somewhere else\"."), "Phan Rang")
    return Next("household")


def ask_household(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the household's category (poor, near-poor, newly escaped, other, don't know)."""
    return Reply(ctx._("Which group is your household in?"),
                 tuple(Choice(ctx._(name), f"kd:hh:{key}")
                       for key, name in HOUSEHOLD_NAMES.items()))


def accept_household(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the category."""
    key = (answer.choice or "").removeprefix("kd:hh:")
    if key not in HOUSEHOLD_NAMES:
        return Retry(ctx._("Please choose one of the buttons."))
    data["household"] = key
    return Next("confirm")


def _person_lines(ctx: Ctx, data: dict[str, Any]) -> str:
    return ctx._("Name: {name}\nYear of birth: {year}\nPhone: {phone}\nWard: {ward}\n"
                 "Household: {household}", name=data["full_name"], year=data["birth_year"],
                 phone=data["phone"], ward=data["ward"] or "—",
                 household=ctx._(HOUSEHOLD_NAMES[data["household"]]))


def ask_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the answers; asks consent to send them to the labour office."""
    text = "\n".join([
        _person_lines(ctx, data),
        ctx._("I will send these details to the {office} to arrange the class. You can see or "
              "delete them with /dulieucuatoi and /xoadulieu. Do you agree?",
              office=answers.labour_office_name(ctx)),
    ])
    return Reply(text, (Choice(ctx._("✅ I agree, sign me up"), "kd:ok"),
                        Choice(ctx._("✏️ Edit"), "kd:fix"),
                        Choice(ctx._("Don't send"), "kd:no")))


async def accept_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Registers (a place or the waitlist) and gives the code; or ends without saving."""
    if answer.choice == "kd:fix":
        return Next("fix")
    yes = answer.choice == "kd:ok" or (answer.choice is None and parse_yes_no(answer.text))
    if answer.choice == "kd:no" or (answer.choice is None and parse_yes_no(answer.text) is False):
        return Done(menu=ctx._("Nothing was sent, and nothing about you was kept."))
    if not yes:
        return Retry(ctx._("Please answer yes or no."), ctx._("yes"))
    try:
        reg = await repo.register(ctx.session, data["course_id"], ctx.user, data, ctx.now,
                                  ctx.local_now.date())
    except repo.CourseError as error:
        course = await repo.course(ctx.session, data["course_id"])
        if error.reason == "duplicate" and course and error.existing:
            return Done([Reply(already_text(ctx, course, error.existing))], menu=True)
        return Done([Reply(ctx._("Sorry, this course is not taking sign-ups any more."))],
                    menu=True)
    await users.grant_consent(ctx.session, ctx.user, CONSENT_PURPOSE, ctx.now)
    course = await repo.course(ctx.session, reg.course_id)
    assert course is not None
    if reg.status == repo.WAITLIST:
        position = await repo.waitlist_position(ctx.session, reg)
        text = ctx._("You are on the waiting list for {title}: number {position}. Your code: "
                     "{code}. If a place frees up, I will tell you.", title=course.title,
                     position=position, code=reg.code)
    else:
        text = ctx._("Signed up for {title}! Your code: {code}. It starts on {date} at {place}. "
                     "I will remind you the day before. To cancel: /huydangky.",
                     title=course.title, code=reg.code, date=format_date(course.starts_on),
                     place=course.place)
    return Done([Reply(text)], menu=True)


_FIX = (("name", N_("Name")), ("birth_year", N_("Year of birth")), ("phone", N_("Phone")),
        ("ward", N_("Ward")), ("household", N_("Household")))


def ask_fix(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which answer to change?"""
    return Reply(ctx._("Which one do you want to change?"),
                 tuple(Choice(ctx._(label), f"kd:fix:{key}") for key, label in _FIX))


def accept_fix(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Opens that question, then comes back to the confirmation."""
    key = (answer.choice or "").removeprefix("kd:fix:")
    if key not in dict(_FIX):
        return Retry(ctx._("Please choose one of the buttons."))
    return Edit(key, "confirm")


def build_signup_dialog() -> Dialog:
    """The household's sign-up for one course (`course_id` in the start data)."""
    return Dialog(
        loose=True, name=SIGNUP, title=N_("Course sign-up"), on_start=_signup_start,
        steps=[
            Step("start", ask_start, accept_start),
            Step("name", ask_name, answers.storing("full_name", answers.full_name, "birth_year")),
            Step("birth_year", ask_birth_year, accept_birth_year, numeric=True,
                 zero_is_answer=False),
            Step("phone", ask_phone, answers.storing("phone", answers.mobile_phone, "ward"),
                 accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.CONTACT})),
            Step("ward", ask_ward, accept_ward),
            Step("household", ask_household, accept_household),
            Step("confirm", ask_confirm, accept_confirm),
            Step("fix", ask_fix, accept_fix),
        ],
    )


def build_dialogs() -> list[Dialog]:
    return [build_signup_dialog(), *build_editor_dialogs()]
