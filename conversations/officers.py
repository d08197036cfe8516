"""The ward officers' dialogs, and the helpers the officers' handlers share with them.

Owns: inviting an officer (admins), adding a household, logging a visit, changing a household's
category, importing a ward's list from a file, revoking an officer; and the ward scope
(`scope`: which wards the user may see), labels of categories and visit kinds, and the
validation of household rows (dialog answers and imported files alike).

Logging a visit is built for a phone on the move: pick the household (recent ones as buttons, or
type a code, name or phone), the kind, type the note, an optional proposal, a photo and/or the
location, an optional follow-up date, save: six taps plus the note. Or in one line:
`/thamho HGD001 sinh kế: đã hướng dẫn nuôi dê hẹn 15/12` goes straight to "save".

```mermaid
flowchart LR
    household --> kind --> note --> proposal --> media --> follow_up --> confirm
    confirm -->|Lưu| done((saved))
    confirm -->|Sửa ghi chú| note
    quick[/"/thamho CODE …"/] --> confirm
```
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from conversations import answers, paging
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Edit, Next, Outcome, Retry, Step
from conversations.payloads import as_id, as_int
from db import officers as repo
from db.users import admin_by_invite
from domain.formatting import format_date, parse_date
from domain.i18n import N_
from domain.localities import Localities, find_unit
from domain.messages import Choice, Kind, Reply
from domain.roles import ADMINS, OFFICERS
from domain.tables import Row, TableError, read_table
from domain.text import fold, fold_plain, parse_int, parse_phone

PAGE_SIZE = 8
RECENT = 6
MAX_MEMBERS = 30
INVITE_DAYS = 7
# Follow-up reminders go out at this local time on the follow-up day.
FOLLOW_UP_TIME = time(7, 30)

CATEGORY_LABELS: dict[str, str] = {
    "poor": N_("Poor"),
    "near_poor": N_("Near-poor"),
    "escaped": N_("Newly escaped poverty"),
    "other": N_("Other"),
}
KIND_LABELS: dict[str, str] = {
    "checkin": N_("Check-in visit"),
    "livelihood": N_("Livelihood guidance"),
    "loan": N_("Loan check"),
    "review": N_("Yearly review (rà soát)"),
    "other": N_("Other"),
}
PROPOSAL_LABELS: dict[str, str] = {
    "escaped": N_("Propose: escaped poverty"),
    "near_poor": N_("Propose: near-poor"),
    "poor": N_("Propose: poor"),
    "other": N_("Propose: no longer near-poor"),
}
# What people type for a category (folded, without "hộ"); the first word list wins.
_CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    ("moi thoat ngheo", "escaped"), ("thoat ngheo", "escaped"), ("escaped", "escaped"),
    ("can ngheo", "near_poor"), ("near poor", "near_poor"), ("ngheo", "poor"),
    ("poor", "poor"), ("khac", "other"), ("other", "other"), ("khong", "other"),
)
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("huong dan sinh ke", "livelihood"), ("sinh ke", "livelihood"),
    ("kiem tra von vay", "loan"), ("kiem tra von", "loan"), ("von vay", "loan"),
    ("von", "loan"), ("vay", "loan"), ("ra soat", "review"), ("tham hoi", "checkin"),
    ("tham", "checkin"), ("khac", "other"),
)


# --- scope and labels --------------------------------------------------------------------------


def localities(ctx: Ctx) -> Localities:
    return ctx.services.content["localities"]  # type: ignore[no-any-return]


def city_wards(loc: Localities) -> list[str]:
    return [unit.name for unit in loc.current.units]


async def scope(ctx: Ctx) -> list[str] | None:
    """The wards this user may see: None (every ward) for admins, their own for officers."""
    if ctx.user.role == "admin":
        return None
    if ctx.user.role != "officer":
        return []
    return await repo.wards_of(ctx.session, ctx.user.id)


async def visible_wards(ctx: Ctx) -> list[str]:
    wards = await scope(ctx)
    return city_wards(localities(ctx)) if wards is None else wards


def ward_label(loc: Localities, ward: str) -> str:
    unit = loc.current.unit(ward)
    return unit.full_name if unit is not None else ward


def match_ward(loc: Localities, text: str) -> str | None:
    """The current ward a typed name means (old ward names lead to the ward they merged into)."""
    found = find_unit(loc, text)
    return found.current_unit.name if found and found.current_unit else None


def ward_slug(ward: str) -> str:
    return fold_plain(ward).replace(" ", "-")[:40]


def parse_category(text: str) -> str | None:
    folded = fold_plain(text).removeprefix("ho ").strip()
    return next((cat for word, cat in _CATEGORY_WORDS if folded == word), None)


def household_line(ctx: Ctx, household: repo.Household) -> str:
    return ctx._("{code} · {name} ({category})", code=household.code,
                 name=household.head_name,
                 category=ctx._(CATEGORY_LABELS.get(household.category, household.category)))


def page_of(
    items: Sequence[Any], page: int, size: int = PAGE_SIZE
) -> tuple[Sequence[Any], int, int]:
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    return items[page * size:(page + 1) * size], page, pages


def page_buttons(ctx: Ctx, prefix: str, page: int, pages: int, suffix: str = "") -> list[Choice]:
    return paging.page_buttons(ctx, lambda n: f"{prefix}:{n}{suffix}", page, pages, first=0)


def local_due(day: date, tz: Any) -> datetime:
    """The UTC moment of `FOLLOW_UP_TIME` on `day` in the bot's time zone."""
    return datetime.combine(day, FOLLOW_UP_TIME, tzinfo=tz).astimezone(UTC)


