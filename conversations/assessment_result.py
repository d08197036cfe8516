"""The self-assessment's result as the household sees it, and reading the dialog's answers.

Owns `household` (the dialog data → a `Household`), the result in at most three short messages
(the verdict in one plain sentence first; why second; what to do and whom to contact third,
with the policies the household is likely eligible for and one tap to "Tôi được hỗ trợ gì?"),
then near the changeover the other standard's view, and the buttons of the share question that
follows (send to the ward, change an answer, how to ask for the review, the legal basis).

Every sentence comes from `domain.poverty.explain_parts`, so the chat says what the CLI's
`explanation` says; only the packing into messages and the contact lines are added here.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from conversations.context import Ctx
from conversations.payloads import Payload, payload
from conversations.policy_buttons import PolicyList
from domain.formatting import format_money
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.poverty import (
    Area,
    Assessment,
    Category,
    Explanation,
    Household,
    Standard,
    assess,
    changeover_note_needed,
    explain_other,
    explain_parts,
    other_standard,
    standard_by_id,
    translate_household,
)

MESSAGE_CHARS = 400  # each of the result's messages fits a cheap phone's screen
SOFT_LIMIT = 440  # "about 400": what a message may reach before a sentence is left out
LIKELY_POLICIES = 3

# Income sources (stable ids → labels), in the order a household thinks of them. The State's
# social-assistance payments are left out of income (facts.md §4.5), so no source offers them.
SOURCES: dict[str, str] = {
    "wages": N_("Wages and salaries"),
    "farming": N_("Farming, fishing, salt-making"),
    "trade": N_("Trade and services"),
    "pensions": N_("Pensions"),
    "remittances": N_("Money sent home"),
    "other": N_("Other income"),
}



@payload("as.share")
class ShareButton(Payload):
    """A button of the share question that follows the result."""

    reply: Literal["yes", "no", "edit", "how", "legal"]


# Answers given before the questions were turned around (QUESTIONS_VERSION 2): for these, "no"
# meant lacking. Kept so a dialog under way when the bot was upgraded is read as answered.
_LEGACY_NO_MEANS_LACKING = frozenset(
    {"water", "sanitation", "telecom", "information_assets", "waste_treatment"}
)


def standard_of(ctx: Ctx, data: dict[str, Any]) -> Standard:
    return standard_by_id(ctx.services.content["standards"], data["standard"])


def _monthly_income(data: dict[str, Any]) -> int | Fraction:
    amount = sum(data["sources"].values()) if data.get("mode") == "sources" else data["income"]
    # A yearly figure is divided exactly, as the CLI does: 18.000.011 đ a year is above
    # 1.500.000 đ a month.
    if data.get("period") == "year":
        return Fraction(int(amount), 12)
    return int(amount)


def household(ctx: Ctx, data: dict[str, Any]) -> Household:
    """The household as answered so far (unanswered indicators count as not deprived)."""
    standard = standard_of(ctx, data)
    answers: dict[str, str] = data.get("answers", {})
    legacy = data.get("qv", 1) < 2

    facts: dict[str, Any] = data.get("facts", {})
    members = int(data["members"])

    def lacking(key: str) -> bool:
        rule = standard.indicator(key).fact_rule
        if rule is not None and rule.fact in facts:  # recomputed: the size may have changed
            return rule.is_deprived(float(facts[rule.fact]), members)
        answer = answers.get(key)
        if legacy and key in _LEGACY_NO_MEANS_LACKING:
            return answer == "no"
        return answer == "yes"

    unknown = {key for key, value in answers.items() if value == "unknown"}
    return Household(
        area=Area(data["area"]),
        members=members,
        monthly_income=_monthly_income(data),
        deprived=frozenset(k for k in standard.keys if lacking(k)),
        unknown=frozenset(unknown & set(standard.keys)),
    )


def _pack(sentences: list[str], limit: int = MESSAGE_CHARS) -> str:
    """Sentences into one message; past `limit` the rest is cut at a sentence (the CLI's
    explanation keeps every sentence)."""
    text = ""
    for sentence in sentences:
        joined = f"{text}\n{sentence}" if text else sentence
        if text and len(joined) > limit:
            break
        text = joined
    return text


def _likely_policies(ctx: Ctx, category: str) -> list[str]:
    catalogue = ctx.services.content.get("policies")
    if catalogue is None:
        return []
    entries = catalogue.for_household(category, ctx.local_now.date())
    return [p.title for p in entries[:LIKELY_POLICIES]]


def _fits(sentences: list[str], limit: int = MESSAGE_CHARS) -> bool:
    return len("\n".join(sentences)) <= limit


def _why(ctx: Ctx, result: Assessment, parts: Explanation) -> str:
    """Income, what is lacking, the rule, what is unknown and what would change; when that is
    too long for one message, the rule goes first, then the names of the lacking indicators;
    past that the message may run a little over (SOFT_LIMIT) before a sentence is cut."""
    candidates = [
        [*parts.income, *parts.deprivations, *parts.rule, *parts.unknown, *parts.changes],
        [*parts.income, *parts.deprivations, *parts.unknown, *parts.changes],
    ]
    if result.deprivation_count:
        count = ctx.ngettext(
            "Your household lacks {count} of the {total} basic social service indicators.",
            "Your household lacks {count} of the {total} basic social service indicators.",
            result.deprivation_count, count=result.deprivation_count,
            total=len(result.standard.indicators))
        candidates.append([*parts.income, count, *parts.unknown, *parts.changes])
    for sentences in candidates:
        if _fits(sentences):
            return "\n".join(sentences)
    return _pack(candidates[-1], SOFT_LIMIT)


def _todo(ctx: Ctx, data: dict[str, Any], result: Assessment, parts: Explanation) -> str:
    """What to do, whom to contact, and as many of the likely policies' names as fit."""
    todo = list(parts.next_steps)
    if data.get("ward"):
        todo.append(ctx._("Whom to contact: the People's Committee (UBND) of {ward}.",
                          ward=data["ward"]))
    titles = _likely_policies(ctx, result.category.value)
    while titles:
        line = ctx._("Support your household may be able to get: {titles}.",
                     titles="; ".join(titles))
        if _fits([*todo, line]):
            todo.append(line)
            break
        titles = titles[:-1]
    return _pack(todo)


