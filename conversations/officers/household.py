"""Adding a household to a ward's list (`off_household`, /themho): the household record's
questions, then the summary to save or change.

The household record (`HOUSEHOLD`) is the one place a household's fields are declared, one row
each. The rows give the dialog's questions, in the table's order (the ward's is skipped for an
officer of one ward, and a code must be new on the ward's list), the "✏️ Change" menu (every
field but the ward and the code, which the other answers were checked against), the summary
(here and on the household's card in /ho, handlers/officers/households.py), and the columns of
the wards' list files: the import (/nhapho and `giamngheo admin import households`,
conversations/officers/imports.py) reads each column with the row's `parse`, the export writes
it with `out`, and /nhapho's question names them. db/officers/households.py stores whatever
fields the record holds, by column (and names a column it lacks).

A file's rules are not the dialog's, on purpose: a sheet comes from the ward's own records, so
a row is read more loosely (an empty address; long text cut, not refused; no year: this year;
no ward column: an officer's one ward; categories in Vietnamese words, "nghèo", "cận nghèo" …)
and every reason of a row is listed at once, in words that name the column, never its content.
So each row declares both: `read` for a typed answer, `parse` for a cell.

```mermaid
flowchart LR
    subgraph off_household
    off_household__ward[ward] --> off_household__code[code]
    off_household__code[code] --> off_household__head_name[head_name]
    off_household__head_name[head_name] --> off_household__address[address]
    off_household__address[address] --> off_household__phone[phone]
    off_household__phone[phone] --> off_household__members[members]
    off_household__members[members] --> off_household__category[category]
    off_household__category[category] --> off_household__category_year[category_year]
    off_household__category_year[category_year] --> off_household__notes[notes]
    off_household__notes[notes] --> off_household__confirm[confirm]
    off_household__confirm[confirm] -->|change| off_household__edit[edit]
    off_household__edit[edit]
    end
```
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Literal

from conversations import answers
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Step
from conversations.fields import Field, Read, Record
from conversations.officers import (
    CATEGORY_LABELS,
    MAX_MEMBERS,
    clean_code,
    household_line,
    localities,
    match_ward,
    parse_category,
    scope,
    visible_wards,
    ward_label,
)
from conversations.payloads import Payload, as_int, payload
from db.officers import households as repo
from domain.i18n import N_, Translator
from domain.localities import Localities
from domain.messages import Choice, Reply
from domain.numbers import parse_int
from domain.roles import OFFICERS
from domain.text import parse_phone

# How the list files name the categories (what the export writes; the import reads these and
# more, see `parse_category`).
FILE_CATEGORY = {"poor": "nghèo", "near_poor": "cận nghèo", "escaped": "mới thoát nghèo",
                 "other": "khác"}


@payload("oh")
class HouseholdButton(Payload):
    """The summary's buttons: save ("ok"), change an answer ("edit"). The questions' and the
    Change menu's buttons are the record's ("oh.f")."""

    pick: Literal["ok", "edit"]


# --- a list file's cells -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """What reading a list file's cells needs: the translator of the reasons, the localities,
    the wards the person importing may write in, this year (the latest, and the year of a row
    without one), and the wards already looked up by their text (a sheet names a few wards
    many times)."""

    t: Translator
    localities: Localities
    wards: Sequence[str]
    year: int
    ward_of: dict[str, str | None] = field(default_factory=dict)

    def refuse(self, reason: str, **values: Any) -> Retry:
        """A cell that cannot be used: the row's reason, translated."""
        return Retry(self.t.gettext(reason).format(**values))


Parse = Callable[[str, Sheet], Any]  # a cell's text (stripped) → the value, or a Retry


def _cell_text(text: str, sheet: Sheet) -> str | None:
    return " ".join(text.split()) or None


