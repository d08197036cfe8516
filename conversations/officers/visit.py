"""Logging a visit (`off_visit`, /thamho), built for a phone on the move: pick the household
(recent ones as buttons, or type a code, name or phone), the kind, type the note, an optional
proposal, a photo and/or the location (or a typed address), an optional follow-up date, save:
six taps plus the note. From a household's card the household is already chosen; the one-line
form `/thamho HGD001 sinh kế: đã hướng dẫn nuôi dê hẹn 15/12` goes straight to "save" (the
household step's "quick" link).

```mermaid
flowchart LR
    subgraph off_visit
    off_visit__household[household] --> off_visit__kind[kind]
    off_visit__household[household] -->|quick| off_visit__confirm[confirm]
    off_visit__kind[kind] --> off_visit__note[note]
    off_visit__note[note] --> off_visit__proposal[proposal]
    off_visit__proposal[proposal] --> off_visit__media[media]
    off_visit__media[media] --> off_visit__follow_up[follow_up]
    off_visit__follow_up[follow_up] --> off_visit__confirm[confirm]
    off_visit__confirm[confirm]
    end
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from conversations import paging
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Edit, Next, Outcome, Retry, Step
from conversations.officers import (
    KIND_LABELS,
    PROPOSAL_LABELS,
    chosen_household,
    clean_code,
    household_line,
    scope,
)
from conversations.payloads import Payload, payload, slug
from db.officers import households as households_repo
from db.officers import visits as repo
from domain.folding import fold, fold_plain
from domain.formatting import format_date, parse_date
from domain.i18n import N_
from domain.messages import Choice, Kind, Reply
from domain.roles import OFFICERS

RECENT = 6  # recent households offered as buttons
MAX_FOLLOW_UP_DAYS = 3660
# Follow-up reminders go out at this local time on the follow-up day.
FOLLOW_UP_TIME = time(7, 30)
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("huong dan sinh ke", "livelihood"), ("sinh ke", "livelihood"),
    ("kiem tra von vay", "loan"), ("kiem tra von", "loan"), ("von vay", "loan"),
    ("von", "loan"), ("vay", "loan"), ("ra soat", "review"), ("tham hoi", "checkin"),
    ("tham", "checkin"), ("khac", "other"),
)


@payload("ov")
class VisitButton(Payload):
    """"next" after the photo and location, "ok" (save)."""

    pick: Literal["next", "ok"]


@payload("ov.h")
class HouseholdPick(Payload):
    """A household, by its id."""

    id: int


@payload("ov.k")
class KindButton(Payload):
    """A kind of visit (a key of KIND_LABELS)."""

    kind: str = slug(16)


@payload("ov.p")
class ProposalButton(Payload):
    """A proposed category (a key of PROPOSAL_LABELS), or "none"."""

    proposal: str = slug(16)


@payload("ov.f")
class FollowUpButton(Payload):
    """A follow-up in `days` days (0: none)."""

    days: int


@payload("ov.e")
class ChangeButton(Payload):
    """From the summary: the answer to change."""

    step: Literal["note", "follow_up"]


def _pressed(answer: Answer, pick: str) -> bool:
    pressed = VisitButton.unpack(answer.choice)
    return pressed is not None and pressed.pick == pick


def local_due(day: date, tz: Any) -> datetime:
    """The UTC moment of `FOLLOW_UP_TIME` on `day` in the bot's time zone."""
    return datetime.combine(day, FOLLOW_UP_TIME, tzinfo=tz).astimezone(UTC)


# --- the steps ---------------------------------------------------------------------------------


