"""The self-assessment's indicator questions, its result and the review with "Sửa …" buttons
(the table is in conversations/assessment.py).

The indicator questions are not written here: two generic steps ask the indicator whose index is
`q` in the dialog data, reading its question, its "Nghĩa là gì?" help and whether "Không rõ" is
allowed from the standard's data file. "indicator" asks a yes/no question ("Có" = lacking,
"Không" = no difficulty, on every question); "fact" asks a number the household knows (how many
dependants, the floor area) and the bot does the arithmetic with the indicator's fact rule.

Editing from the review sets `editing` in the data: the step that ends a section then takes its
"editing" link back to the review instead of going on (the stepper's `Edit` returns after
exactly one step; the ward and income sections can take two or more).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from conversations import paging
from conversations.assessment_result import household, result_replies, standard_of
from conversations.context import Ctx
from conversations.engine import Answer, Next, Outcome, Retry, Say
from conversations.payloads import Payload, payload
from db import assessments as repo
from domain.folding import fold_plain
from domain.formatting import format_money, format_number
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.numbers import parse_area, parse_int
from domain.poverty import Indicator, Standard, assess
from domain.text import parse_yes_no

ANSWER_LABELS: dict[str, str] = {
    "yes": N_("Yes"),
    "no": N_("No"),
    "unknown": N_("Not sure"),
}
EDITING = "editing"  # the link back to the review, taken by a finished section while editing
# The links of a step after which an indicator question comes ("" is the "indicator" step).
QUESTION_LINKS = {"": "indicator", "fact": "fact"}


@payload("as.ans")
class AnswerButton(Payload):
    """An answer button of an indicator question, or "❓ Nghĩa là gì?" (on the income too)."""

    answer: Literal["yes", "no", "unknown", "help"]


@payload("as.rev")
class ReviewButton(Payload):
    """"Correct, show the result", or the section to change (each is a link of the review)."""

    part: Literal["result", "ward", "members", "income", "answers"]


@payload("as.pick")
class PickButton(Payload):
    """An indicator answer to change, by its index, or a page of the list."""

    pick: Literal["at", "page"]
    n: int = 0


def help_button(ctx: Ctx) -> Choice:
    return Choice(ctx._("❓ What does this mean?"), AnswerButton("help").pack())


def onward(data: dict[str, Any], to: str | None = None, replies: Sequence[Reply] = ()) -> Next:
    """The end of a section: along `to` (None: the step's default link), or back to the review
    when the household is editing."""
    return Next(EDITING if data.get("editing") else to, replies)


def question(ctx: Ctx, data: dict[str, Any], index: int) -> Next:
    """On to indicator `index`: the "fact" step for one decided by a number the household
    knows, else the "indicator" step (the "" link of QUESTION_LINKS)."""
    data["q"] = index
    indicator = standard_of(ctx, data).indicators[index]
    return Next("fact" if indicator.fact_rule is not None else None)


def first_question(ctx: Ctx, data: dict[str, Any]) -> Next:
    """After the income: the first indicator, or the review when editing."""
    return onward(data) if data.get("editing") else question(ctx, data, 0)


# --- the indicators (two generic steps, questions from the data file) ---------------------------


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
    buttons = [Choice(yes, AnswerButton("yes").pack()),
               Choice(ctx._("No"), AnswerButton("no").pack())]
    if indicator.allows_unknown:
        buttons.append(Choice(ctx._("Not sure"), AnswerButton("unknown").pack()))
    buttons.append(help_button(ctx))
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
        pressed = AnswerButton.unpack(answer.choice)
        return pressed.answer if pressed else None
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
        return onward(data)
    if index + 1 < total:
        return question(ctx, data, index + 1)
    return await show_result(ctx, data)


def ask_fact(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the number behind the indicator at `q` (dependants, floor area); Không rõ / ?"""
    indicator, index, total = _indicator(ctx, data)
    assert indicator.fact_rule is not None
    buttons: list[Choice] = []
    if indicator.allows_unknown:
        buttons.append(Choice(ctx._("Not sure"), AnswerButton("unknown").pack()))
    buttons.append(help_button(ctx))
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
    """Counts the result anonymously and shows it; then (the "result" link) the share
    question."""
    data["editing"] = False
    standard = standard_of(ctx, data)
    today = ctx.local_now.date()
    result = assess(household(ctx, data), standard, today)
    await repo.record_tally(ctx.session, data["ward"], today, standard.id,
                            result.category.value, run=data.get("run"))
    return Next("result", result_replies(ctx, data, result))


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


def period_word(ctx: Ctx, data: dict[str, Any]) -> str:
    return ctx._("a year") if data.get("period") == "year" else ctx._("a month")


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
              period=period_word(ctx, data)),
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
            Choice(ctx._("✅ Correct, show the result"), ReviewButton("result").pack()),
            Choice(ctx._("✏️ Change place"), ReviewButton("ward").pack()),
            Choice(ctx._("✏️ Change number of people"), ReviewButton("members").pack()),
            Choice(ctx._("✏️ Change income"), ReviewButton("income").pack()),
            Choice(ctx._("✏️ Change an answer"), ReviewButton("answers").pack()),
        ),
    )


async def accept_review(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Confirms (counts the result anonymously and shows it) or opens a section to change."""
    pressed = ReviewButton.unpack(answer.choice)
    if (pressed is not None and pressed.part == "result") or (
            not answer.choice and parse_yes_no(answer.text)):
        return await show_result(ctx, data)
    if pressed is not None:
        data["editing"] = True
        data["pick_page"] = 1
        return Next(pressed.part)
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
    shown, page, pages = paging.page_of(numbered, data.get("pick_page", 1))
    buttons = [Choice(f"{i + 1}. {ind.name}: {_answer_label(ctx, ind, data)}",
                      PickButton("at", i).pack()) for i, ind in shown]
    buttons += paging.page_buttons(ctx, lambda n: PickButton("page", n).pack(), page, pages)
    return Reply(ctx._("Which answer do you want to change?"), tuple(buttons))


def accept_pick(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Opens the chosen indicator's question, or turns the page."""
    pressed = PickButton.unpack(answer.choice)
    if pressed is not None and pressed.pick == "page":
        data["pick_page"] = pressed.n
        return Next("pick")
    if pressed is not None and pressed.n < len(standard_of(ctx, data).indicators):
        return question(ctx, data, pressed.n)
    return Retry(ctx._("Please choose a question from the buttons."))
