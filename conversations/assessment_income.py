"""The self-assessment's household size and income questions (the table is in
conversations/assessment.py): how many people, the whole household's income per month or per
year, or by source with a running total, and "6.000 đ or 6.000.000 đ?" for an implausibly small
amount.
"""

from __future__ import annotations

from typing import Any, Literal

from conversations.assessment_questions import (
    AnswerButton,
    first_question,
    help_button,
    onward,
    period_word,
)
from conversations.assessment_result import SOURCES, standard_of
from conversations.context import Ctx
from conversations.engine import Answer, Next, Outcome, Retry, Say
from conversations.payloads import Payload, payload
from domain.formatting import format_money
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.numbers import parse_int, parse_money

MAX_MEMBERS = 50
# A whole household's income below this a month (12 times it a year) is most likely a slip
# ("6000" for 6 triệu): the household is asked which it meant.
PLAUSIBLE_MONTHLY = 100_000

INCOME_HELP = N_("Add up what everyone in the household earns: wages, farming, livestock, "
                 "fishing, trade, money sent home. Leave out the State's social-assistance "
                 "payments. Whether other money counts (a pension, or costs taken off what a "
                 "farm or shop brings in) is not settled by the sources I have: ask the ward "
                 "office.")


@payload("as.inc")
class IncomeButton(Payload):
    """The income question's buttons: count per month or per year, or enter it by source."""

    pick: Literal["month", "year", "sources"]


@payload("as.amt")
class AmountButton(Payload):
    """Which amount was meant: the one typed, or it scaled up (`_scaled`)."""

    amount: Literal["typed", "meant"]


@payload("as.src")
class SourceButton(Payload):
    """An income source (a key of SOURCES) to enter, or "done"."""

    source: Literal["wages", "farming", "trade", "pensions", "remittances", "other", "done"]


# --- household size ------------------------------------------------------------------------------


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
            return Next("recount")
    return onward(data)


# --- the income ----------------------------------------------------------------------------------


def ask_income(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the whole household's income per month (or per year); offers "by source"."""
    if data.get("period") == "year":
        text = ctx._("How much did the whole household earn over the last 12 months? Leave out "
                     "State social assistance. For example: 54 triệu")
        switch = Choice(ctx._("🗓️ I count per month"), IncomeButton("month").pack())
    else:
        text = ctx._("How much does the whole household earn a month, on average over the last "
                     "12 months? Leave out State social assistance. For example: 4,5 triệu")
        switch = Choice(ctx._("📅 I count per year"), IncomeButton("year").pack())
    return Reply(text, (switch, Choice(ctx._("🧾 By source"), IncomeButton("sources").pack()),
                        help_button(ctx)))


def accept_income(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the total; switches between per month and per year; or goes to the sources."""
    helped = AnswerButton.unpack(answer.choice)
    if helped is not None and helped.answer == "help":
        return Say([Reply("ℹ️ " + ctx._(INCOME_HELP))])
    pressed = IncomeButton.unpack(answer.choice)
    if pressed is not None and pressed.pick == "sources":
        data["mode"] = "sources"
        data.setdefault("sources", {})
        return Next("by_source")
    if pressed is not None:
        data["period"] = pressed.pick
        return Next("income")
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
        return Next("small")
    data["mode"], data["income"] = "total", amount
    return first_question(ctx, data)


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
        (Choice(typed, AmountButton("typed").pack()), Choice(meant, AmountButton("meant").pack())),
    )


def accept_confirm_amount(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Takes the amount chosen (or a new one typed) and goes on as the amount's step would."""
    pending = data["pending"]
    amount = int(pending["amount"])
    pressed = AmountButton.unpack(answer.choice)
    if pressed is not None:
        chosen: int | Retry = amount if pressed.amount == "typed" else _scaled(amount)
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
        return Next("source")
    data["mode"], data["income"] = "total", chosen
    return first_question(ctx, data)


# --- income by source ----------------------------------------------------------------------------


def ask_sources(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the sources entered so far and the running total; asks for the next source."""
    sources: dict[str, int] = data.get("sources", {})
    lines = [ctx._("Income of the whole household, {period}, by source:",
                   period=period_word(ctx, data))]
    lines += [f"• {ctx._(SOURCES[key])}: {format_money(amount)}"
              for key, amount in sources.items() if key in SOURCES]
    lines.append(ctx._("Total so far: {total}", total=format_money(sum(sources.values()))))
    lines.append(ctx._("Leave out State social assistance. Choose a source to enter its amount, "
                       "then press Done."))
    buttons = [
        Choice(("✔️ " if key in sources else "") + ctx._(label), SourceButton(key).pack())
        for key, label in SOURCES.items()
    ]
    buttons.append(Choice(ctx._("✅ Done"), SourceButton("done").pack()))
    return Reply("\n".join(lines), tuple(buttons))


def accept_sources(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Opens one source's amount, or finishes with the total."""
    pressed = SourceButton.unpack(answer.choice)
    if pressed is not None and pressed.source in SOURCES:
        data["source"] = pressed.source
        return Next("amount")
    if pressed is not None:  # done
        if not data.get("sources"):
            return Retry(ctx._("Please enter at least one source first (0 if it brings "
                               "nothing)."))
        return first_question(ctx, data)
    return Retry(ctx._("Please choose a source from the buttons, or press Done."))


def ask_source_amount(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: how much does this source bring the household (per month or year)?"""
    return Reply(ctx._("{source}: how much does it bring the whole household {period}? Type the "
                       "amount, 0 if nothing. For example: 3 triệu",
                       source=ctx._(SOURCES[data["source"]]), period=period_word(ctx, data)))


def accept_source_amount(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the source's amount and goes back to the list of sources."""
    amount = _read_amount(ctx, answer.text)
    if isinstance(amount, Retry):
        return amount
    if _implausible(data, amount):
        data["pending"] = {"for": "source", "amount": amount}
        return Next("small")
    data["sources"] = {**data.get("sources", {}), data["source"]: amount}
    return Next()
