"""The household self-assessment dialog (/tudanhgia): a state table of named steps.

Owns the questions (ward, household size, income, one question per indicator), the review with
"Sửa …" buttons and the offer to share the result with the ward's officers (name, phone,
consent); the result itself is rendered in `conversations.assessment_result`. The indicator
questions are not written here: two generic steps ask the indicator whose index is in the
dialog data, reading its question, its "Nghĩa là gì?" help and whether "Không rõ" is allowed
from the standard's data file. "indicator" asks a yes/no question ("Có" = lacking, "Không" = no
difficulty, on every question); "fact" asks a number the household knows (how many dependants,
the floor area) and the bot does the arithmetic with the indicator's fact rule.

All answers live in the dialog data, so a restart continues where the household was. Nothing
about the household is kept after the dialog unless it consents to share: the result only adds
one to an anonymous count (ward, day, standard, category).

The result comes straight after the last question (16 messages for a typical household); the
share question that follows offers "✏️ Sửa câu trả lời", which opens the review. Editing from
the review sets `editing` in the data: the step that ends a section then returns to the review
instead of going on. (The stepper's `Edit` returns after exactly one step; the ward and income
sections can take two or more, e.g. "Không biết" → area, or income by source.)

```mermaid
flowchart TD
    ward -->|a ward| members
    ward -->|Không biết / nơi khác| area --> members
    ward -->|a ward holding a former xã| was_commune -->|Có / Không| members
    was_commune -->|Không biết| area
    members --> income
    income -->|a total per month or year| indicator
    income -->|an implausible amount| confirm_amount --> indicator
    income -->|by source| sources
    sources -->|a source| source_amount --> sources
    sources -->|Xong| indicator
    indicator -->|next index| indicator & fact
    fact -->|next index| indicator & fact
    indicator & fact -->|last one: the result| share
    share -->|Sửa câu trả lời| review
    review -->|Sửa …| ward & members & income & pick
    pick --> indicator & fact
    review -->|Xác nhận: the result| share
    share -->|Không| done((menu))
    share -->|Có| name --> phone --> consent --> done
```
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from conversations import answers, paging
from conversations.assessment_result import (
    SOURCES,
    explained,
    household,
    result_replies,
    share_buttons,
    standard_of,
)
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Say, Step
from conversations.payloads import as_int, int_at, part
from db import assessments as repo
from db import users
from domain.formatting import format_money, format_number
from domain.i18n import N_
from domain.localities import (
    Localities,
    Unit,
    find_unit,
    former_commune,
    former_communes,
    normalise_name,
)
from domain.messages import Choice, Kind, Reply
from domain.poverty import Indicator, NoStandardError, Standard, assess, standard_for
from domain.text import fold_plain, parse_area, parse_int, parse_money, parse_yes_no

NAME = "assessment"
PAGE_SIZE = 8
MAX_MEMBERS = 50
# A whole household's income below this a month (12 times it a year) is most likely a slip
# ("6000" for 6 triệu): the household is asked which it meant.
PLAUSIBLE_MONTHLY = 100_000
CONSENT_PURPOSE = "share_with_officers"
QUESTIONS_VERSION = 2  # 2: every question asked so that "Có" means lacking (issue 13)

ANSWER_LABELS: dict[str, str] = {
    "yes": N_("Yes"),
    "no": N_("No"),
    "unknown": N_("Not sure"),
}


# --- data helpers --------------------------------------------------------------------------------


def _localities(ctx: Ctx) -> Localities:
    localities: Localities = ctx.services.content["localities"]
    return localities


def _after(data: dict[str, Any], step: str, **values: Any) -> str:
    """The step that follows a finished section: the review when editing, else `step` (with
    `values` set in the data)."""
    if data.get("editing"):
        return "review"
    data.update(values)
    return step


def _slug(unit: Unit) -> str:
    return fold_plain(normalise_name(unit.name)).replace(" ", "-")[:48]


def _label(unit: Unit) -> str:
    """ "phường Phan Rang" → "Phường Phan Rang" (str.capitalize would lower-case the name)."""
    return unit.full_name[:1].upper() + unit.full_name[1:]


def _set_ward(data: dict[str, Any], unit: Unit) -> None:
    data["ward"], data["area"] = unit.full_name, unit.area


def _page(items: Sequence[Any], page: int) -> tuple[Sequence[Any], int, int]:
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE], page, pages


def _page_buttons(ctx: Ctx, prefix: str, page: int, pages: int) -> list[Choice]:
    return paging.page_buttons(ctx, lambda n: f"{prefix}:{n}", page, pages, first=0)


def _help_button(ctx: Ctx) -> Choice:
    return Choice(ctx._("❓ What does this mean?"), "as:ans:help")


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


def ask_ward(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which ward or commune does the household live in?"""
    units, page, pages = _page(_localities(ctx).current.units, data.get("ward_page", 0))
    buttons = [Choice(_label(unit), f"as:ward:{_slug(unit)}") for unit in units]
    buttons += _page_buttons(ctx, "as:wardpage", page, pages)
    buttons.append(Choice(ctx._("🤷 Don't know / somewhere else"), "as:ward:other"))
    text = ctx._("Which ward or commune does your household live in? Choose one, or type its "
                 "name.")
    if not data.get("editing"):
        intro = ctx._("Let's see which group your household may be in. It takes about 5 "
                      "minutes and is anonymous.")
        text = f"{intro}\n{text}"
    return Reply(text, tuple(buttons))