@dataclass(frozen=True)
class HouseholdField(Field):
    """A household's field: a `Field` that is also a column of the wards' list files. `sheet`:
    its header (the export writes it; the import reads it, as a key, and `aliases`, other
    headers' keys); `parse(text, sheet)`: how the import reads a cell; `out(value,
    localities)`: the exported cell, where it is not the value itself; `hint`: what /nhapho
    says about the column's values. No `sheet`: not in the files."""

    _: KW_ONLY
    sheet: str = ""
    aliases: tuple[str, ...] = ()
    parse: Parse = _cell_text
    out: Callable[[Any, Localities], Any] | None = None
    hint: str = ""

    def exported(self, row: Any, loc: Localities) -> Any:
        value = self.value_in(row)
        if value is None:
            return ""
        return self.out(value, loc) if self.out is not None else value


def _file_ward(text: str, sheet: Sheet) -> str | Retry:
    """A ward of the person importing; without one, their only ward."""
    if text not in sheet.ward_of:
        sheet.ward_of[text] = match_ward(sheet.localities, text) if text else (
            sheet.wards[0] if len(sheet.wards) == 1 else None)
    ward = sheet.ward_of[text]
    if ward is None:
        return sheet.refuse(N_("unknown ward \"{ward}\""), ward=text)
    if ward not in sheet.wards:
        return sheet.refuse(N_("you are not an officer of {ward}"), ward=ward)
    return ward


def _file_code(text: str, sheet: Sheet) -> str | Retry:
    return clean_code(text) or sheet.refuse(N_("missing or invalid household code"))


def _file_name(text: str, sheet: Sheet) -> str | Retry:
    name = " ".join(text.split())
    return name if 2 <= len(name) <= 128 else sheet.refuse(N_("missing head of household's name"))


def _file_phone(text: str, sheet: Sheet) -> str | Retry | None:
    if not text:
        return None
    # the number itself is not repeated: personal data
    return parse_phone(text) or sheet.refuse(N_("the phone number is not a mobile number"))


_count = functools.lru_cache(maxsize=256)(parse_int)  # a sheet holds a handful of values
_category_of = functools.lru_cache(maxsize=256)(parse_category)


def _file_members(text: str, sheet: Sheet) -> int | Retry:
    members = _count(text)
    if members is None or not 1 <= members <= MAX_MEMBERS:
        return sheet.refuse(N_("number of people must be 1 to {most}"), most=MAX_MEMBERS)
    return members


def _file_category(text: str, sheet: Sheet) -> str | Retry:
    return _category_of(text) or sheet.refuse(
        N_("unknown list \"{value}\" (nghèo, cận nghèo, mới thoát nghèo, khác)"), value=text)


def _file_year(text: str, sheet: Sheet) -> int | Retry:
    year = as_int(text) if text else sheet.year
    if year is None or not 2000 <= year <= sheet.year:
        return sheet.refuse(N_("invalid year \"{value}\""), value=text)
    return year


# --- the dialog's answers ----------------------------------------------------------------------


def ward_question(ctx: Ctx, data: dict[str, Any]) -> str:
    return ctx._("Which ward is the household in?")


async def _own_wards(ctx: Ctx, data: dict[str, Any]) -> list[str]:
    return await visible_wards(ctx)


def _code(ctx: Ctx, answer: Answer) -> str | Retry:
    code = clean_code(answer.text)
    return code or Retry(ctx._("A code is 1 to 32 letters, digits or dashes."), "HGD001")


async def _new_code(ctx: Ctx, data: dict[str, Any], code: str) -> Retry | None:
    """Refuses a code already on the ward's list."""
    if await repo.household_by_code(ctx.session, data["ward"], code) is None:
        return None
    return Retry(ctx._("The code {code} is already on this ward's list. Type another one.",
                       code=code))


def _words(limit: int, reason: str, example: str) -> Read:
    """Reads a text of 2 to `limit` characters, spaces tidied (`reason`: a msgid)."""

    def read(ctx: Ctx, answer: Answer) -> str | Retry:
        text = " ".join(answer.text.split())
        return text if 2 <= len(text) <= limit else Retry(ctx._(reason), example)

    return read


