"""What a vocational course's fields are made of: `CourseField` (a `conversations.fields.Field`
that also knows its sheet column, its example and its parser `parse(text, env)`, the one reader
of a typed answer and of an imported cell, so the dialog and the file accept the same values and
say the same thing about a bad one), the parsers, the names of levels and statuses, and
`course_text`, the course as a household reads it. The course's field table itself (`COURSE`)
is in conversations/course_editor.py, with the dialogs and the import that use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from conversations import answers, paging
from conversations.engine import Answer, Retry
from conversations.fields import Field
from db import courses as repo
from domain.folding import fold
from domain.formatting import format_date, parse_date
from domain.i18n import N_, Translator
from domain.localities import Localities, Unit, find_unit
from domain.numbers import parse_int

if TYPE_CHECKING:
    from conversations.context import Ctx

LEVEL_NAMES = {"so_cap": N_("elementary level (sơ cấp)"),
               "duoi_3_thang": N_("under 3 months")}
STATUS_NAMES = {"open": N_("taking sign-ups"), "closed": N_("sign-ups closed"),
                "cancelled": N_("cancelled")}
_LEVEL_WORDS = {"so cap": "so_cap", "sc": "so_cap", "so_cap": "so_cap",
                "duoi 3 thang": "duoi_3_thang", "duoi_3_thang": "duoi_3_thang",
                "ngan han": "duoi_3_thang"}
_STATUS_WORDS = {"open": "open", "mo": "open", "dang mo": "open", "": "open",
                 "closed": "closed", "dong": "closed", "da dong": "closed",
                 "cancelled": "cancelled", "huy": "cancelled", "da huy": "cancelled"}
_NONE_WORDS = frozenset({"", "-", "khong", "khong co", "ko", "k"})
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-_.]{1,31}$")


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


def env_of(ctx: Ctx) -> Env:
    return Env(ctx.local_now.date(), ctx.services.content["localities"])


def say(t: Translator, error: Invalid) -> str:
    return t.gettext(error.message).format(**error.values)


# --- parsers: a typed answer or an imported cell → the value ----------------------------------


def as_text(limit: int) -> Callable[[str, Env], str]:
    def parse(text: str, env: Env) -> str:
        value = " ".join(text.split())
        if len(value) < 2:
            raise Invalid(N_("This cannot be empty."))
        if len(value) > limit:
            raise Invalid(N_("Too long: at most {limit} characters."), limit=limit)
        return value
    return parse


def as_code(text: str, env: Env) -> str:
    value = text.strip().upper()
    if not _CODE.match(value):
        raise Invalid(N_("A code is 2 to 32 letters, digits or dashes, without spaces."))
    return value


def as_level(text: str, env: Env) -> str:
    level = _LEVEL_WORDS.get(fold(text).replace("-", " "))
    if level is None:
        raise Invalid(N_("The level must be \"sơ cấp\" or \"dưới 3 tháng\"."))
    return level


def as_date(text: str, env: Env) -> str:
    found = parse_date(text, env.today)
    if found is None:
        try:
            found = date.fromisoformat(text.strip())
        except ValueError:
            raise Invalid(N_("Not a date like 07/12/2026.")) from None
    return found.isoformat()


def as_optional_date(text: str, env: Env) -> str | None:
    return None if fold(text) in _NONE_WORDS else as_date(text, env)


def as_ward(text: str, env: Env) -> str:
    match = find_unit(env.localities, text.replace("-", " "))
    if match is None or match.current_unit is None:
        raise Invalid(N_("No ward or commune called \"{name}\" in the current list."),
                      name=text.strip())
    return match.current_unit.full_name


def as_capacity(text: str, env: Env) -> int:
    value = parse_int(text)
    if value is None or not 1 <= value <= 1000:
        raise Invalid(N_("The number of places must be a whole number from 1 to 1000."))
    return value


def as_status(text: str, env: Env) -> str:
    status = _STATUS_WORDS.get(fold(text))
    if status is None:
        raise Invalid(N_("The status must be open, closed or cancelled (mở, đóng, hủy)."))
    return status


def ward_label(unit: Unit) -> str:
    """ "phường Phan Rang" → "Phường Phan Rang" (str.capitalize would lower-case the name)."""
    return unit.full_name[:1].upper() + unit.full_name[1:]


def show_date(t: Translator, value: Any) -> str:
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value)


# --- the course field ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseField(Field):
    """A course field: a `Field` whose answers (typed, or a cell of an imported sheet) are read
    by `parse(text, env)`, asked with an `example` and, when editing, the value it has now.
    `sheet`: its column in an imported file; `optional`: the file may leave it empty;
    `wards`: today's wards are its buttons."""

    _: KW_ONLY
    example: str = ""
    parse: Callable[[str, Env], Any] = as_text(1000)
    sheet: str = ""
    optional: bool = False
    wards: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "read", self._read)

    def _read(self, ctx: Ctx, answer: Answer) -> Any:
        try:
            return self.parse(answer.text, env_of(ctx))
        except Invalid as error:
            return Retry(ctx._(error.message, **error.values), self.example)

    def question(self, ctx: Ctx, data: dict[str, Any]) -> str:
        text = ctx._(str(self.ask)) + "\n" + ctx._("For example: {example}",
                                                   example=self.example)
        current = data.get(self.key)
        if current not in (None, ""):
            text += "\n" + ctx._("Now: {value}", value=self.text(ctx.translator, current))
        return text

    def options(self, ctx: Ctx) -> list[tuple[Any, str]]:
        if not self.wards:
            return super().options(ctx)
        return [(unit.full_name, ward_label(unit))
                for unit in answers.current_units(ctx)[:paging.PAGE_SIZE]]


# --- the course as a household reads it ----------------------------------------------------------


def free_text(ctx: Ctx, course: repo.Course, counts: repo.Counts) -> str:
    free = course.capacity - counts.registered
    if free > 0:
        return ctx.ngettext("{n} place left", "{n} places left", free)
    return ctx._("full, waiting list open")


def course_text(ctx: Ctx, course: repo.Course, counts: repo.Counts) -> str:
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
              free=free_text(ctx, course, counts)),
    ]
    if course.deadline:
        lines.append(ctx._("Sign up by: {date}", date=format_date(course.deadline)))
    lines += [
        ctx._("For: {audience}", audience=course.audience),
        ctx._("Support: {support} (source: {source})", support=course.support,
              source=course.support_source),
        ctx._("ℹ️ Support levels may have changed: ask the {office} to confirm.",
              office=answers.labour_office_name(ctx)),
        ctx._("Contact: {contact}", contact=course.contact),
    ]
    if course.status != "open":
        lines.append(ctx._("Status: {status}",
                           status=ctx._(STATUS_NAMES.get(course.status, course.status))))
    return "\n".join(lines)
