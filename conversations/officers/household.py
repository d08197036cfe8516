"""Adding a household to a ward's list (`off_household`, /themho): the ward (skipped for an
officer of one ward), the code, the head of household, address, phone, people, category and
the year of the review that put it there, notes; then the summary to save or change.

Each field is an ask/accept pair below, in the table's order; `household_summary` is the one
place the answers are shown (here and on the household's card in /ho).

```mermaid
flowchart LR
    subgraph off_household
    off_household__ward[ward] --> off_household__code[code]
    off_household__code[code] --> off_household__name[name]
    off_household__name[name] --> off_household__address[address]
    off_household__address[address] --> off_household__phone[phone]
    off_household__phone[phone] --> off_household__members[members]
    off_household__members[members] --> off_household__category[category]
    off_household__category[category] --> off_household__year[year]
    off_household__year[year] --> off_household__notes[notes]
    off_household__notes[notes] --> off_household__confirm[confirm]
    off_household__confirm[confirm] -->|change| off_household__edit[edit]
    off_household__edit[edit]
    end
```
"""

from __future__ import annotations

from typing import Any, Literal

from conversations import answers
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Edit, Next, Outcome, Retry, Step
from conversations.officers import (
    CATEGORY_LABELS,
    MAX_MEMBERS,
    category_buttons,
    clean_code,
    household_line,
    localities,
    parse_category,
    scope,
    visible_wards,
    ward_label,
)
from conversations.payloads import Payload, as_int, payload, slug
from db.officers import households as repo
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.roles import OFFICERS
from domain.text import parse_int

HOUSEHOLD_FIELDS = ("ward", "code", "head_name", "address", "phone", "members", "category",
                    "category_year", "notes")
_EDITABLE = {"name": N_("Name"), "address": N_("Address"), "phone": N_("Phone"),
             "members": N_("People"), "category": N_("List"), "year": N_("Year"),
             "notes": N_("Notes")}


@payload("oh")
class HouseholdButton(Payload):
    """No phone, no notes, save ("ok"), change an answer ("edit")."""

    pick: Literal["nophone", "nonotes", "ok", "edit"]


@payload("oh.c")
class ListButton(Payload):
    """A category (a key of CATEGORY_LABELS)."""

    category: str = slug(16)


@payload("oh.y")
class YearButton(Payload):
    """The year of the review that put the household on its list."""

    year: int


@payload("oh.e")
class ChangeButton(Payload):
    """The answer to change: a step of the table (a key of _EDITABLE)."""

    step: str = slug(16)


def _pressed(answer: Answer, pick: str) -> bool:
    pressed = HouseholdButton.unpack(answer.choice)
    return pressed is not None and pressed.pick == pick


# --- the fields, in the table's order ----------------------------------------------------------


def ward_question(ctx: Ctx, data: dict[str, Any]) -> str:
    return ctx._("Which ward is the household in?")


async def _own_wards(ctx: Ctx, data: dict[str, Any]) -> list[str]:
    return await visible_wards(ctx)