def _members(ctx: Ctx, answer: Answer) -> int | Retry:
    members = parse_int(answer.text)
    if members is None or not 1 <= members <= MAX_MEMBERS:
        return Retry(ctx._("Please type a number from 1 to {most}.", most=MAX_MEMBERS), "4")
    return members


def _category(ctx: Ctx, answer: Answer) -> str | Retry:
    return parse_category(answer.text) or Retry(ctx._("Please choose one of the buttons."))


def _years(ctx: Ctx) -> dict[int, str]:
    """This year and last, the reviews a household is most often added after."""
    year = ctx.local_now.year
    return {year: str(year), year - 1: str(year - 1)}


def _year(ctx: Ctx, answer: Answer) -> int | Retry:
    """A year from 2000 to this year."""
    year = as_int(answer.text)
    if year is None or not 2000 <= year <= ctx.local_now.year:
        return Retry(ctx._("Please type a year, e.g. {year}.", year=ctx.local_now.year))
    return year


def _notes(ctx: Ctx, answer: Answer) -> str | None:
    return answer.text[:2000] or None


HOUSEHOLD = Record("oh.f", __name__, (
    HouseholdField(
        "ward", N_("Ward"), summary=None, editable=False,  # shown with the code
        step=answers.ward_step("ward", ward_question, store=lambda unit: unit.name,
                               unknown=N_("Please choose one of your wards."),
                               offered=_own_wards),
        show_with=lambda t, ward, loc: ward_label(loc, ward),
        sheet="Phường", aliases=("phuong_xa", "xa_phuong", "ward"), parse=_file_ward,
        out=lambda ward, loc: ward_label(loc, ward)),
    HouseholdField(
        "code", N_("Code"), N_("Type the household's code on the ward's list, e.g. HGD001."),
        read=_code, check=_new_code, editable=False, summary=N_("Code: {code} — {ward}"),
        sheet="Mã hộ", aliases=("ma", "code"), parse=_file_code),
    HouseholdField(
        "head_name", N_("Name"), N_("Type the full name of the head of household."),
        read=_words(128, N_("Please type the full name."), "Nguyễn Văn An"),
        summary=N_("Head of household: {head_name}"),
        sheet="Họ tên chủ hộ", aliases=("chu_ho", "ho_ten", "ho_va_ten", "name"),
        parse=_file_name),
    HouseholdField(
        "address", N_("Address"), N_("Type the address (house number, street, neighbourhood)."),
        read=_words(256, N_("Please type the address."), "12 Lê Lợi, khu phố 3"),
        blank="", summary=N_("Address: {address}"),  # an imported one may be empty
        sheet="Địa chỉ", aliases=("address",),
        parse=lambda text, sheet: " ".join(text.split())[:256]),
    HouseholdField(
        "phone", N_("Phone"), N_("Type the household's mobile number, or press \"No phone\"."),
        read=answers.mobile_phone, skip=N_("No phone"), numeric=True,
        summary=N_("Phone: {phone}"),
        sheet="Số điện thoại", aliases=("dien_thoai", "sdt", "phone"), parse=_file_phone),
    HouseholdField(
        "members", N_("People"),
        N_("How many people are in the household? Type a number, e.g. 4."), read=_members,
        numeric=True, summary=N_("People: {members}"),
        sheet="Số nhân khẩu", aliases=("nhan_khau", "so_thanh_vien", "so_nguoi", "members"),
        parse=_file_members),
    HouseholdField(
        "category", N_("List"), N_("Which list is the household on?"), choices=CATEGORY_LABELS,
        read=_category, summary=N_("List: {category} (since {category_year})"),
        sheet="Phân loại", aliases=("dien", "loai_ho", "category"), parse=_file_category,
        out=lambda category, loc: FILE_CATEGORY.get(category, category),
        hint=" / ".join(FILE_CATEGORY.values())),
    HouseholdField(
        "category_year", N_("Year"),
        N_("In which year's review was it put on this list? Press a year or type it."),
        choices=_years, read=_year, numeric=True, summary=None,  # shown with the category
        sheet="Năm", aliases=("nam_phan_loai", "year"), parse=_file_year),
    HouseholdField(
        "notes", N_("Notes"),
        N_("Any notes (e.g. an elderly person living alone)? Type them, or press \"No notes\"."),
        read=_notes, skip=N_("No notes"), blank=None, summary=N_("Notes: {notes}"),
        sheet="Ghi chú", aliases=("notes",), parse=lambda text, sheet: text[:2000] or None),
))


