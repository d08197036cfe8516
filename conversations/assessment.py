"""The household self-assessment dialog (/tudanhgia): its state table, the ward and area
questions and the offer to share the result with the ward's officers (name, phone, consent).

The household size and income questions are in `conversations.assessment_income`; the indicator
questions, the result and the review with "Sửa …" buttons in `conversations.assessment_questions`;
the result's wording in `conversations.assessment_result`. All answers live in the dialog data,
so a restart continues where the household was. Nothing about the household is kept after the
dialog unless it consents to share: the result only adds one to an anonymous count (ward, day,
standard, category).

The result comes straight after the last question (16 messages for a typical household); the
share question that follows offers "✏️ Sửa câu trả lời", which opens the review. Editing from
the review sets `editing` in the data, and the step that ends a section takes its "editing" link
back to the review. The indicator steps link to themselves: each asks the next indicator of the
standard, "fact" for one decided by a number the household knows.

```mermaid
flowchart LR
    subgraph assessment
    assessment__ward[ward] --> assessment__members[members]
    assessment__ward[ward] -->|had_xa| assessment__was_commune[was_commune]
    assessment__ward[ward] -->|unsure| assessment__area[area]
    assessment__ward[ward] -->|editing| assessment__review[review]
    assessment__was_commune[was_commune] --> assessment__members[members]
    assessment__was_commune[was_commune] -->|unsure| assessment__area[area]
    assessment__was_commune[was_commune] -->|editing| assessment__review[review]
    assessment__area[area] --> assessment__members[members]
    assessment__area[area] -->|editing| assessment__review[review]
    assessment__members[members] --> assessment__income[income]
    assessment__members[members] -->|recount| assessment__fact[fact]
    assessment__members[members] -->|editing| assessment__review[review]
    assessment__income[income] --> assessment__indicator[indicator]
    assessment__income[income] -->|fact| assessment__fact[fact]
    assessment__income[income] -->|editing| assessment__review[review]
    assessment__income[income] -->|by_source| assessment__sources[sources]
    assessment__income[income] -->|small| assessment__confirm_amount[confirm_amount]
    assessment__confirm_amount[confirm_amount] --> assessment__indicator[indicator]
    assessment__confirm_amount[confirm_amount] -->|fact| assessment__fact[fact]
    assessment__confirm_amount[confirm_amount] -->|editing| assessment__review[review]
    assessment__confirm_amount[confirm_amount] -->|source| assessment__sources[sources]
    assessment__sources[sources] --> assessment__indicator[indicator]
    assessment__sources[sources] -->|fact| assessment__fact[fact]
    assessment__sources[sources] -->|editing| assessment__review[review]
    assessment__sources[sources] -->|amount| assessment__source_amount[source_amount]
    assessment__source_amount[source_amount] --> assessment__sources[sources]
    assessment__source_amount[source_amount] -->|small| assessment__confirm_amount[confirm_amount]
    assessment__indicator[indicator] --> assessment__indicator[indicator]
    assessment__indicator[indicator] -->|fact| assessment__fact[fact]
    assessment__indicator[indicator] -->|editing| assessment__review[review]
    assessment__indicator[indicator] -->|result| assessment__share[share]
    assessment__fact[fact] --> assessment__indicator[indicator]
    assessment__fact[fact] -->|fact| assessment__fact[fact]
    assessment__fact[fact] -->|editing| assessment__review[review]
    assessment__fact[fact] -->|result| assessment__share[share]
    assessment__review[review] -->|result| assessment__share[share]
    assessment__review[review] -->|ward| assessment__ward[ward]
    assessment__review[review] -->|members| assessment__members[members]
    assessment__review[review] -->|income| assessment__income[income]
    assessment__review[review] -->|answers| assessment__pick[pick]
    assessment__pick[pick] --> assessment__indicator[indicator]
    assessment__pick[pick] -->|fact| assessment__fact[fact]
    assessment__share[share] --> assessment__name[name]
    assessment__share[share] -->|edit| assessment__review[review]
    assessment__name[name] --> assessment__phone[phone]
    assessment__phone[phone] --> assessment__consent[consent]
    assessment__consent[consent]
    end
```
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from conversations import answers
from conversations.assessment_income import (
    INCOME_HELP,
    accept_confirm_amount,
    accept_income,
    accept_members,
    accept_source_amount,
    accept_sources,
    ask_confirm_amount,
    ask_income,
    ask_members,
    ask_source_amount,
    ask_sources,
)
from conversations.assessment_questions import (
    EDITING,
    QUESTION_LINKS,
    accept_fact,
    accept_indicator,
    accept_pick,
    accept_review,
    ask_fact,
    ask_indicator,
    ask_pick,
    ask_review,
    onward,
)
from conversations.assessment_result import (
    ShareButton,
    explained,
    household,
    share_buttons,
    standard_of,
)
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Say, Step
from conversations.payloads import Payload, payload
from db import assessments as repo
from db import users
from domain.i18n import N_
from domain.localities import Localities, Match, Unit, former_communes, normalise_name
from domain.messages import Choice, Kind, Reply
from domain.poverty import NoStandardError, assess, standard_for
from domain.text import parse_yes_no

NAME = "assessment"
CONSENT_PURPOSE = "share_with_officers"
QUESTIONS_VERSION = 2  # 2: every question asked so that "Có" means lacking (issue 13)


@payload("as.area")
class AreaButton(Payload):
    """Rural (xã) or urban (phường, thị trấn)."""

    area: Literal["rural", "urban"]


@payload("as.xa")
class FormerCommuneButton(Payload):
    """Whether the household lives in the part of its ward that was a rural commune."""

    said: Literal["yes", "no", "unknown"]


@payload("as.consent")
class ConsentButton(Payload):
    """Send the shared result to the ward, or not."""

    reply: Literal["yes", "no"]


def _localities(ctx: Ctx) -> Localities:
    localities: Localities = ctx.services.content["localities"]
    return localities


async def _on_start(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """Picks the standard in force today (local date) for the whole dialog."""
    try:
        standard = standard_for(ctx.services.content["standards"], ctx.local_now.date())
    except NoStandardError:
        note = ctx._("Sorry, I have no poverty standard for today's date yet. Please ask the "
                     "ward office (UBND phường/xã).")
        return Done([Reply(note)], menu=True)
    data.update(standard=standard.id, answers={}, facts={}, period="month", mode="total",
                run=secrets.token_hex(8), qv=QUESTIONS_VERSION)
    return None


# --- ward and area -------------------------------------------------------------------------------


def _ward_question(ctx: Ctx, data: dict[str, Any]) -> str:
    """Which ward or commune does the household live in? (With the introduction, first.)"""
    text = ctx._("Which ward or commune does your household live in? Choose one, or type its "
                 "name.")
    if not data.get("editing"):
        intro = ctx._("Let's see which group your household may be in. It takes about 5 "
                      "minutes and is anonymous.")
        text = f"{intro}\n{text}"
    return text


def _label(unit: Unit) -> str:
    """ "phường Phan Rang" → "Phường Phan Rang" (str.capitalize would lower-case the name)."""
    return unit.full_name[:1].upper() + unit.full_name[1:]


def _picked_ward(ctx: Ctx, data: dict[str, Any], unit: Unit | None,
                 match: Match | None) -> Outcome:
    """Sets the ward and its area; "don't know" asks the area; a ward that holds a former
    rural commune asks whether the household lives there (unless they named the commune)."""
    if unit is None:
        return Next("unsure")
    data["ward"], data["area"] = unit.full_name, unit.area
    note = answers.ward_mapping_note(ctx, match)
    replies = [Reply(note)] if note else []
    if match is not None and match.renamed and match.unit.area == "rural":
        data["area"] = "rural"  # they named the former xã itself: its rural line, with the note
    elif former_communes(_localities(ctx), unit):
        return Next("had_xa", replies)
    return onward(data, None, [*replies, *_unit_note(unit)])


def ask_was_commune(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: was the place where you live a rural commune (xã) before it joined this ward?"""
    unit = _localities(ctx).current.unit(normalise_name(data["ward"]))
    communes = former_communes(_localities(ctx), unit) if unit else ()
    return answers.former_commune_question(ctx, communes, f"{FormerCommuneButton.PREFIX}:")