def result_replies(ctx: Ctx, data: dict[str, Any], result: Assessment) -> list[Reply]:
    """The verdict, why, and what to do (with the likely policies and the support button);
    near the changeover also the other standard's view."""
    parts = explain_parts(result, ctx.translator, format_money, short=True)
    button = Choice(ctx._("🎁 What support can I get?"),
                    PolicyList("for", result.category.value).pack())
    replies = [
        Reply(_pack([*parts.verdict, *parts.caveats])),
        Reply(_why(ctx, result, parts)),
        Reply(_todo(ctx, data, result, parts), (button,)),
    ]
    other = _other_result(ctx, data, result)
    if other is not None:
        replies.append(Reply("\n".join(explain_other(other, ctx.translator, format_money))))
    return replies


def _other_result(ctx: Ctx, data: dict[str, Any], result: Assessment) -> Assessment | None:
    today = ctx.local_now.date()
    if not changeover_note_needed(today):
        return None
    standard = result.standard
    other = other_standard(ctx.services.content["standards"], standard)
    if other is None:
        return None
    return assess(translate_household(household(ctx, data), standard, other), other, today)


def _reviewable(ctx: Ctx, data: dict[str, Any]) -> bool:
    # The request form (Mẫu số 01) is for the poor and near-poor review; the sources say
    # nothing of a form for the average band, so no "how" is offered there.
    result = assess(household(ctx, data), standard_of(ctx, data))
    return result.category in (Category.POOR, Category.NEAR_POOR)


def share_buttons(ctx: Ctx, data: dict[str, Any]) -> tuple[Choice, ...]:
    """Send to the ward (where there is one), change an answer, how to ask for the review
    (where a review applies), the legal basis."""
    buttons: list[Choice] = []
    if data.get("ward"):
        buttons += [Choice(ctx._("📨 Yes, send it"), ShareButton("yes").pack()),
                    Choice(ctx._("No, thank you"), ShareButton("no").pack())]
    else:
        buttons.append(Choice(ctx._("No, thank you"), ShareButton("no").pack()))
    buttons.append(Choice(ctx._("✏️ Change an answer"), ShareButton("edit").pack()))
    if _reviewable(ctx, data):
        buttons.append(Choice(ctx._("📝 How to ask for the review"), ShareButton("how").pack()))
    buttons.append(Choice(ctx._("📜 Legal basis"), ShareButton("legal").pack()))
    return tuple(buttons)


def explained(ctx: Ctx, data: dict[str, Any], what: Literal["how", "legal"]) -> str:
    """"how": how to ask the ward for the review; "legal": the standard's legal basis."""
    if what == "legal":
        result = assess(household(ctx, data), standard_of(ctx, data), ctx.local_now.date())
        return ctx._("Legal basis: {citations}.",
                     citations="; ".join(c.citation for c in result.legal_basis))
    return ctx._("To ask for the review: send the ward or commune People's Committee a request "
                 "(Giấy đề nghị rà soát hộ nghèo, hộ cận nghèo, Mẫu số 01 of Quyết định "
                 "24/2021/QĐ-TTg). The yearly review runs from 1/9 to 14/12. Ask the ward office "
                 "which form applies now.")
