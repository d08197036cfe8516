"""The plain-language explanation of an assessment: the verdict, why, what would change it,
the caveats, what to do next and the legal basis.

Every sentence is true of the household: "what would change" is rendered only from
`Assessment.what_would_change` (the same witnesses the CLI returns as `changes`), and the
"chỉ để tham khảo" caveat is given whenever any indicator asked or any category rule used is
marked unconfirmed in the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.formatting import format_date, format_money
from domain.i18n import N_, Translator
from domain.poverty.assessment import Assessment, Change
from domain.poverty.models import Category, Standard

MoneyFormatter = Callable[[int], str]

_VERDICTS: dict[Category, str] = {
    Category.POOR: N_("Your household may be a poor household."),
    Category.NEAR_POOR: N_("Your household may be a near-poor household."),
    Category.AVERAGE: N_("Your household may be a household with an average standard of "
                         "living."),
    Category.NOT_POOR: N_("Your household is not poor or near-poor."),
}

CATEGORY_NAMES: dict[Category, str] = {
    Category.POOR: N_("a poor household"),
    Category.NEAR_POOR: N_("a near-poor household"),
    Category.AVERAGE: N_("a household with an average standard of living"),
    Category.NOT_POOR: N_("not poor or near-poor"),
}

OFFICIAL = N_("This is a self-assessment, not an official decision: the People's Committee of "
              "your ward or commune (UBND phường/xã) decides through its household review.")


@dataclass(frozen=True, slots=True)
class Explanation:
    """The explanation in its parts, in reading order."""

    verdict: list[str]
    income: list[str]
    deprivations: list[str]
    rule: list[str]
    unknown: list[str]
    changes: list[str]
    caveats: list[str]
    next_steps: list[str]
    legal: list[str]

    @property
    def why(self) -> list[str]:
        return [*self.income, *self.deprivations, *self.rule, *self.unknown]

    def sentences(self) -> list[str]:
        return [*self.verdict, *self.why, *self.changes, *self.caveats, *self.next_steps,
                *self.legal]


def _money_formatter(fmt_money: MoneyFormatter | None) -> MoneyFormatter:
    return fmt_money if fmt_money is not None else format_money


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def explain(a: Assessment, t: Translator, fmt_money: MoneyFormatter | None = None) -> list[str]:
    """The result in plain sentences: category, why, what would change it, what to do next."""
    return explain_parts(a, t, fmt_money).sentences()


def explain_parts(
    a: Assessment, t: Translator, fmt_money: MoneyFormatter | None = None, *, short: bool = False
) -> Explanation:
    """The explanation in parts; `short` names the lacking indicators in one line (for chat)."""
    money = _money_formatter(fmt_money)
    _ = t.gettext
    verdict = [
        _(_VERDICTS[a.category]),
        _("This is under the {standard}.").format(standard=a.standard_name),
    ]
    return Explanation(
        verdict=verdict,
        income=_income_sentences(a, t, money),
        deprivations=_deprivation_sentences(a, t, short=short),
        rule=_rule_sentences(a, t),
        unknown=_unknown_sentences(a, t),
        changes=change_sentences(a.what_would_change, t, money),
        caveats=_caveat_sentences(a, t),
        next_steps=_next_step_sentences(a, t),
        legal=[_("Legal basis: {citations}.").format(
            citations="; ".join(c.citation for c in a.legal_basis))],
    )


def _income_sentences(a: Assessment, t: Translator, money: MoneyFormatter) -> list[str]:
    _ = t.gettext
    area = a.standard.income_lines.for_area(a.area).label
    if a.income_exact <= a.income_line:
        return [
            _("Income per person per month is {income}, at or below the line of {line} for "
              "{area} areas.").format(
                income=money(a.income_per_person), line=money(a.income_line), area=area
            )
        ]
    sentence = _(
        "Income per person per month is {income}, which is {gap} above the line of {line} for "
        "{area} areas."
    ).format(
        income=money(a.income_per_person),
        gap=money(-a.gap_to_line),
        line=money(a.income_line),
        area=area,
    )
    return [sentence]


def _deprivation_sentences(a: Assessment, t: Translator, *, short: bool) -> list[str]:
    _ = t.gettext
    total = len(a.standard.indicators)
    if a.deprivation_count == 0:
        lead = _("Your household lacks none of the {total} basic social service indicators.")
        sentences = [lead.format(total=total)]
    elif short:
        names = ", ".join(a.standard.indicator(k).name for k in a.deprived)
        sentences = [t.ngettext(
            "Your household lacks {count} of the {total} indicators: {names}.",
            "Your household lacks {count} of the {total} indicators: {names}.",
            a.deprivation_count,
        ).format(count=a.deprivation_count, total=total, names=names)]
    else:
        lead = t.ngettext(
            "Your household lacks {count} of the {total} basic social service indicators:",
            "Your household lacks {count} of the {total} basic social service indicators:",
            a.deprivation_count,
        )
        sentences = [lead.format(count=a.deprivation_count, total=total)]
        sentences += [f"- {a.standard.indicator(k).text('deprived_text')}" for k in a.deprived]
    return sentences


def _rule_sentences(a: Assessment, t: Translator) -> list[str]:
    _ = t.gettext
    sentences = []
    if a.income_exact <= a.income_line:
        rule = _("A household at or below the income line is poor when it lacks {threshold} or "
                 "more indicators, and near-poor when it lacks fewer.")
        sentences.append(rule.format(threshold=a.poor_threshold_count))
    elif a.deprivation_count:
        sentences.append(_("Because income is above the line, these shortfalls do not make the "
                           "household poor under this standard, but the ward may still help "
                           "with them."))
    return sentences


def _unknown_sentences(a: Assessment, t: Translator) -> list[str]:
    if not a.unknown:
        return []
    names = ", ".join(a.standard.indicator(k).name.lower() for k in a.unknown)
    sentences = [
        t.ngettext(
            "Not yet known, so not counted: {names}. Please check this with the ward office.",
            "Not yet known, so not counted: {names}. Please check these with the ward office.",
            len(a.unknown),
        ).format(names=names)
    ]
    if a.unknown_could_change:
        sentences.append(t.gettext("If these turn out to be shortfalls, your household could be "
                                   "a poor household instead."))
    return sentences


def change_sentences(
    changes: tuple[Change, ...], t: Translator, fmt_money: MoneyFormatter | None = None
) -> list[str]:
    """One sentence per change, from the change alone (its category, income and count)."""
    money = _money_formatter(fmt_money)
    return [_change_sentence(change, t, money) for change in changes]


def _change_sentence(change: Change, t: Translator, money: MoneyFormatter) -> str:
    _ = t.gettext
    name = _(CATEGORY_NAMES[change.target])
    count = change.more_deprivations
    if change.income_at_most is None:
        return t.ngettext(
            "It would be {category} if it lacked {count} more indicator.",
            "It would be {category} if it lacked {count} more indicators.",
            count,
        ).format(category=name, count=count)
    amount = money(change.income_at_most)
    if change.income_above is not None:
        return _("It would be {category} if income per person were above {low} and at most "
                 "{amount}.").format(category=name, low=money(change.income_above),
                                     amount=amount)
    if count == 0:
        sentence = _("It would be {category} if income per person were {amount} or less.")
        return sentence.format(category=name, amount=amount)
    return t.ngettext(
        "It would be {category} if income per person were {amount} or less and it "
        "lacked {count} more indicator.",
        "It would be {category} if income per person were {amount} or less and it "
        "lacked {count} more indicators.",
        count,
    ).format(category=name, amount=amount, count=count)


def unconfirmed_used(a: Assessment) -> bool:
    """Whether anything the result rests on is marked unconfirmed: an indicator asked (deprived
    or not, its threshold, its place in the list, its fact rule), the income line, or a
    category rule the result or a "what would change" sentence uses."""
    standard = a.standard
    if not standard.income_lines.for_area(a.area).confirmed:
        return True
    for indicator in standard.indicators:
        rule = indicator.fact_rule
        if not indicator.confirmed or not indicator.listed_confirmed or (
            rule is not None and not rule.confirmed
        ):
            return True
    used = {a.category, *(c.target for c in a.what_would_change)}
    if a.category == Category.NOT_POOR:  # "none of them" rests on every rule
        used |= {Category.POOR, Category.NEAR_POOR, Category.AVERAGE}
    rules = standard.categories
    confirmed = {
        Category.POOR: rules.poor.confirmed,
        Category.NEAR_POOR: rules.near_poor.confirmed,
    }
    if rules.average is not None:
        confirmed[Category.AVERAGE] = rules.average.confirmed and (
            a.category != Category.AVERAGE or rules.average.deprivation_condition_confirmed
        )
    return any(not confirmed.get(category, True) for category in used)


def _caveat_sentences(a: Assessment, t: Translator) -> list[str]:
    _ = t.gettext
    sentences: list[str] = []
    average = a.standard.categories.average
    if a.category == Category.AVERAGE and average and not average.deprivation_condition_confirmed:
        sentences.append(_("The sources give only an income band for this group; whether other "
                           "conditions apply is not confirmed."))
    if unconfirmed_used(a):
        sentences.append(_("Some indicators or rules used here are not yet confirmed against "
                           "the official text, so this result is only a guide."))
    return sentences


def _next_step_sentences(a: Assessment, t: Translator) -> list[str]:
    _ = t.gettext
    sentences = [_(OFFICIAL)]
    if a.category in (Category.POOR, Category.NEAR_POOR):
        sentences.append(_("If you think your household qualifies, you can ask the ward office "
                           "to review it."))
    elif a.category == Category.AVERAGE:
        # QĐ 24/2021/QĐ-TTg reviews this group only among farming, forestry, fishing and
        # salt-making households (facts.md §4.1).
        sentences.append(_("If your household lives from farming, forestry, fishing or "
                           "salt-making, you can ask the ward office to review it as a household "
                           "with an average standard of living (Quyết định 24/2021/QĐ-TTg). "
                           "Other households are not reviewed for this group; ask the ward "
                           "office which support still applies."))
    else:
        sentences.append(_("If your household's income falls or life gets harder, do this "
                           "self-assessment again or ask the ward office."))
    return sentences


def explain_other(
    other: Assessment, t: Translator, fmt_money: MoneyFormatter | None = None
) -> list[str]:
    """A few sentences on what the other standard (across the changeover) would say."""
    _ = t.gettext
    money = _money_formatter(fmt_money)
    standard = other.standard
    area = standard.income_lines.for_area(other.area).label
    if standard.effective_to is None:
        period = _("The {standard} applies from {start}: the line for {area} areas is {line} "
                   "per person per month.")
    else:
        period = _("The {standard} applies from {start} to {end}: the line for {area} areas is "
                   "{line} per person per month.")
    end = standard.effective_to
    sentences = [
        _capitalised(period.format(
            standard=standard.name_on(standard.effective_from),
            start=format_date(standard.effective_from),
            end=format_date(end) if end else "",
            area=area,
            line=money(other.income_line),
        )),
        _("Under that standard, your household would be: {category}.").format(
            category=_(CATEGORY_NAMES[other.category])
        ),
    ]
    if other.unknown:
        names = ", ".join(standard.indicator(k).name.lower() for k in other.unknown)
        sentences.append(t.ngettext(
            "Not asked or not known under that standard, so not counted: {names}.",
            "Not asked or not known under that standard, so not counted: {names}.",
            len(other.unknown),
        ).format(names=names))
    if other.unknown_could_change:
        sentences.append(_("If these turn out to be shortfalls, it could be a poor household "
                           "under that standard."))
    if unconfirmed_used(other):
        sentences.append(_("Some indicators or rules of that standard are not yet confirmed, so "
                           "this too is only a guide."))
    return sentences