async def ask_visit_household(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which household? (matches of the last search, or the recent ones)"""
    wards = await scope(ctx)
    if data.get("matches"):
        found = [h for h in [await households_repo.get_household(ctx.session, i, wards)
                             for i in data["matches"]] if h is not None]
        text = ctx._("Several households match. Choose one, or type again:")
    else:
        found = await repo.recent_households(ctx.session, ctx.user.id, wards, RECENT)
        text = ctx._("Which household did you visit? Choose a recent one, or type its code, "
                     "name or phone, e.g. HGD001.") if found else ctx._(
            "Which household did you visit? Type its code, name or phone, e.g. HGD001.")
    return Reply(text, tuple(Choice(household_line(ctx, h), HouseholdPick(h.id).pack())
                             for h in found))


async def accept_visit_household(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a pressed household, or searches the typed text within the user's wards."""
    pressed = HouseholdPick.unpack(answer.choice)
    wards = await scope(ctx)
    if pressed is not None and pressed.id:
        household = await households_repo.get_household(ctx.session, pressed.id, wards)
        if household is None:
            return Retry(ctx._("I cannot find that household in your wards."))
        data.pop("matches", None)
        data["household_id"] = household.id
        return Next()
    found, total = await households_repo.search_households(ctx.session, wards, answer.text,
                                                           paging.PAGE_SIZE)
    if not found:
        return Retry(ctx._("No household in your wards matches \"{text}\". Type a code, a name "
                           "or a phone number.", text=answer.text[:40]), "HGD001")
    if total == 1:
        data.pop("matches", None)
        data["household_id"] = found[0].id
        return Next()
    data["matches"] = [h.id for h in found]
    return Next("household")


def ask_visit_kind(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: what kind of visit?"""
    return Reply(ctx._("What kind of visit?"),
                 tuple(Choice(ctx._(label), KindButton(key).pack())
                       for key, label in KIND_LABELS.items()))


def accept_visit_kind(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the kind."""
    pressed = KindButton.unpack(answer.choice)
    kind = pressed.kind if pressed else parse_kind(answer.text)[0]
    if kind not in KIND_LABELS:
        return Retry(ctx._("Please choose one of the buttons."))
    data["kind"] = kind
    return Next()


def ask_visit_note(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the note (what was seen, said, agreed)."""
    return Reply(ctx._("Type a short note: what you saw and what was agreed."))


def accept_visit_note(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes the note."""
    note = answer.text.strip()
    if len(note) < 2:
        return Retry(ctx._("Please type a short note."), "Đã hướng dẫn làm hồ sơ vay vốn")
    data["note"] = note[:2000]
    return Next()


async def ask_visit_proposal(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: propose a change of category? (for the review to decide)"""
    household = await chosen_household(ctx, data)
    current = household.category if household else None
    buttons = [Choice(ctx._("No proposal"), ProposalButton("none").pack())]
    buttons += [Choice(ctx._(label), ProposalButton(key).pack())
                for key, label in PROPOSAL_LABELS.items() if key != current]
    return Reply(ctx._("Do you propose a change of list for this household? The yearly review "
                       "decides."), tuple(buttons))


def accept_visit_proposal(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the proposal (or none)."""
    pressed = ProposalButton.unpack(answer.choice)
    if pressed is None or (pressed.proposal != "none"
                           and pressed.proposal not in PROPOSAL_LABELS):
        return Retry(ctx._("Please choose one of the buttons."))
    data["proposed_category"] = None if pressed.proposal == "none" else pressed.proposal
    return Next()


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
    return [Reply("\n".join([*got, question]),
                  (Choice(ctx._("➡️ Next"), VisitButton("next").pack()),),
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
    if _pressed(answer, "next") or fold(answer.text) in ("tiep", "bo qua", "khong"):
        return Next()
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
        (Choice(ctx._("No follow-up"), FollowUpButton(0).pack()),
         Choice(ctx._("In 1 week"), FollowUpButton(7).pack()),
         Choice(ctx._("In 2 weeks"), FollowUpButton(14).pack()),
         Choice(ctx._("In 1 month"), FollowUpButton(30).pack())),
    )


def accept_visit_follow_up(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes a future date, or none."""
    today = ctx.local_now.date()
    pressed = FollowUpButton.unpack(answer.choice)
    if pressed is not None and pressed.days <= MAX_FOLLOW_UP_DAYS:
        later = today + timedelta(days=pressed.days)
        data["follow_up_on"] = later.isoformat() if pressed.days else None
        return Next()
    day = parse_date(answer.text, today)
    if day is None or day <= today:
        return Retry(ctx._("Please type a date after today."), "15/12")
    data["follow_up_on"] = day.isoformat()
    return Next()


def _note_with_place(ctx: Ctx, data: dict[str, Any]) -> str:
    """The note, with the address typed where no location could be shared."""
    if not data.get("place"):
        return str(data["note"])
    return data["note"] + "\n" + ctx._("Address: {address}", address=data["place"])


async def ask_visit_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: save this visit?"""
    household = await chosen_household(ctx, data)
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
    return Reply(text, (Choice(ctx._("✅ Save"), VisitButton("ok").pack()),
                        Choice(ctx._("✏️ Change the note"), ChangeButton("note").pack()),
                        Choice(ctx._("📅 Change the follow-up"),
                               ChangeButton("follow_up").pack())))


async def accept_visit_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the visit, its audit row and its follow-up reminder."""
    change = ChangeButton.unpack(answer.choice)
    if change is not None:
        return Edit(change.step, "confirm")
    if not _pressed(answer, "ok"):
        return Retry(ctx._("Press \"Save\", or Back to change something."))
    household = await chosen_household(ctx, data)
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


# --- the one-line form -------------------------------------------------------------------------


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
        return Next("quick")
    if data.get("household_id"):
        return Next()
    return None


VISIT = Dialog(
    name="off_visit",
    title=N_("Log a visit"),
    steps=[
        Step("household", ask_visit_household, accept_visit_household,
             next={"": "kind", "quick": "confirm"}),
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