def ask_hh_code(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the household's code on the ward's list."""
    return Reply(ctx._("Type the household's code on the ward's list, e.g. HGD001."))


async def accept_hh_code(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a new code for this ward."""
    code = clean_code(answer.text)
    if code is None:
        return Retry(ctx._("A code is 1 to 32 letters, digits or dashes."), "HGD001")
    if await repo.household_by_code(ctx.session, data["ward"], code) is not None:
        return Retry(ctx._("The code {code} is already on this ward's list. Type another one.",
                           code=code))
    data["code"] = code
    return Next()


def ask_hh_name(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the head of household's full name."""
    return Reply(ctx._("Type the full name of the head of household."))


def accept_hh_name(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a name of 2 to 128 characters."""
    name = " ".join(answer.text.split())
    if not 2 <= len(name) <= 128:
        return Retry(ctx._("Please type the full name."), "Nguyễn Văn An")
    data["head_name"] = name
    return Next()


def ask_hh_address(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the address."""
    return Reply(ctx._("Type the address (house number, street, neighbourhood)."))


def accept_hh_address(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes the address."""
    address = " ".join(answer.text.split())
    if not 2 <= len(address) <= 256:
        return Retry(ctx._("Please type the address."), "12 Lê Lợi, khu phố 3")
    data["address"] = address
    return Next()


def ask_hh_phone(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: a phone number, or skip."""
    return Reply(ctx._("Type the household's mobile number, or press \"No phone\"."),
                 (Choice(ctx._("No phone"), HouseholdButton("nophone").pack()),))


def accept_hh_phone(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a mobile number or none."""
    if _pressed(answer, "nophone"):
        data["phone"] = None
        return Next()
    phone = answers.mobile_phone(ctx, answer)
    if isinstance(phone, Retry):
        return phone
    data["phone"] = phone
    return Next()


def ask_hh_members(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: how many people live in the household."""
    return Reply(ctx._("How many people are in the household? Type a number, e.g. 4."))


def accept_hh_members(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes 1 to 30 people."""
    members = parse_int(answer.text)
    if members is None or not 1 <= members <= MAX_MEMBERS:
        return Retry(ctx._("Please type a number from 1 to {most}.", most=MAX_MEMBERS), "4")
    data["members"] = members
    return Next()


def ask_hh_category(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the household's category on the list."""
    return Reply(ctx._("Which list is the household on?"),
                 category_buttons(ctx, lambda key: ListButton(key).pack()))


def accept_hh_category(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the category."""
    pressed = ListButton.unpack(answer.choice)
    category = pressed.category if pressed else parse_category(answer.text)
    if category not in CATEGORY_LABELS:
        return Retry(ctx._("Please choose one of the buttons."))
    data["category"] = category
    return Next()


def ask_hh_year(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: since which year (the review that put it on the list)."""
    year = ctx.local_now.year
    return Reply(ctx._("In which year's review was it put on this list? Press a year or type it."),
                 tuple(Choice(str(y), YearButton(y).pack()) for y in (year, year - 1)))


def accept_hh_year(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a year from 2000 to this year."""
    pressed = YearButton.unpack(answer.choice)
    year = pressed.year if pressed else as_int(answer.text)
    if year is None or not 2000 <= year <= ctx.local_now.year:
        return Retry(ctx._("Please type a year, e.g. {year}.", year=ctx.local_now.year))
    data["category_year"] = year
    return Next()


def ask_hh_notes(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: notes, or none."""
    return Reply(ctx._("Any notes (e.g. an elderly person living alone)? Type them, or press "
                       "\"No notes\"."), (Choice(ctx._("No notes"),
                                                 HouseholdButton("nonotes").pack()),))


def accept_hh_notes(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes the notes."""
    data["notes"] = None if _pressed(answer, "nonotes") else answer.text[:2000] or None
    return Next()


# --- the summary, saving, changing an answer ---------------------------------------------------


def household_summary(ctx: Ctx, data: dict[str, Any]) -> str:
    """The household's answers (HOUSEHOLD_FIELDS), one line each."""
    loc = localities(ctx)
    lines = [
        ctx._("Code: {code} — {ward}", code=data["code"], ward=ward_label(loc, data["ward"])),
        ctx._("Head of household: {name}", name=data["head_name"]),
        ctx._("Address: {address}", address=data["address"]),
        ctx._("Phone: {phone}", phone=data.get("phone") or "—"),
        ctx._("People: {members}", members=data["members"]),
        ctx._("List: {category} (since {year})",
              category=ctx._(CATEGORY_LABELS[data["category"]]), year=data["category_year"]),
    ]
    if data.get("notes"):
        lines.append(ctx._("Notes: {notes}", notes=data["notes"]))
    return "\n".join(lines)


def ask_hh_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: save this household?"""
    text = household_summary(ctx, data) + "\n\n" + ctx._("Save this household?")
    return Reply(text, (Choice(ctx._("✅ Save"), HouseholdButton("ok").pack()),
                        Choice(ctx._("✏️ Change"), HouseholdButton("edit").pack())))


async def accept_hh_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the household (with an audit row), or opens the list of fields to change."""
    if _pressed(answer, "edit"):
        return Next("change")
    if not _pressed(answer, "ok"):
        return Retry(ctx._("Press \"Save\", or \"Change\" to correct something."))
    wards = await scope(ctx)  # now, not when the dialog started: wards can be taken away
    if wards is not None and data["ward"] not in wards:
        return Done([Reply(ctx._("You are no longer an officer of this ward. Nothing was "
                                 "saved."))], menu=True)
    if await repo.household_by_code(ctx.session, data["ward"], data["code"]) is not None:
        return Retry(ctx._("The code {code} is already on this ward's list. Type another one.",
                           code=data["code"]))
    values = {key: data.get(key) for key in HOUSEHOLD_FIELDS}
    values["officer_user_id"] = ctx.user.id if ctx.user.role == "officer" else None
    household = await repo.add_household(ctx.session, values, ctx.user, ctx.now)
    text = ctx._("Saved: {household}. To log a visit: /thamho {code}",
                 household=household_line(ctx, household), code=household.code)
    return Done([Reply(text)], menu=True)


def ask_hh_edit(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which field to change?"""
    return Reply(ctx._("What do you want to change?"),
                 tuple(Choice(ctx._(label), ChangeButton(step).pack())
                       for step, label in _EDITABLE.items()))


def accept_hh_edit(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Opens that field's question, then comes back to the summary."""
    pressed = ChangeButton.unpack(answer.choice)
    if pressed is None or pressed.step not in _EDITABLE:
        return Retry(ctx._("Please choose one of the buttons."))
    return Edit(pressed.step, "confirm")


async def start_household(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """An officer of one ward skips the ward question."""
    wards = await visible_wards(ctx)
    if len(wards) == 1:
        # Assigned, not changed in place: the query above flushed the state already.
        ctx.state.data = {**data, "ward": wards[0]}
        return Next()
    return None


HOUSEHOLD = Dialog(
    name="off_household",
    title=N_("Add a household"),
    steps=[
        answers.ward_step("ward", ward_question, store=lambda unit: unit.name,
                          unknown=N_("Please choose one of your wards."), offered=_own_wards),
        Step("code", ask_hh_code, accept_hh_code),
        Step("name", ask_hh_name, accept_hh_name),
        Step("address", ask_hh_address, accept_hh_address),
        Step("phone", ask_hh_phone, accept_hh_phone, numeric=True),
        Step("members", ask_hh_members, accept_hh_members, numeric=True),
        Step("category", ask_hh_category, accept_hh_category),
        Step("year", ask_hh_year, accept_hh_year, numeric=True),
        Step("notes", ask_hh_notes, accept_hh_notes),
        Step("confirm", ask_hh_confirm, accept_hh_confirm, next={"change": "edit"}),
        Step("edit", ask_hh_edit, accept_hh_edit),
    ],
    roles=OFFICERS,
    on_start=start_household,
)