def file_fields() -> list[HouseholdField]:
    """The household's fields that are columns of the list files, in the table's order."""
    return [f for f in HOUSEHOLD.fields if isinstance(f, HouseholdField) and f.sheet]


def file_columns() -> str:
    """The files' columns as /nhapho names them: "Phường, Mã hộ, …, Phân loại (nghèo / …)"."""
    return ", ".join(f"{f.sheet} ({f.hint})" if f.hint else f.sheet for f in file_fields())


# --- the summary, saving, changing an answer ---------------------------------------------------


def household_summary(ctx: Ctx, row: Any) -> str:
    """The household record's summary lines: of the dialog's answers, or of a stored
    household (its card)."""
    return "\n".join(HOUSEHOLD.lines(ctx.translator, row, env=localities(ctx)))


def ask_hh_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: save this household?"""
    text = household_summary(ctx, data) + "\n\n" + ctx._("Save this household?")
    return Reply(text, (Choice(ctx._("✅ Save"), HouseholdButton("ok").pack()),
                        Choice(ctx._("✏️ Change"), HouseholdButton("edit").pack())))


async def accept_hh_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the household (with an audit row), or opens the list of fields to change."""
    pressed = HouseholdButton.unpack(answer.choice)
    if pressed is not None and pressed.pick == "edit":
        return Next("change")
    if pressed is None:
        return Retry(ctx._("Press \"Save\", or \"Change\" to correct something."))
    wards = await scope(ctx)  # now, not when the dialog started: wards can be taken away
    if wards is not None and data["ward"] not in wards:
        return Done([Reply(ctx._("You are no longer an officer of this ward. Nothing was "
                                 "saved."))], menu=True)
    if await repo.household_by_code(ctx.session, data["ward"], data["code"]) is not None:
        return Retry(ctx._("The code {code} is already on this ward's list. Type another one.",
                           code=data["code"]))
    values = HOUSEHOLD.values(data)
    values["officer_user_id"] = ctx.user.id if ctx.user.role == "officer" else None
    household = await repo.add_household(ctx.session, values, ctx.user, ctx.now)
    text = ctx._("Saved: {household}. To log a visit: /thamho {code}",
                 household=household_line(ctx, household), code=household.code)
    return Done([Reply(text)], menu=True)


async def start_household(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """An officer of one ward skips the ward question (the table's first row)."""
    wards = await visible_wards(ctx)
    if len(wards) == 1:
        # Assigned, not changed in place: the query above flushed the state already.
        ctx.state.data = {**data, "ward": wards[0]}
        return Next()
    return None


def build_household_dialog() -> Dialog:
    """/themho: the record's questions, the summary, and its Change menu."""
    return Dialog(
        name="off_household",
        title=N_("Add a household"),
        steps=[
            *HOUSEHOLD.steps(),
            Step("confirm", ask_hh_confirm, accept_hh_confirm, next={"change": "edit"}),
            HOUSEHOLD.fix_step("edit", "confirm", N_("What do you want to change?")),
        ],
        roles=OFFICERS,
        on_start=start_household,
    )


ADD_HOUSEHOLD = build_household_dialog()