def accept_ward(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the ward and its area; "don't know" asks the area; a typed name is looked up."""
    choice = answer.choice or ""
    if choice.startswith("as:wardpage:"):
        data["ward_page"] = int_at(choice, 2, default=0)
        return Next("ward")
    if choice == "as:ward:other":
        return Next("area")
    localities = _localities(ctx)
    if choice.startswith("as:ward:"):
        slug = choice.removeprefix("as:ward:")
        unit = next((u for u in localities.current.units if _slug(u) == slug), None)
        if unit is None:  # the ward list changed while the household was answering
            return Retry(ctx._("That ward is no longer in my list. Please choose again."))
        _set_ward(data, unit)
        if former_communes(localities, unit):
            return Next("was_commune")
        return Next(_after(data, "members"), _unit_note(unit))
    match = find_unit(localities, answer.text) if answer.text else None
    if match is None or match.current_unit is None:
        return Retry(
            ctx._("I could not find that ward. Choose a button, or press \"Don't know / "
                  "somewhere else\"."),
            localities.current.units[0].name,
        )
    _set_ward(data, match.current_unit)
    note = answers.ward_mapping_note(ctx, match)
    replies = [Reply(note)] if note else []
    if former_commune(localities, answer.text) is not None:
        data["area"] = "rural"  # they named the former xã itself: its rural line, with the note
    elif former_communes(localities, match.current_unit):
        return Next("was_commune", replies)
    return Next(_after(data, "members"), [*replies, *_unit_note(match.current_unit)])


def ask_was_commune(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: was the place where you live a rural commune (xã) before it joined this ward?"""
    unit = _localities(ctx).current.unit(normalise_name(data["ward"]))
    communes = former_communes(_localities(ctx), unit) if unit else ()
    return answers.former_commune_question(ctx, communes, "as:xa:")


def accept_was_commune(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Yes: the rural line (with the data's caveat); no: the ward's line; unsure: asks the area."""
    choice = (answer.choice or "").removeprefix("as:xa:")
    if not choice and answer.text:
        said = parse_yes_no(answer.text)
        choice = "yes" if said is True else "no" if said is False else ""
    if choice not in ("yes", "no", "unknown"):
        return Retry(ctx._("Please choose one of the buttons."))
    unit = _localities(ctx).current.unit(normalise_name(data["ward"]))
    if choice == "unknown":
        data["keep_ward"] = True
        return Next("area")
    data["area"] = "rural" if choice == "yes" else "urban"
    return Next(_after(data, "members"), _unit_note(unit) if unit else [])


def _unit_note(unit: Unit) -> list[Reply]:
    """The data file's note on a ward (e.g. an unconfirmed area for a former commune)."""
    return [Reply("ℹ️ " + unit.note)] if unit.note else []


def ask_area(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: rural (xã) or urban (phường, thị trấn)? The income line depends on it."""
    return Reply(
        ctx._("No problem. Is the place where you live rural (a xã) or urban (a phường or thị "
              "trấn)?"),
        (
            Choice(ctx._("🌾 Rural (xã)"), "as:area:rural"),
            Choice(ctx._("🏙️ Urban (phường, thị trấn)"), "as:area:urban"),
        ),
    )


def accept_area(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the area (no ward)."""
    area = (answer.choice or "").removeprefix("as:area:")
    if area not in ("rural", "urban"):
        return Retry(ctx._("Please choose one of the two buttons."))
    data["ward"], data["area"] = (data.get("ward") if data.pop("keep_ward", False) else None), area
    return Next(_after(data, "members"))


# --- household size and income -------------------------------------------------------------------


def ask_members(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: how many people live and eat together in the household?"""
    return Reply(ctx._("How many people live and eat together in your household? Type a number, "
                       "for example: 4"))


def accept_members(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the household size (1 to 50); a dependants count above it is asked again."""
    members = parse_int(answer.text)
    if members is None or not 1 <= members <= MAX_MEMBERS:
        return Retry(ctx._("Please type the number of people, from 1 to {most}.",
                           most=MAX_MEMBERS), "4")
    data["members"] = members
    standard = standard_of(ctx, data)
    for index, indicator in enumerate(standard.indicators):
        rule = indicator.fact_rule
        too_many = rule is not None and rule.fact == "dependents" and (
            data.get("facts", {}).get("dependents", 0) > members)
        if data.get("editing") and too_many:
            data["q"] = index  # the count no longer fits the household: ask it again
            return Next("fact")
    return Next(_after(data, "income"))


_INCOME_HELP = N_("Add up what everyone in the household earns: wages, farming, livestock, "
                  "fishing, trade, money sent home. Leave out the State's social-assistance "
                  "payments. Whether other money counts (a pension, or costs taken off what a "
                  "farm or shop brings in) is not settled by the sources I have: ask the ward "
                  "office.")


def ask_income(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the whole household's income per month (or per year); offers "by source"."""
    if data.get("period") == "year":
        text = ctx._("How much did the whole household earn over the last 12 months? Leave out "
                     "State social assistance. For example: 54 triệu")
        switch = Choice(ctx._("🗓️ I count per month"), "as:period:month")
    else:
        text = ctx._("How much does the whole household earn a month, on average over the last "
                     "12 months? Leave out State social assistance. For example: 4,5 triệu")
        switch = Choice(ctx._("📅 I count per year"), "as:period:year")
    return Reply(text, (switch, Choice(ctx._("🧾 By source"), "as:income:sources"),
                        _help_button(ctx)))


def accept_income(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the total; switches between per month and per year; or goes to the sources."""
    choice = answer.choice or ""
    if choice == "as:ans:help":
        return Say([Reply("ℹ️ " + ctx._(_INCOME_HELP))])
    if choice.startswith("as:period:"):
        data["period"] = choice.removeprefix("as:period:")
        return Next("income")
    if choice == "as:income:sources":
        data["mode"] = "sources"
        data.setdefault("sources", {})
        return Next("sources")
    listed = len(ask_income(ctx, data).choices)
    if answer.text.isascii() and answer.text.isdigit() and 1 <= int(answer.text) <= listed:
        # The footer promises that 1..n choose the items listed; an amount needs its unit.
        reason = ctx._("A number from 1 to {n} chooses an item above. For an amount, add its "
                       "unit.", n=listed)
        return Retry(reason, ctx._("4500000 or 4,5 triệu"))
    amount = _read_amount(ctx, answer.text)
    if isinstance(amount, Retry):
        return amount
    if _implausible(data, amount):
        data["pending"] = {"for": "income", "amount": amount}
        return Next("confirm_amount")
    data["mode"], data["income"] = "total", amount
    return Next(_after(data, _question_step(ctx, data, 0), q=0))


def _read_amount(ctx: Ctx, text: str) -> int | Retry:
    """A typed amount of money, or the Retry that says why it cannot be used."""
    amount = parse_money(text)
    if amount is None:
        reason = ctx._("I could not read that amount. Type it in numbers; 0 if there is none.")
        return Retry(reason, ctx._("4500000 or 4,5 triệu"))
    return amount


def _implausible(data: dict[str, Any], amount: int) -> bool:
    least = PLAUSIBLE_MONTHLY * (12 if data.get("period") == "year" else 1)
    return 0 < amount < least


def _scaled(amount: int) -> int:
    """What a too-small amount most likely meant: "6" → 6 triệu, "600"/"6000" → ×1000."""
    return amount * (1_000_000 if amount < 100 else 1000)


def ask_confirm_amount(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: "6.000 đ or 6.000.000 đ?" for an implausibly small amount."""
    amount = int(data["pending"]["amount"])
    typed, meant = format_money(amount), format_money(_scaled(amount))
    return Reply(
        ctx._("Did you mean {typed} or {meant}?", typed=typed, meant=meant),
        (Choice(typed, "as:amt:typed"), Choice(meant, "as:amt:meant")),
    )


def accept_confirm_amount(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes the amount chosen (or a new one typed) and goes on as the amount's step would."""
    pending = data["pending"]
    amount = int(pending["amount"])
    if answer.choice == "as:amt:typed":
        chosen: int | Retry = amount
    elif answer.choice == "as:amt:meant":
        chosen = _scaled(amount)
    else:
        chosen = _read_amount(ctx, answer.text)
        if isinstance(chosen, int) and _implausible(data, chosen):
            data["pending"] = {**pending, "amount": chosen}
            return Next("confirm_amount")
    if isinstance(chosen, Retry):
        return chosen
    data.pop("pending", None)
    if pending["for"] == "source":
        data["sources"] = {**data.get("sources", {}), data["source"]: chosen}
        return Next("sources")
    data["mode"], data["income"] = "total", chosen
    return Next(_after(data, _question_step(ctx, data, 0), q=0))


def _period_word(ctx: Ctx, data: dict[str, Any]) -> str:
    return ctx._("a year") if data.get("period") == "year" else ctx._("a month")


def ask_sources(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the sources entered so far and the running total; asks for the next source."""
    sources: dict[str, int] = data.get("sources", {})
    lines = [ctx._("Income of the whole household, {period}, by source:",
                   period=_period_word(ctx, data))]
    lines += [f"• {ctx._(SOURCES[key])}: {format_money(amount)}"
              for key, amount in sources.items() if key in SOURCES]
    lines.append(ctx._("Total so far: {total}", total=format_money(sum(sources.values()))))
    lines.append(ctx._("Leave out State social assistance. Choose a source to enter its amount, "
                       "then press Done."))
    buttons = [
        Choice(("✔️ " if key in sources else "") + ctx._(label), f"as:src:{key}")
        for key, label in SOURCES.items()
    ]
    buttons.append(Choice(ctx._("✅ Done"), "as:src:done"))
    return Reply("\n".join(lines), tuple(buttons))


def accept_sources(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Opens one source's amount, or finishes with the total."""
    choice = answer.choice or ""
    key = choice.removeprefix("as:src:")
    if key in SOURCES:
        data["source"] = key
        return Next("source_amount")
    if key == "done":
        if not data.get("sources"):
            return Retry(ctx._("Please enter at least one source first (0 if it brings "
                               "nothing)."))
        return Next(_after(data, _question_step(ctx, data, 0), q=0))
    return Retry(ctx._("Please choose a source from the buttons, or press Done."))


def ask_source_amount(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: how much does this source bring the household (per month or year)?"""
    return Reply(ctx._("{source}: how much does it bring the whole household {period}? Type the "
                       "amount, 0 if nothing. For example: 3 triệu",
                       source=ctx._(SOURCES[data["source"]]), period=_period_word(ctx, data)))


def accept_source_amount(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the source's amount and goes back to the list of sources."""
    amount = _read_amount(ctx, answer.text)
    if isinstance(amount, Retry):
        return amount
    if _implausible(data, amount):
        data["pending"] = {"for": "source", "amount": amount}
        return Next("confirm_amount")
    data["sources"] = {**data.get("sources", {}), data["source"]: amount}
    return Next("sources")


# --- the indicators (two generic steps, questions from the data file) ---------------------------


def _question_step(ctx: Ctx, data: dict[str, Any], index: int) -> str:
    """"fact" for an indicator decided by a number the household knows, else "indicator"."""
    indicator = standard_of(ctx, data).indicators[index]
    return "fact" if indicator.fact_rule is not None else "indicator"


def _indicator(ctx: Ctx, data: dict[str, Any]) -> tuple[Indicator, int, int]:
    standard = standard_of(ctx, data)
    index = int(data.get("q", 0))
    return standard.indicators[index], index, len(standard.indicators)


def _question_lead(ctx: Ctx, index: int, total: int) -> str:
    return ctx._("Question {n} of {total}:", n=index + 1, total=total)


def ask_indicator(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the indicator at index `q`: Có (lacking) / Không (no difficulty) / (Không rõ) / ?"""
    indicator, index, total = _indicator(ctx, data)
    yes = indicator.yes_label or ctx._("Yes")
    buttons = [Choice(yes, "as:ans:yes"), Choice(ctx._("No"), "as:ans:no")]
    if indicator.allows_unknown:
        buttons.append(Choice(ctx._("Not sure"), "as:ans:unknown"))
    buttons.append(_help_button(ctx))
    return Reply(f"{_question_lead(ctx, index, total)} {indicator.text('question')}",
                 tuple(buttons))


_NOT_SURE = frozenset({"khong ro", "khong biet", "chua ro", "chua biet", "ko ro", "ko biet", "kb"})


def _read_answer(answer: Answer) -> str | None:
    text = answer.text.strip()
    # Checked before the button: the core reads a typed "không rõ" as the "Không" button where
    # the question has no "Không rõ" button, and a household that is not sure must not be
    # recorded as "no".
    if fold_plain(text) in _NOT_SURE:
        return "unknown"
    if answer.choice:
        return answer.choice.removeprefix("as:ans:")
    if text.startswith("?") or fold_plain(text) in ("giai thich", "la gi", "help"):
        return "help"
    yes = parse_yes_no(text)
    return None if yes is None else ("yes" if yes else "no")


async def accept_indicator(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores Có/Không/Không rõ; "?" explains and asks again."""
    indicator, _, _ = _indicator(ctx, data)
    value = _read_answer(answer)
    if value == "help":
        return Say([Reply("ℹ️ " + indicator.text("help"))])
    if value == "unknown" and not indicator.allows_unknown:
        return Retry(ctx._("This question needs Yes or No. Press ❓ if the question is unclear."))
    if value not in ("yes", "no", "unknown"):
        return Retry(ctx._("Please answer with a button: Yes or No."), ctx._("Yes"))
    data["answers"] = {**data.get("answers", {}), indicator.key: value}
    return await _next_question(ctx, data)


async def _next_question(ctx: Ctx, data: dict[str, Any]) -> Outcome:
    """The next indicator's step; after the last one, the result (or the review, when
    editing)."""
    _, index, total = _indicator(ctx, data)
    if data.get("editing"):
        return Next("review")
    if index + 1 < total:
        data["q"] = index + 1
        return Next(_question_step(ctx, data, index + 1))
    return await show_result(ctx, data)


def ask_fact(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the number behind the indicator at `q` (dependants, floor area); Không rõ / ?"""
    indicator, index, total = _indicator(ctx, data)
    assert indicator.fact_rule is not None
    buttons: list[Choice] = []
    if indicator.allows_unknown:
        buttons.append(Choice(ctx._("Not sure"), "as:ans:unknown"))
    buttons.append(_help_button(ctx))
    return Reply(f"{_question_lead(ctx, index, total)} {indicator.fact_rule.question}",
                 tuple(buttons))


async def accept_fact(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the number and whether it makes the household lack the indicator (the bot
    divides by the household size); "Không rõ" where offered; "?" explains."""
    indicator, _, _ = _indicator(ctx, data)
    rule = indicator.fact_rule
    assert rule is not None
    typed_no = parse_yes_no(answer.text) is False and fold_plain(answer.text) not in _NOT_SURE
    # A typed "không" is a count of none (or an unusable area), never the "Không rõ" button the
    # core may have matched it to.
    choice = None if typed_no else answer.choice
    value = _read_answer(Answer(answer.kind, answer.text, choice)) if (
        choice or not answer.text[:1].isdigit()) else None
    if value == "help":
        return Say([Reply("ℹ️ " + indicator.text("help"))])
    members = int(data["members"])
    if value == "unknown" and not indicator.allows_unknown:
        return Retry(ctx._("This question needs a number. Press ❓ if the question is unclear."),
                     "2")
    if value == "unknown" and indicator.allows_unknown:
        facts = {k: v for k, v in data.get("facts", {}).items() if k != rule.fact}
        data["facts"] = facts
        data["answers"] = {**data.get("answers", {}), indicator.key: "unknown"}
        return await _next_question(ctx, data)
    amount = _read_fact(ctx, rule.fact, answer.text, members)
    if isinstance(amount, Retry):
        return amount
    deprived = rule.is_deprived(float(amount), members)
    data["facts"] = {**data.get("facts", {}), rule.fact: amount}
    data["answers"] = {**data.get("answers", {}), indicator.key: "yes" if deprived else "no"}
    return await _next_question(ctx, data)


def _read_fact(ctx: Ctx, fact: str, text: str, members: int) -> int | float | Retry:
    if fact == "dependents":
        count = parse_int(text)
        if count is None or count > members:
            return Retry(ctx._("Please type how many, from 0 to {members} (the people in your "
                               "household).", members=members), "2")
        return count
    area = parse_area(text)
    if area is None or area <= 0:
        return Retry(ctx._("Please type the floor area in square metres, for example 40. Not "
                           "sure? Press \"Not sure\"."), "40")
    return int(area) if area == area.to_integral_value() else float(area)


# --- the result, the review and editing ----------------------------------------------------------


async def show_result(ctx: Ctx, data: dict[str, Any]) -> Outcome:
    """Counts the result anonymously and shows it; then the share question (with a ward)."""
    data["editing"] = False
    standard = standard_of(ctx, data)
    today = ctx.local_now.date()
    result = assess(household(ctx, data), standard, today)
    await repo.record_tally(ctx.session, data["ward"], today, standard.id,
                            result.category.value, run=data.get("run"))
    replies = result_replies(ctx, data, result)
    return Next("share", replies)


def _names(standard: Standard, keys: Sequence[str]) -> str:
    return ", ".join(standard.indicator(key).name for key in keys)


def _fact_lines(ctx: Ctx, data: dict[str, Any]) -> list[str]:
    facts: dict[str, Any] = data.get("facts", {})
    lines = []
    if "dependents" in facts:
        lines.append(ctx._("• Dependants: {n}", n=facts["dependents"]))
    if "housing_area_m2" in facts:
        area = format_number(Decimal(str(facts["housing_area_m2"])))
        lines.append(ctx._("• Floor area: {area} m²", area=area))
    return lines


def ask_review(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows a summary of the answers; asks to confirm or change one."""
    standard = standard_of(ctx, data)
    home = household(ctx, data)
    area = standard.income_lines.for_area(home.area).label
    entered = sum(data["sources"].values()) if data.get("mode") == "sources" else data["income"]
    lines = [
        ctx._("Please check your answers:"),
        ctx._("• Place: {place} ({area})", place=data["ward"], area=area) if data["ward"]
        else ctx._("• Place: a {area} area", area=area),
        ctx._("• People: {n}", n=home.members),
        ctx._("• Household income: {amount} {period}", amount=format_money(entered),
              period=_period_word(ctx, data)),
        *_fact_lines(ctx, data),
    ]
    deprived = [k for k in standard.keys if k in home.deprived]
    unknown = [k for k in standard.keys if k in home.unknown]
    lines.append(ctx._("• Lacking: {names}", names=_names(standard, deprived) or ctx._("none")))
    if unknown:
        lines.append(ctx._("• Not sure: {names}", names=_names(standard, unknown)))
    return Reply(
        "\n".join(lines),
        (
            Choice(ctx._("✅ Correct, show the result"), "as:rev:ok"),
            Choice(ctx._("✏️ Change place"), "as:rev:ward"),
            Choice(ctx._("✏️ Change number of people"), "as:rev:members"),
            Choice(ctx._("✏️ Change income"), "as:rev:income"),
            Choice(ctx._("✏️ Change an answer"), "as:rev:answers"),
        ),
    )


async def accept_review(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Confirms (counts the result anonymously and shows it) or opens a section to change."""
    choice = answer.choice or ""
    if choice == "as:rev:ok" or (not choice and parse_yes_no(answer.text)):
        return await show_result(ctx, data)
    targets = {"as:rev:ward": "ward", "as:rev:members": "members", "as:rev:income": "income",
               "as:rev:answers": "pick"}
    if choice in targets:
        data["editing"] = True
        data["pick_page"] = 0
        return Next(targets[choice])
    return Retry(ctx._("Please press \"Correct\" or the part you want to change."))


def _answer_label(ctx: Ctx, indicator: Indicator, data: dict[str, Any]) -> str:
    rule = indicator.fact_rule
    facts = data.get("facts", {})
    if rule is not None and rule.fact in facts:
        return format_number(Decimal(str(facts[rule.fact])))
    return ctx._(ANSWER_LABELS.get(data.get("answers", {}).get(indicator.key), "—"))


def ask_pick(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Lists the indicator answers (paginated); asks which one to change."""
    standard = standard_of(ctx, data)
    numbered = list(enumerate(standard.indicators))
    shown, page, pages = _page(numbered, data.get("pick_page", 0))
    buttons = [Choice(f"{i + 1}. {ind.name}: {_answer_label(ctx, ind, data)}", f"as:pick:{i}")
               for i, ind in shown]
    buttons += _page_buttons(ctx, "as:pickpage", page, pages)
    return Reply(ctx._("Which answer do you want to change?"), tuple(buttons))


def accept_pick(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Opens the chosen indicator's question, or turns the page."""
    choice = answer.choice or ""
    if choice.startswith("as:pickpage:"):
        data["pick_page"] = int_at(choice, 2, default=0)
        return Next("pick")
    picked = as_int(part(choice, 2)) if choice.startswith("as:pick:") else None
    if picked is not None and picked < len(standard_of(ctx, data).indicators):
        data["q"] = picked
        return Next(_question_step(ctx, data, picked))
    return Retry(ctx._("Please choose a question from the buttons."))


# --- sharing with the ward's officers ------------------------------------------------------------


def ask_share(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: share this result with the ward's officers? (Nothing personal is kept otherwise.)"""
    if data["ward"] is None:
        text = ctx._("Is anything to change in your answers? I keep nothing about you.")
    else:
        text = ctx._("Would you like to send this result to the officers of {ward} so they can "
                     "contact you? If not, I keep nothing about you.", ward=data["ward"])
    return Reply(text, share_buttons(ctx, data))


def accept_share(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Yes asks for the name; no ends anonymously; "change" opens the review; the legal basis
    and how to ask for the review are explained in place."""
    if answer.choice == "as:share:edit":
        return Next("review")
    if answer.choice in ("as:share:how", "as:share:legal"):
        return Say([Reply(explained(ctx, data, answer.choice.rsplit(":", 1)[1]))])
    yes = _yes_no(answer, "as:share")
    if yes is None:
        return Retry(ctx._("Please answer yes or no."), ctx._("yes"))
    if not yes or data["ward"] is None:
        return Done(menu=ctx._("All right, nothing about you was kept. Thank you!"))
    return Next("name")


def _yes_no(answer: Answer, prefix: str) -> bool | None:
    if answer.choice == f"{prefix}:yes":
        return True
    if answer.choice == f"{prefix}:no":
        return False
    return None if answer.choice else parse_yes_no(answer.text)


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
            Choice(ctx._("✅ I agree, send it"), "as:consent:yes"),
            Choice(ctx._("Don't send"), "as:consent:no"),
        ),
    )


async def accept_consent(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Records the consent and queues the result for the ward; or ends without sending."""
    yes = _yes_no(answer, "as:consent")
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


def build_dialog() -> Dialog:
    """The self-assessment's state table."""
    zero_ok = {"numeric": True, "zero_is_answer": True}
    answer_help = N_("Answer Yes or No: Yes means your household lacks it, No means no "
                     "difficulty. Press ❓ to see what the question means. \"Not sure\" (where "
                     "offered) is shown in the result as something to check with the ward.")
    return Dialog(
        loose=True, name=NAME,
        title=N_("Household self-assessment"),
        on_start=_on_start,
        steps=[
            Step("ward", ask_ward, accept_ward),
            Step("was_commune", ask_was_commune, accept_was_commune),
            Step("area", ask_area, accept_area),
            Step("members", ask_members, accept_members, numeric=True),
            Step("income", ask_income, accept_income, **zero_ok, help=_INCOME_HELP),
            # not numeric: a typed "1" or "2" picks a button; a new amount is read as one
            Step("confirm_amount", ask_confirm_amount, accept_confirm_amount),
            Step("sources", ask_sources, accept_sources),
            Step("source_amount", ask_source_amount, accept_source_amount, **zero_ok),
            Step("indicator", ask_indicator, accept_indicator, help=answer_help),
            Step("fact", ask_fact, accept_fact, **zero_ok,
                 help=N_("Type a number; I work out the rest. Press ❓ to see what counts.")),
            Step("review", ask_review, accept_review),
            Step("pick", ask_pick, accept_pick),
            Step("share", ask_share, accept_share),
            Step("name", ask_name, answers.storing("name", answers.full_name, "phone")),
            Step("phone", ask_phone, answers.storing("phone", answers.mobile_phone, "consent"),
                 accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.CONTACT})),
            Step("consent", ask_consent, accept_consent),
        ],
    )