def accept_was_commune(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Yes: the rural line (with the data's caveat); no: the ward's line; unsure: asks the area."""
    pressed = FormerCommuneButton.unpack(answer.choice)
    said = pressed.said if pressed else None
    if said is None and not answer.choice and answer.text:
        typed = parse_yes_no(answer.text)
        said = "yes" if typed is True else "no" if typed is False else None
    if said is None:
        return Retry(ctx._("Please choose one of the buttons."))
    unit = _localities(ctx).current.unit(normalise_name(data["ward"]))
    if said == "unknown":
        data["keep_ward"] = True
        return Next("unsure")
    data["area"] = "rural" if said == "yes" else "urban"
    return onward(data, None, _unit_note(unit) if unit else [])


def _unit_note(unit: Unit) -> list[Reply]:
    """The data file's note on a ward (e.g. an unconfirmed area for a former commune)."""
    return [Reply("ℹ️ " + unit.note)] if unit.note else []


def ask_area(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: rural (xã) or urban (phường, thị trấn)? The income line depends on it."""
    return Reply(
        ctx._("No problem. Is the place where you live rural (a xã) or urban (a phường or thị "
              "trấn)?"),
        (
            Choice(ctx._("🌾 Rural (xã)"), AreaButton("rural").pack()),
            Choice(ctx._("🏙️ Urban (phường, thị trấn)"), AreaButton("urban").pack()),
        ),
    )


def accept_area(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the area (no ward)."""
    pressed = AreaButton.unpack(answer.choice)
    if pressed is None:
        return Retry(ctx._("Please choose one of the two buttons."))
    data["ward"] = data.get("ward") if data.pop("keep_ward", False) else None
    data["area"] = pressed.area
    return onward(data)


# --- sharing with the ward's officers ------------------------------------------------------------


def ask_share(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: share this result with the ward's officers? (Nothing personal is kept otherwise.)"""
    if data["ward"] is None:
        text = ctx._("Is anything to change in your answers? I keep nothing about you.")
    else:
        text = ctx._("Would you like to send this result to the officers of {ward} so they can "
                     "contact you? If not, I keep nothing about you.", ward=data["ward"])
    return Reply(text, share_buttons(ctx, data))


def _yes_no(answer: Answer, reply: str | None) -> bool | None:
    """`reply`: what the pressed button of this question says (None: none of its buttons)."""
    if reply in ("yes", "no"):
        return reply == "yes"
    return None if answer.choice else parse_yes_no(answer.text)


def accept_share(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Yes asks for the name; no ends anonymously; "change" opens the review; the legal basis
    and how to ask for the review are explained in place."""
    pressed = ShareButton.unpack(answer.choice)
    reply = pressed.reply if pressed else None
    if reply == "edit":
        return Next("edit")
    if reply == "how" or reply == "legal":
        return Say([Reply(explained(ctx, data, reply))])
    yes = _yes_no(answer, reply)
    if yes is None:
        return Retry(ctx._("Please answer yes or no."), ctx._("yes"))
    if not yes or data["ward"] is None:
        return Done(menu=ctx._("All right, nothing about you was kept. Thank you!"))
    return Next()


def ask_name(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the full name of the person the officers should contact."""
    return Reply(ctx._("What is the full name of the person the officers should contact? For "
                       "example: Nguyễn Văn An"))


def ask_phone(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: a mobile number (typed or shared with the channel's button)."""
    return answers.phone_question(
        ctx, ctx._("Which phone number can the officers call? Type it, for example "
                   "0912345678, or press the button to share your number."),
        ctx._("Which phone number can the officers call? Type it, for example 0912345678."))


def ask_consent(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks for consent: exactly what is sent, to whom, and how to see and delete it."""
    return Reply(
        ctx._("I will send to the officers of {ward}: your name {name}, phone {phone}, your "
              "answers and the result. You can see or delete it any time with /dulieucuatoi and "
              "/xoadulieu. Do you agree?", ward=data["ward"], name=data["name"],
              phone=data["phone"]),
        (
            Choice(ctx._("✅ I agree, send it"), ConsentButton("yes").pack()),
            Choice(ctx._("Don't send"), ConsentButton("no").pack()),
        ),
    )


async def accept_consent(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Records the consent and queues the result for the ward; or ends without sending."""
    pressed = ConsentButton.unpack(answer.choice)
    yes = _yes_no(answer, pressed.reply if pressed else None)
    if yes is None:
        return Retry(ctx._("Please answer yes or no."), ctx._("yes"))
    if not yes:
        return Done(menu=ctx._("Nothing was sent, and nothing about you was kept."))
    standard = standard_of(ctx, data)
    home = household(ctx, data)
    result = assess(home, standard, ctx.local_now.date())
    await users.grant_consent(ctx.session, ctx.user, CONSENT_PURPOSE, ctx.now)
    await repo.save_shared(
        ctx.session, ctx.user, ward=data["ward"], name=data["name"], phone=data["phone"],
        household=home, standard_id=standard.id, category=result.category.value, now=ctx.now,
    )
    return Done(menu=ctx._("Sent to the officers of {ward}. They may call you at {phone}.",
                           ward=data["ward"], phone=data["phone"]))


# --- the table -----------------------------------------------------------------------------------


def build_dialog() -> Dialog:
    """The self-assessment's state table."""
    zero_ok = {"numeric": True, "zero_is_answer": True}
    answer_help = N_("Answer Yes or No: Yes means your household lacks it, No means no "
                     "difficulty. Press ❓ to see what the question means. \"Not sure\" (where "
                     "offered) is shown in the result as something to check with the ward.")
    to_questions = {**QUESTION_LINKS, EDITING: "review"}
    next_question = {**to_questions, "result": "share"}
    ward = answers.ward_step(
        "ward", _ward_question, label=_label, none=N_("🤷 Don't know / somewhere else"),
        unknown=N_("I could not find that ward. Choose a button, or press \"Don't know / "
                   "somewhere else\"."),
        picked=_picked_ward,
        next={"": "members", "had_xa": "was_commune", "unsure": "area", EDITING: "review"})
    return Dialog(
        name=NAME,
        title=N_("Household self-assessment"),
        on_start=_on_start,
        steps=[
            ward,
            Step("was_commune", ask_was_commune, accept_was_commune,
                 next={"": "members", "unsure": "area", EDITING: "review"}),
            Step("area", ask_area, accept_area, next={"": "members", EDITING: "review"}),
            Step("members", ask_members, accept_members, numeric=True,
                 next={"": "income", "recount": "fact", EDITING: "review"}),
            Step("income", ask_income, accept_income, **zero_ok, help=INCOME_HELP,
                 next={**to_questions, "by_source": "sources", "small": "confirm_amount"}),
            # not numeric: a typed "1" or "2" picks a button; a new amount is read as one
            Step("confirm_amount", ask_confirm_amount, accept_confirm_amount,
                 next={**to_questions, "source": "sources"}),
            Step("sources", ask_sources, accept_sources,
                 next={**to_questions, "amount": "source_amount"}),
            Step("source_amount", ask_source_amount, accept_source_amount, **zero_ok,
                 next={"": "sources", "small": "confirm_amount"}),
            Step("indicator", ask_indicator, accept_indicator, help=answer_help,
                 next=next_question),
            Step("fact", ask_fact, accept_fact, **zero_ok, next=next_question,
                 help=N_("Type a number; I work out the rest. Press ❓ to see what counts.")),
            Step("review", ask_review, accept_review,
                 next={"result": "share", "ward": "ward", "members": "members",
                       "income": "income", "answers": "pick"}),
            Step("pick", ask_pick, accept_pick, next=QUESTION_LINKS),
            Step("share", ask_share, accept_share, next={"": "name", "edit": "review"}),
            Step("name", ask_name, answers.storing("name", answers.full_name)),
            Step("phone", ask_phone, answers.storing("phone", answers.mobile_phone),
                 accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.CONTACT})),
            Step("consent", ask_consent, accept_consent),
        ],
    )