# --- inviting an officer (admins) --------------------------------------------------------------


def ask_invite_wards(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which wards is the invite for? (tap to select, then Done)"""
    chosen = set(data.get("wards", []))
    loc = localities(ctx)
    buttons = [
        Choice(("✅ " if ward in chosen else "") + ward_label(loc, ward),
               f"oi:w:{ward_slug(ward)}")
        for ward in city_wards(loc)
    ]
    if chosen:
        buttons.append(Choice(ctx._("➡️ Done"), "oi:done"))
    return Reply(ctx._("Which wards is the officer invite for? Tap each ward, then \"Done\". "
                       "You can also type the names, e.g.: Phan Rang, Đông Hải"), tuple(buttons))


def accept_invite_wards(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Toggles a ward, or takes typed names; Done goes on to the confirmation."""
    loc, choice = localities(ctx), answer.choice or ""
    chosen: list[str] = list(data.get("wards", []))
    if choice == "oi:done" and chosen:
        return Next("confirm")
    if choice.startswith("oi:w:"):
        ward = next((w for w in city_wards(loc) if ward_slug(w) == choice[5:]), None)
        if ward is None:
            return Retry(ctx._("That ward is no longer in my list. Please choose again."))
        data["wards"] = [w for w in chosen if w != ward] if ward in chosen else [*chosen, ward]
        return Next("wards")
    names = [part for part in re.split(r"[,;\n]", answer.text) if part.strip()]
    found = [match_ward(loc, name) for name in names]
    if not names or None in found:
        return Retry(ctx._("I could not find one of those wards. Tap the buttons, or type names "
                           "from the list."), "Phan Rang, Đông Hải")
    data["wards"] = list(dict.fromkeys(w for w in found if w))
    return Next("confirm")


def ask_invite_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: create the code for these wards?"""
    loc = localities(ctx)
    wards = ", ".join(ward_label(loc, w) for w in data["wards"])
    return Reply(ctx._("Create a one-time officer code for: {wards}? It works once, within {days} "
                       "days.", wards=wards, days=INVITE_DAYS),
                 (Choice(ctx._("✅ Create the code"), "oi:ok"),))


async def accept_invite_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Creates the code and shows it."""
    if ctx.user.role != "admin":
        return Done([Reply(ctx._("This is only for the labour office."))], menu=True)
    if answer.choice != "oi:ok":
        return Retry(ctx._("Press \"Create the code\", or Back to change the wards."))
    invite = await repo.create_invite(ctx.session, data["wards"], ctx.user, ctx.now, INVITE_DAYS)
    text = ctx._("Officer code: {code}\nThe officer sends this to the bot: /canbo {code}",
                 code=invite.code)
    return Done([Reply(text)], menu=True)


INVITE = Dialog(
    loose=True, name="off_invite",
    title=N_("Invite a ward officer"),
    steps=[
        Step("wards", ask_invite_wards, accept_invite_wards, multi=True),
        Step("confirm", ask_invite_confirm, accept_invite_confirm),
    ],
    roles=ADMINS,
)


# --- adding a household ------------------------------------------------------------------------


async def ask_hh_ward(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which ward is the household in?"""
    loc = localities(ctx)
    buttons = tuple(Choice(ward_label(loc, w), f"oh:w:{ward_slug(w)}")
                    for w in await visible_wards(ctx))
    return Reply(ctx._("Which ward is the household in?"), buttons)


async def accept_hh_ward(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the ward (only one the user may see)."""
    wards = await visible_wards(ctx)
    choice = answer.choice or ""
    ward = next((w for w in wards if f"oh:w:{ward_slug(w)}" == choice), None)
    if ward is None and answer.text:
        ward = match_ward(localities(ctx), answer.text)
        ward = ward if ward in wards else None
    if ward is None:
        return Retry(ctx._("Please choose one of your wards."))
    data["ward"] = ward
    return Next("code")


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
    return Next("name")


def ask_hh_name(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the head of household's full name."""
    return Reply(ctx._("Type the full name of the head of household."))


def accept_hh_name(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a name of 2 to 128 characters."""
    name = " ".join(answer.text.split())
    if not 2 <= len(name) <= 128:
        return Retry(ctx._("Please type the full name."), "Nguyễn Văn An")
    data["head_name"] = name
    return Next("address")


def ask_hh_address(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the address."""
    return Reply(ctx._("Type the address (house number, street, neighbourhood)."))


def accept_hh_address(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes the address."""
    address = " ".join(answer.text.split())
    if not 2 <= len(address) <= 256:
        return Retry(ctx._("Please type the address."), "12 Lê Lợi, khu phố 3")
    data["address"] = address
    return Next("phone")


def ask_hh_phone(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: a phone number, or skip."""
    return Reply(ctx._("Type the household's mobile number, or press \"No phone\"."),
                 (Choice(ctx._("No phone"), "oh:nophone"),))


def accept_hh_phone(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a mobile number or none."""
    if answer.choice == "oh:nophone":
        data["phone"] = None
        return Next("members")
    phone = answers.mobile_phone(ctx, answer)
    if isinstance(phone, Retry):
        return phone
    data["phone"] = phone
    return Next("members")


def ask_hh_members(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: how many people live in the household."""
    return Reply(ctx._("How many people are in the household? Type a number, e.g. 4."))


def accept_hh_members(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes 1 to 30 people."""
    members = parse_int(answer.text)
    if members is None or not 1 <= members <= MAX_MEMBERS:
        return Retry(ctx._("Please type a number from 1 to {most}.", most=MAX_MEMBERS), "4")
    data["members"] = members
    return Next("category")


def category_buttons(ctx: Ctx, prefix: str, skip: str | None = None) -> tuple[Choice, ...]:
    return tuple(Choice(ctx._(label), f"{prefix}:{key}")
                 for key, label in CATEGORY_LABELS.items() if key != skip)


def ask_hh_category(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the household's category on the list."""
    return Reply(ctx._("Which list is the household on?"), category_buttons(ctx, "oh:c"))


def accept_hh_category(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the category."""
    category = _choice_key(answer, "oh:c:") or parse_category(answer.text)
    if category not in CATEGORY_LABELS:
        return Retry(ctx._("Please choose one of the buttons."))
    data["category"] = category
    return Next("year")


def ask_hh_year(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: since which year (the review that put it on the list)."""
    year = ctx.local_now.year
    return Reply(ctx._("In which year's review was it put on this list? Press a year or type it."),
                 (Choice(str(year), f"oh:y:{year}"), Choice(str(year - 1), f"oh:y:{year - 1}")))


def accept_hh_year(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a year from 2000 to this year."""
    raw = _choice_key(answer, "oh:y:") or answer.text
    year = as_int(raw)
    if year is None or not 2000 <= year <= ctx.local_now.year:
        return Retry(ctx._("Please type a year, e.g. {year}.", year=ctx.local_now.year))
    data["category_year"] = year
    return Next("notes")


def ask_hh_notes(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: notes, or none."""
    return Reply(ctx._("Any notes (e.g. an elderly person living alone)? Type them, or press "
                       "\"No notes\"."), (Choice(ctx._("No notes"), "oh:nonotes"),))


def accept_hh_notes(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes the notes."""
    data["notes"] = None if answer.choice == "oh:nonotes" else answer.text[:2000] or None
    return Next("confirm")


def household_summary(ctx: Ctx, data: dict[str, Any]) -> str:
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
    return Reply(text, (Choice(ctx._("✅ Save"), "oh:ok"), Choice(ctx._("✏️ Change"), "oh:edit")))


async def accept_hh_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the household (with an audit row), or opens the list of fields to change."""
    if ctx.user.role not in OFFICERS:
        return Done([Reply(ctx._("This is only for ward officers."))], menu=True)
    if answer.choice == "oh:edit":
        return Next("edit")
    if answer.choice != "oh:ok":
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


HOUSEHOLD_FIELDS = ("ward", "code", "head_name", "address", "phone", "members", "category",
                    "category_year", "notes")
_EDITABLE = {"name": N_("Name"), "address": N_("Address"), "phone": N_("Phone"),
             "members": N_("People"), "category": N_("List"), "year": N_("Year"),
             "notes": N_("Notes")}


def ask_hh_edit(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which field to change?"""
    return Reply(ctx._("What do you want to change?"),
                 tuple(Choice(ctx._(label), f"oh:e:{step}") for step, label in _EDITABLE.items()))


def accept_hh_edit(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Opens that field's question, then comes back to the summary."""
    step = _choice_key(answer, "oh:e:")
    if step not in _EDITABLE:
        return Retry(ctx._("Please choose one of the buttons."))
    return Edit(step, "confirm")


async def start_household(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """An officer of one ward skips the ward question."""
    wards = await visible_wards(ctx)
    if len(wards) == 1:
        # Assigned, not changed in place: the query above flushed the state already.
        ctx.state.data = {**data, "ward": wards[0]}
        return Next("code")
    return None


HOUSEHOLD = Dialog(
    loose=True, name="off_household",
    title=N_("Add a household"),
    steps=[
        Step("ward", ask_hh_ward, accept_hh_ward),
        Step("code", ask_hh_code, accept_hh_code),
        Step("name", ask_hh_name, accept_hh_name),
        Step("address", ask_hh_address, accept_hh_address),
        Step("phone", ask_hh_phone, accept_hh_phone, numeric=True),
        Step("members", ask_hh_members, accept_hh_members, numeric=True),
        Step("category", ask_hh_category, accept_hh_category),
        Step("year", ask_hh_year, accept_hh_year, numeric=True),
        Step("notes", ask_hh_notes, accept_hh_notes),
        Step("confirm", ask_hh_confirm, accept_hh_confirm),
        Step("edit", ask_hh_edit, accept_hh_edit),
    ],
    roles=OFFICERS,
    on_start=start_household,
)


def clean_code(text: str) -> str | None:
    code = text.strip().upper()
    return code if re.fullmatch(r"[A-Z0-9][A-Z0-9._/-]{0,31}", code) else None


def _choice_key(answer: Answer, prefix: str) -> str | None:
    choice = answer.choice or ""
    return choice[len(prefix):] if choice.startswith(prefix) else None


# --- logging a visit ---------------------------------------------------------------------------


async def _household(ctx: Ctx, data: dict[str, Any]) -> repo.Household | None:
    return await repo.get_household(ctx.session, data["household_id"], await scope(ctx))


async def ask_visit_household(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which household? (matches of the last search, or the recent ones)"""
    wards = await scope(ctx)
    if data.get("matches"):
        found = [h for h in [await repo.get_household(ctx.session, i, wards)
                             for i in data["matches"]] if h is not None]
        text = ctx._("Several households match. Choose one, or type again:")
    else:
        found = await repo.recent_households(ctx.session, ctx.user.id, wards, RECENT)
        text = ctx._("Which household did you visit? Choose a recent one, or type its code, "
                     "name or phone, e.g. HGD001.") if found else ctx._(
            "Which household did you visit? Type its code, name or phone, e.g. HGD001.")
    return Reply(text, tuple(Choice(household_line(ctx, h), f"ov:h:{h.id}") for h in found))


async def accept_visit_household(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a pressed household, or searches the typed text within the user's wards."""
    picked = _choice_key(answer, "ov:h:")
    wards = await scope(ctx)
    if picked is not None and as_id(picked):
        household = await repo.get_household(ctx.session, as_id(picked) or 0, wards)
        if household is None:
            return Retry(ctx._("I cannot find that household in your wards."))
        data.pop("matches", None)
        data["household_id"] = household.id
        return Next("kind")
    found, total = await repo.search_households(ctx.session, wards, answer.text, PAGE_SIZE)
    if not found:
        return Retry(ctx._("No household in your wards matches \"{text}\". Type a code, a name "
                           "or a phone number.", text=answer.text[:40]), "HGD001")
    if total == 1:
        data.pop("matches", None)
        data["household_id"] = found[0].id
        return Next("kind")
    data["matches"] = [h.id for h in found]
    return Next("household")


def ask_visit_kind(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: what kind of visit?"""
    return Reply(ctx._("What kind of visit?"),
                 tuple(Choice(ctx._(label), f"ov:k:{key}") for key, label in KIND_LABELS.items()))


def accept_visit_kind(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the kind."""
    kind = _choice_key(answer, "ov:k:") or parse_kind(answer.text)[0]
    if kind not in KIND_LABELS:
        return Retry(ctx._("Please choose one of the buttons."))
    data["kind"] = kind
    return Next("note")


def ask_visit_note(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the note (what was seen, said, agreed)."""
    return Reply(ctx._("Type a short note: what you saw and what was agreed."))


def accept_visit_note(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes the note."""
    note = answer.text.strip()
    if len(note) < 2:
        return Retry(ctx._("Please type a short note."), "Đã hướng dẫn làm hồ sơ vay vốn")
    data["note"] = note[:2000]
    return Next("proposal")


async def ask_visit_proposal(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: propose a change of category? (for the review to decide)"""
    household = await _household(ctx, data)
    current = household.category if household else None
    buttons = [Choice(ctx._("No proposal"), "ov:p:none")]
    buttons += [Choice(ctx._(label), f"ov:p:{key}") for key, label in PROPOSAL_LABELS.items()
                if key != current]
    return Reply(ctx._("Do you propose a change of list for this household? The yearly review "
                       "decides."), tuple(buttons))


def accept_visit_proposal(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the proposal (or none)."""
    key = _choice_key(answer, "ov:p:")
    if key is None or (key != "none" and key not in PROPOSAL_LABELS):
        return Retry(ctx._("Please choose one of the buttons."))
    data["proposed_category"] = None if key == "none" else key
    return Next("media")


def ask_visit_media(ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    """Asks: a photo and/or the location, then Next."""
    got = []
    if data.get("photo_file_id"):
        got.append(ctx._("📷 Photo received."))
    if data.get("latitude") is not None:
        got.append(ctx._("📍 Location received."))
    if data.get("place"):
        got.append(ctx._("📍 Address noted: {place}", place=data["place"]))
    photo, location = ctx.can_receive(Kind.PHOTO), ctx.can_receive(Kind.LOCATION)
    if photo and location:
        question = ctx._("Send a photo and/or your location (📍 button), or type the address, "
                         "if you like. Then press \"Next\".")
    elif photo:
        question = ctx._("Send a photo and/or type the address, if you like. Then press "
                         "\"Next\".")
    else:
        question = ctx._("Type the address if you like. Then press \"Next\".")
    return [Reply("\n".join([*got, question]), (Choice(ctx._("➡️ Next"), "ov:m:next"),),
                  request="location" if location else None)]


def accept_visit_media(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Keeps the photo's file id (not the bytes) and the location; Next goes on."""
    # Telegram and the web chat give a file id; Zalo gives the photo's URL
    photo = answer.payload.get("file_id") or answer.payload.get("url")
    if answer.kind == Kind.PHOTO and photo:
        data["photo_file_id"] = str(photo)[:256]
        return Next("media")
    if answer.kind == Kind.LOCATION and "latitude" in answer.payload:
        data["latitude"] = float(answer.payload["latitude"])
        data["longitude"] = float(answer.payload["longitude"])
        return Next("media")
    if answer.choice == "ov:m:next" or fold(answer.text) in ("tiep", "bo qua", "khong"):
        return Next("follow_up")
    place = " ".join(answer.text.split())
    if answer.kind == Kind.TEXT and 2 <= len(place) <= 200:  # a typed address stands for 📍
        data["place"] = place
        return Next("media")
    return Retry(ctx._("Send a photo, or type the address, or press \"Next\"."))


def ask_visit_follow_up(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: when to follow up? (a reminder comes that morning)"""
    return Reply(
        ctx._("When should you follow up? I will remind you that morning. Press a button or type "
              "a date, e.g. 15/12."),
        (Choice(ctx._("No follow-up"), "ov:f:0"), Choice(ctx._("In 1 week"), "ov:f:7"),
         Choice(ctx._("In 2 weeks"), "ov:f:14"), Choice(ctx._("In 1 month"), "ov:f:30")),
    )


def accept_visit_follow_up(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a future date, or none."""
    today = ctx.local_now.date()
    days = _choice_key(answer, "ov:f:")
    if days is not None and as_int(days, maximum=3660) is not None:
        later = today + timedelta(days=as_int(days) or 0)
        data["follow_up_on"] = later.isoformat() if as_int(days) else None
        return Next("confirm")
    day = parse_date(answer.text, today)
    if day is None or day <= today:
        return Retry(ctx._("Please type a date after today."), "15/12")
    data["follow_up_on"] = day.isoformat()
    return Next("confirm")


def _note_with_place(ctx: Ctx, data: dict[str, Any]) -> str:
    """The note, with the address typed where no location could be shared."""
    if not data.get("place"):
        return str(data["note"])
    return data["note"] + "\n" + ctx._("Address: {address}", address=data["place"])


async def ask_visit_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: save this visit?"""
    household = await _household(ctx, data)
    yes, no = ctx._("yes"), ctx._("no")
    lines = [
        ctx._("Household: {household}", household=household_line(ctx, household)
              if household else "—"),
        ctx._("Kind: {kind}", kind=ctx._(KIND_LABELS[data["kind"]])),
        ctx._("Note: {note}", note=data["note"]),
    ]
    if data.get("proposed_category"):
        lines.append(ctx._(PROPOSAL_LABELS[data["proposed_category"]]))
    lines.append(ctx._("Photo: {photo} · Location: {location}",
                       photo=yes if data.get("photo_file_id") else no,
                       location=yes if data.get("latitude") is not None else no))
    if data.get("place"):
        lines.append(ctx._("Address: {address}", address=data["place"]))
    if data.get("follow_up_on"):
        lines.append(ctx._("Follow-up: {date}",
                           date=format_date(date.fromisoformat(data["follow_up_on"]))))
    text = "\n".join(lines) + "\n\n" + ctx._("Save this visit?")
    return Reply(text, (Choice(ctx._("✅ Save"), "ov:ok"),
                        Choice(ctx._("✏️ Change the note"), "ov:e:note"),
                        Choice(ctx._("📅 Change the follow-up"), "ov:e:follow_up")))


async def accept_visit_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the visit, its audit row and its follow-up reminder."""
    if ctx.user.role not in OFFICERS:
        return Done([Reply(ctx._("This is only for ward officers."))], menu=True)
    if answer.choice in ("ov:e:note", "ov:e:follow_up"):
        return Edit(answer.choice[5:], "confirm")
    if answer.choice != "ov:ok":
        return Retry(ctx._("Press \"Save\", or Back to change something."))
    household = await _household(ctx, data)
    if household is None:
        return Done([Reply(ctx._("I cannot find that household in your wards."))], menu=True)
    follow_up = date.fromisoformat(data["follow_up_on"]) if data.get("follow_up_on") else None
    values = {
        "kind": data["kind"], "note": _note_with_place(ctx, data),
        "proposed_category": data.get("proposed_category"),
        "photo_file_id": data.get("photo_file_id"),
        "latitude": data.get("latitude"), "longitude": data.get("longitude"),
        "follow_up_on": follow_up,
    }
    due = local_due(follow_up, ctx.settings.tz) if follow_up else None
    await repo.add_visit(ctx.session, household, ctx.user, values, ctx.now, due)
    text = ctx._("Visit saved: {household}.", household=household_line(ctx, household))
    if follow_up:
        text += "\n" + ctx._("I will remind you on {date}.", date=format_date(follow_up))
    return Done([Reply(text)], menu=True)


@dataclass(frozen=True)
class QuickVisit:
    """What the one-line form says: the code, the kind, the note, an optional follow-up."""

    code: str
    kind: str
    note: str
    follow_up_on: date | None


def parse_kind(text: str) -> tuple[str | None, str]:
    """The visit kind a text starts with, and the rest of the text (original spelling)."""
    words = text.split()
    folded = [fold_plain(w) for w in words]
    for phrase, kind in _KIND_WORDS:
        size = len(phrase.split())
        if " ".join(f for f in folded[:size] if f) == phrase and all(folded[:size]):
            rest = " ".join(words[size:]).lstrip(":-–— ").strip()
            return kind, rest
    return None, text.strip()


def parse_quick_visit(text: str, today: date) -> QuickVisit | None:
    """`CODE [kind] note [hẹn dd/mm]`; the kind defaults to a check-in visit."""
    words = text.split()
    if len(words) < 2 or clean_code(words[0]) is None:
        return None
    follow_up = None
    if len(words) >= 4 and fold_plain(words[-2]) == "hen":
        follow_up = parse_date(words[-1], today)
        if follow_up is None or follow_up <= today:
            return None
        words = words[:-2]
    kind, note = parse_kind(" ".join(words[1:]))
    note = note.rstrip(" ,;.-–")  # "…nuôi bò, hẹn 15/12": the comma belonged to "hẹn"
    if len(note) < 2:
        return None
    return QuickVisit(clean_code(words[0]) or "", kind or "checkin", note[:2000], follow_up)


async def start_visit(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """From a household's card: skip the household question; from the one-line form: go
    straight to "save"."""
    if data.get("quick"):
        ctx.state.data = {k: v for k, v in data.items() if k != "quick"}
        return Next("confirm")
    if data.get("household_id"):
        return Next("kind")
    return None


VISIT = Dialog(
    loose=True, name="off_visit",
    title=N_("Log a visit"),
    steps=[
        Step("household", ask_visit_household, accept_visit_household),
        Step("kind", ask_visit_kind, accept_visit_kind),
        Step("note", ask_visit_note, accept_visit_note),
        Step("proposal", ask_visit_proposal, accept_visit_proposal),
        Step("media", ask_visit_media, accept_visit_media,
             accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.PHOTO, Kind.LOCATION})),
        Step("follow_up", ask_visit_follow_up, accept_visit_follow_up),
        Step("confirm", ask_visit_confirm, accept_visit_confirm),
    ],
    roles=OFFICERS,
    on_start=start_visit,
)


# --- changing a household's category -----------------------------------------------------------


async def ask_cat_pick(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the household's new list (after the review's decision)."""
    household = await _household(ctx, data)
    current = household.category if household else None
    return Reply(ctx._("{household}\nWhich list is it on now, after the review's decision?",
                       household=household_line(ctx, household) if household else "—"),
                 category_buttons(ctx, "oc:c", skip=current))


def accept_cat_pick(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the new category."""
    category = _choice_key(answer, "oc:c:") or parse_category(answer.text)
    if category not in CATEGORY_LABELS:
        return Retry(ctx._("Please choose one of the buttons."))
    data["category"] = category
    return Next("confirm")


def ask_cat_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: confirm the change?"""
    return Reply(ctx._("Move the household to the list \"{category}\" from {year}?",
                       category=ctx._(CATEGORY_LABELS[data["category"]]),
                       year=ctx.local_now.year),
                 (Choice(ctx._("✅ Confirm"), "oc:ok"),))


async def accept_cat_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Records the change (it counts in the report's "since the start of the year")."""
    if ctx.user.role not in OFFICERS:
        return Done([Reply(ctx._("This is only for ward officers."))], menu=True)
    if answer.choice != "oc:ok":
        return Retry(ctx._("Press \"Confirm\", or Back to choose again."))
    household = await _household(ctx, data)
    if household is None:
        return Done([Reply(ctx._("I cannot find that household in your wards."))], menu=True)
    await repo.change_category(ctx.session, household, data["category"], ctx.local_now.year,
                               ctx.user, ctx.now)
    return Done([Reply(ctx._("Saved: {household}.", household=household_line(ctx, household)))],
                menu=True)


CATEGORY = Dialog(
    loose=True, name="off_category",
    title=N_("Change a household's list"),
    steps=[Step("pick", ask_cat_pick, accept_cat_pick),
           Step("confirm", ask_cat_confirm, accept_cat_confirm)],
    roles=OFFICERS,
)


# --- importing a ward's list -------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "ward": ("phuong", "phuong_xa", "xa_phuong", "ward"),
    "code": ("ma_ho", "ma", "code"),
    "head_name": ("ho_ten_chu_ho", "chu_ho", "ho_ten", "ho_va_ten", "name"),
    "address": ("dia_chi", "address"),
    "phone": ("so_dien_thoai", "dien_thoai", "sdt", "phone"),
    "members": ("so_nhan_khau", "nhan_khau", "so_thanh_vien", "so_nguoi", "members"),
    "category": ("phan_loai", "dien", "loai_ho", "category"),
    "category_year": ("nam", "nam_phan_loai", "year"),
    "notes": ("ghi_chu", "notes"),
}


def _cell(row: Row, field: str, present: dict[str, tuple[str, ...]] | None = None) -> str:
    """The row's value for `field` (the first of its column names with a value); `present`:
    the column names this sheet has, found once per sheet rather than once per row."""
    keys = COLUMNS[field] if present is None else present[field]
    return next((row.cells[key] for key in keys if row.cells.get(key)), "").strip()


def _present_columns(rows: Sequence[Row]) -> dict[str, tuple[str, ...]]:
    seen = set().union(*(row.cells for row in rows[:1])) if rows else set()
    return {field: tuple(k for k in keys if k in seen) or keys for field, keys in COLUMNS.items()}


def validate_rows(
    rows: Sequence[Row], t: Any, loc: Localities, wards: Sequence[str], year: int,
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Every row checked: (values to write, [(row number, reason)]). `wards`: where the person
    importing may write; without a ward column, a person with one ward writes there."""
    _ = t.gettext
    values: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    ward_of: dict[str, str | None] = {}
    present = _present_columns(rows)
    category_of = functools.lru_cache(maxsize=256)(parse_category)  # a handful of values
    count_of = functools.lru_cache(maxsize=256)(parse_int)
    for row in rows:
        reasons: list[str] = []
        cells = {field: _cell(row, field, present) for field in COLUMNS}
        ward_text = cells["ward"]
        if ward_text not in ward_of:  # a sheet names a few wards many times: look each up once
            ward_of[ward_text] = match_ward(loc, ward_text) if ward_text else (
                wards[0] if len(wards) == 1 else None)
        ward = ward_of[ward_text]
        if ward is None:
            reasons.append(_("unknown ward \"{ward}\"").format(ward=ward_text))
        elif ward not in wards:
            reasons.append(_("you are not an officer of {ward}").format(ward=ward))
        code = clean_code(cells["code"])
        if code is None:
            reasons.append(_("missing or invalid household code"))
        name = " ".join(cells["head_name"].split())
        if not 2 <= len(name) <= 128:
            reasons.append(_("missing head of household's name"))
        phone_text = cells["phone"]
        phone = parse_phone(phone_text) if phone_text else None
        if phone_text and phone is None:  # the number itself is not repeated: personal data
            reasons.append(_("the phone number is not a mobile number"))
        members = count_of(cells["members"])
        if members is None or not 1 <= members <= MAX_MEMBERS:
            reasons.append(_("number of people must be 1 to {most}").format(most=MAX_MEMBERS))
        category = category_of(cells["category"])
        if category is None:
            reasons.append(_("unknown list \"{value}\" (nghèo, cận nghèo, mới thoát nghèo, "
                             "khác)").format(value=cells["category"]))
        year_text = cells["category_year"]
        row_year = as_int(year_text) if year_text else year
        if row_year is None or not 2000 <= row_year <= year:
            reasons.append(_("invalid year \"{value}\"").format(value=year_text))
        if ward and code and (ward, code) in seen:
            reasons.append(_("code {code} appears twice").format(code=code))
        if reasons:
            errors.append((row.number, "; ".join(reasons)))
            continue
        assert ward and code and category and members and row_year
        seen.add((ward, code))
        values.append({
            "ward": ward, "code": code, "head_name": name,
            "address": " ".join(cells["address"].split())[:256], "phone": phone,
            "members": members, "category": category, "category_year": row_year,
            "notes": cells["notes"][:2000] or None,
        })
    return values, errors


async def import_rows(
    ctx_session: Any, rows: Sequence[Row], t: Any, loc: Localities, wards: Sequence[str],
    year: int, actor: Any, now: datetime,
) -> tuple[int, list[tuple[int, str]]]:
    """Validate everything, write only when every row is good."""
    values, errors = validate_rows(rows, t, loc, wards, year)
    if errors:
        return 0, errors
    return await repo.import_households(ctx_session, values, actor, now), []


def ask_import_file(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: send the list as a .csv or .xlsx file."""
    return Reply(ctx._(
        "Send the ward's household list as a .csv or .xlsx file. Columns: Phường, Mã hộ, Họ tên "
        "chủ hộ, Địa chỉ, Số điện thoại, Số nhân khẩu, Phân loại (nghèo / cận nghèo / mới thoát "
        "nghèo / khác), Năm, Ghi chú. A household already on the list (same code) is updated."))


async def accept_import_file(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Imports every row, or nothing and the list of bad rows."""
    if ctx.user.role not in OFFICERS:
        return Done([Reply(ctx._("This is only for ward officers."))], menu=True)
    if answer.kind != Kind.DOCUMENT or not answer.payload.get("data"):
        return Retry(ctx._("Please send the list as a file (.csv or .xlsx)."))
    try:
        rows = await asyncio.to_thread(  # a big sheet must not stall everyone else
            read_table, answer.payload["data"], answer.payload.get("file_name") or "")
    except TableError as exc:
        return Retry(ctx._(exc.message, **exc.values))
    count, errors = await import_rows(
        ctx.session, rows, ctx.translator, localities(ctx), await visible_wards(ctx),
        ctx.local_now.year, ctx.user, ctx.now,
    )
    if errors:
        lines = [ctx._("Row {number}: {reason}", number=n, reason=r) for n, r in errors[:10]]
        if len(errors) > 10:
            lines.append(ctx._("… and {count} more.", count=len(errors) - 10))
        head = ctx.ngettext("Nothing was imported: {n} row needs fixing.",
                            "Nothing was imported: {n} rows need fixing.", len(errors))
        tail = ctx._("Fix the file and send it again.")
        return Retry("\n".join([head, *lines, tail]))
    return Done([Reply(ctx.ngettext("Imported {n} household.", "Imported {n} households.",
                                    count))], menu=True)


async def start_import(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """Where the channel cannot receive files, say where to send it instead, and stop."""
    if ctx.can_receive(Kind.DOCUMENT):
        return None
    return Done([Reply(answers.no_files_here(ctx))], menu=True)


IMPORT = Dialog(
    loose=True, name="off_import",
    title=N_("Import the household list"),
    on_start=start_import,
    steps=[Step("file", ask_import_file, accept_import_file,
                accepts=frozenset({Kind.DOCUMENT, Kind.TEXT, Kind.CHOICE}))],
    roles=OFFICERS,
)


# --- revoking an officer (admins) --------------------------------------------------------------


async def ask_revoke(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: really revoke this officer?"""
    wards = await repo.wards_of(ctx.session, data["officer_id"])
    loc = localities(ctx)
    return Reply(ctx._("Revoke officer #{id} ({wards})? They lose access to the ward's data at "
                       "once.", id=data["officer_id"],
                       wards=", ".join(ward_label(loc, w) for w in wards) or "—"),
                 (Choice(ctx._("🚫 Revoke"), "or:ok"),))


async def accept_revoke(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Revokes (with an audit row)."""
    if ctx.user.role != "admin":
        return Done([Reply(ctx._("This is only for the labour office."))], menu=True)
    if answer.choice != "or:ok":
        return Retry(ctx._("Press \"Revoke\", or Cancel to keep the officer."))
    officer = await repo.user_by_id(ctx.session, data["officer_id"])
    if officer is not None and officer.role == "admin" and not await admin_by_invite(
            ctx.session, officer):
        return Done([Reply(ctx._("This admin is set in ADMIN_IDS: remove them there and "
                                 "restart the bot."))], menu=True)
    if officer is None or officer.role not in ("officer", "admin") or officer.id == ctx.user.id:
        return Done([Reply(ctx._("That person is no longer an officer."))], menu=True)
    await repo.revoke_officer(ctx.session, officer, ctx.user, ctx.now)
    return Done([Reply(ctx._("Officer #{id} revoked.", id=officer.id))], menu=True)


REVOKE = Dialog(
    loose=True, name="off_revoke",
    title=N_("Revoke an officer"),
    steps=[Step("confirm", ask_revoke, accept_revoke)],
    roles=ADMINS,
)

DIALOGS = (INVITE, HOUSEHOLD, VISIT, CATEGORY, IMPORT, REVOKE)
