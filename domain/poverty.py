"""The multidimensional poverty standards and the household self-assessment.

Owns: the models of a standard (income lines per area, the deprivation indicators, the category
rules, the legal citations), their validation from an already-parsed YAML mapping
(`load_standards`), the choice of the standard in force on a date (`standard_for`), the pure
assessment (`assess`), its plain-language explanation (`explain`), and the JSON contract used by
the command line (`household_from_json`, `assessment_to_json`, `assess_json`).

No I/O here: callers read `domain/data/poverty_standards.yaml` and pass the parsed mapping in.
Every figure comes from the data file, where each carries its sources and a `confirmed` flag.

Rules (facts.md §1.5, §3): a household is poor when its income per person per month is at or below
the line AND at least `poor_threshold_count` indicators are deprived; near-poor when at or below
the line with fewer; "average" (2022-2025 only) when above the line up to the band's upper bound;
otherwise not poor. Income per person is rounded down to whole đồng before comparing, so the
figure shown is the figure compared.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
)

from domain.formatting import format_date, format_money
from domain.i18n import N_, Translator

MoneyFormatter = Callable[[int], str]

# The window around the 1/1/2027 changeover in which a result also shows what the other standard
# would say: a quarter before (the annual review runs 1/9-14/12, households ask ahead) and a
# quarter after (results under the old standard are still being announced and appealed).
CHANGEOVER_WINDOW: tuple[date, date] = (date(2026, 10, 1), date(2027, 3, 31))


class Area(StrEnum):
    RURAL = "rural"
    URBAN = "urban"


class Category(StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    AVERAGE = "average"
    NOT_POOR = "not_poor"


class DataError(ValueError):
    """The standards data is invalid; the message is one line naming file, entry and field."""


class InputError(ValueError):
    """Bad household input; `field` names the offending field (dotted for nested ones)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NoStandardError(LookupError):
    """No standard in the data covers the requested date."""


# --- models of the data file -------------------------------------------------------------------

Sources = tuple[str, ...]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalCitation(_Data):
    citation: str = Field(min_length=1)
    sources: Sources = Field(min_length=1)


class IncomeLine(_Data):
    amount: StrictInt = Field(gt=0)
    label: str = Field(min_length=1)
    confirmed: StrictBool
    sources: Sources = Field(min_length=1)


class IncomeLines(_Data):
    rural: IncomeLine
    urban: IncomeLine

    def for_area(self, area: Area) -> IncomeLine:
        return self.rural if area == Area.RURAL else self.urban


class AreaAmounts(_Data):
    rural: StrictInt = Field(gt=0)
    urban: StrictInt = Field(gt=0)

    def for_area(self, area: Area) -> int:
        return self.rural if area == Area.RURAL else self.urban


class CategoryRule(_Data):
    name: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    confirmed: StrictBool
    sources: Sources = Field(min_length=1)
    note: str = ""


class AverageRule(CategoryRule):
    upper: AreaAmounts
    deprivation_condition_confirmed: StrictBool


class Categories(_Data):
    poor: CategoryRule
    near_poor: CategoryRule
    average: AverageRule | None = None


class FactRule(_Data):
    """Turns a number the household knows into a deprivation: ratio = fact / members."""

    fact: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str = Field(min_length=1)
    deprived_when: Literal["below", "above"]
    value: StrictInt | StrictFloat = Field(gt=0)
    unit: str = Field(min_length=1)
    confirmed: StrictBool
    sources: Sources = Field(min_length=1)

    def is_deprived(self, amount: float, members: int) -> bool:
        """Whether `amount` (e.g. floor area, dependants) per member crosses the threshold."""
        if members < 1:
            raise ValueError("members must be at least 1")
        if amount < 0:
            raise ValueError("a fact cannot be negative")
        # Exact arithmetic: 32 m² for 4 people is exactly 8, not 7.999….
        per_member = Fraction(str(amount)) / members
        limit = Fraction(str(self.value))
        return per_member < limit if self.deprived_when == "below" else per_member > limit

    @property
    def placeholders(self) -> dict[str, str]:
        value = Fraction(str(self.value))
        shown = str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
        percent = f"{float(value * 100):g}%"
        return {"value": shown.replace(".", ","), "percent": percent.replace(".", ",")}


class Indicator(_Data):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    service: str = Field(min_length=1)
    name: str = Field(min_length=1)
    question: str = Field(min_length=1)
    deprived_when_answer: Literal["yes", "no"]
    help: str = Field(min_length=1)
    allows_unknown: StrictBool
    threshold: str = Field(min_length=1)
    deprived_text: str = Field(min_length=1)
    confirmed: StrictBool
    listed_confirmed: StrictBool
    sources: Sources = Field(min_length=1)
    fact_rule: FactRule | None = None

    def text(self, which: Literal["question", "help", "deprived_text", "threshold"]) -> str:
        """A text field with {value}/{percent} filled from the fact rule's threshold."""
        raw: str = getattr(self, which)
        if self.fact_rule is None:
            return raw
        return raw.format(**self.fact_rule.placeholders)


class Standard(_Data):
    id: str = Field(pattern=r"^\d{4}-\d{4}$")
    title: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    effective_sources: Sources = Field(min_length=1)
    legal_basis: tuple[LegalCitation, ...] = Field(min_length=1)
    income_lines: IncomeLines
    poor_threshold_count: StrictInt = Field(ge=1)
    categories: Categories
    unconfirmed: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.indicators)

    def indicator(self, key: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(key)

    def fact_rules(self) -> dict[str, tuple[Indicator, FactRule]]:
        """Fact name → (indicator it decides, rule)."""
        return {i.fact_rule.fact: (i, i.fact_rule) for i in self.indicators if i.fact_rule}

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class _File(_Data):
    version: Literal[1]
    standards: tuple[Standard, ...] = Field(min_length=1)


# --- loading and validation --------------------------------------------------------------------


def load_standards(raw: Any, source_name: str) -> tuple[Standard, ...]:
    """Validate a parsed poverty_standards.yaml mapping; DataError names file, entry and field."""
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        raise DataError(f"{source_name}: {_first_error(exc)}") from None
    for index, standard in enumerate(parsed.standards):
        _check_standard(standard, f"{source_name}: standards[{index}]")
    _check_no_overlap(parsed.standards, source_name)
    return tuple(sorted(parsed.standards, key=lambda s: s.effective_from))


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
    message = str(first["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{path or '(top level)'}: {message}{more}"


def _check_standard(standard: Standard, where: str) -> None:
    if standard.effective_to is not None and standard.effective_to < standard.effective_from:
        raise DataError(f"{where}.effective_to: before effective_from")
    seen: set[str] = set()
    facts: set[str] = set()
    for index, indicator in enumerate(standard.indicators):
        entry = f"{where}.indicators[{index}]"
        if indicator.key in seen:
            raise DataError(f"{entry}.key: duplicate indicator {indicator.key!r}")
        seen.add(indicator.key)
        if indicator.fact_rule is not None:
            if indicator.fact_rule.fact in facts:
                fact = indicator.fact_rule.fact
                raise DataError(f"{entry}.fact_rule.fact: duplicate fact {fact!r}")
            facts.add(indicator.fact_rule.fact)
        _check_placeholders(indicator, entry)
    if standard.poor_threshold_count > len(standard.indicators):
        raise DataError(
            f"{where}.poor_threshold_count: {standard.poor_threshold_count} is more than the "
            f"{len(standard.indicators)} indicators"
        )
    average = standard.categories.average
    if average is not None:
        for area in Area:
            if average.upper.for_area(area) <= standard.income_lines.for_area(area).amount:
                raise DataError(
                    f"{where}.categories.average.upper.{area}: must be above the income line"
                )


def _check_placeholders(indicator: Indicator, entry: str) -> None:
    allowed = {"value", "percent"} if indicator.fact_rule else set()
    for name in ("question", "help", "deprived_text", "threshold"):
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(getattr(indicator, name)) if f}
        except ValueError as exc:
            raise DataError(f"{entry}.{name}: {exc}") from None
        unknown = used - allowed
        if unknown:
            raise DataError(f"{entry}.{name}: unknown placeholder {{{sorted(unknown)[0]}}}")


def _check_no_overlap(standards: Iterable[Standard], source_name: str) -> None:
    ordered = sorted(enumerate(standards), key=lambda pair: pair[1].effective_from)
    ids: set[str] = set()
    for position, (index, standard) in enumerate(ordered):
        if standard.id in ids:
            raise DataError(f"{source_name}: standards[{index}].id: duplicate {standard.id!r}")
        ids.add(standard.id)
        if position == 0:
            continue
        previous = ordered[position - 1][1]
        if previous.effective_to is None or previous.effective_to >= standard.effective_from:
            raise DataError(
                f"{source_name}: standards[{index}].effective_from: overlaps standard "
                f"{previous.id!r}"
            )


# --- choosing a standard -----------------------------------------------------------------------


def standard_for(standards: Iterable[Standard], on: date) -> Standard:
    """The standard in force on `on`; NoStandardError when none covers that date."""
    for standard in standards:
        if standard.in_force(on):
            return standard
    raise NoStandardError(f"no poverty standard in the data covers {on.isoformat()}")


def standard_by_id(standards: Iterable[Standard], standard_id: str) -> Standard:
    for standard in standards:
        if standard.id == standard_id:
            return standard
    raise KeyError(standard_id)


def other_standard(standards: Iterable[Standard], current: Standard) -> Standard | None:
    """The standard across the nearest changeover: the next one, else the previous one."""
    ordered = sorted(standards, key=lambda s: s.effective_from)
    ids = [s.id for s in ordered]
    position = ids.index(current.id)
    if position + 1 < len(ordered):
        return ordered[position + 1]
    return ordered[position - 1] if position > 0 else None


def changeover_note_needed(on: date) -> bool:
    """True from 1/10/2026 to 31/3/2027: show the other standard's result as well."""
    start, end = CHANGEOVER_WINDOW
    return start <= on <= end


# --- the assessment ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Household:
    """What the household told us. A key in neither set means "not deprived"."""

    area: Area
    members: int
    monthly_income: int
    deprived: frozenset[str] = frozenset()
    unknown: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.members < 1:
            raise ValueError("members must be at least 1")
        if self.monthly_income < 0:
            raise ValueError("monthly_income cannot be negative")
        both = self.deprived & self.unknown
        if both:
            raise ValueError(f"indicator {sorted(both)[0]!r} is both deprived and unknown")

    @property
    def income_per_person(self) -> int:
        return self.monthly_income // self.members


@dataclass(frozen=True, slots=True)
class Change:
    """What would place the household in `target`: income per person at most `income_at_most`
    (None: income already qualifies) and `more_deprivations` further deprived indicators."""

    target: Category
    income_at_most: int | None
    more_deprivations: int


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of `assess`; `standard` is kept so the result can explain itself."""

    standard: Standard = field(repr=False)
    area: Area
    category: Category
    income_per_person: int
    income_line: int
    average_line: int | None
    deprived: tuple[str, ...]
    unknown: tuple[str, ...]
    deprivation_count: int
    poor_threshold_count: int
    gap_to_line: int
    what_would_change: tuple[Change, ...]
    unknown_could_change: bool
    legal_basis: tuple[LegalCitation, ...]

    @property
    def standard_id(self) -> str:
        return self.standard.id


def assess(household: Household, standard: Standard) -> Assessment:
    """Classify the household under `standard` (no I/O, no clock)."""
    keys = standard.keys
    foreign = (household.deprived | household.unknown) - set(keys)
    if foreign:
        raise ValueError(f"standard {standard.id} has no indicator {sorted(foreign)[0]!r}")
    line = standard.income_lines.for_area(household.area).amount
    average = standard.categories.average
    average_line = average.upper.for_area(household.area) if average else None
    income = household.income_per_person
    deprived = tuple(k for k in keys if k in household.deprived)
    unknown = tuple(k for k in keys if k in household.unknown)
    threshold = standard.poor_threshold_count
    category = _category(income, line, average_line, len(deprived), threshold)
    return Assessment(
        standard=standard,
        area=household.area,
        category=category,
        income_per_person=income,
        income_line=line,
        average_line=average_line,
        deprived=deprived,
        unknown=unknown,
        deprivation_count=len(deprived),
        poor_threshold_count=threshold,
        gap_to_line=line - income,
        what_would_change=_changes(category, line, average_line, len(deprived), threshold),
        unknown_could_change=(
            category == Category.NEAR_POOR and len(deprived) + len(unknown) >= threshold
        ),
        legal_basis=standard.legal_basis,
    )


def _category(
    income: int, line: int, average_line: int | None, count: int, threshold: int
) -> Category:
    if income <= line:
        return Category.POOR if count >= threshold else Category.NEAR_POOR
    if average_line is not None and income <= average_line:
        return Category.AVERAGE
    return Category.NOT_POOR


def _changes(
    category: Category, line: int, average_line: int | None, count: int, threshold: int
) -> tuple[Change, ...]:
    missing = max(0, threshold - count)
    if category == Category.POOR:
        return ()
    if category == Category.NEAR_POOR:
        return (Change(Category.POOR, None, missing),)
    changes = [Change(Category.NEAR_POOR, line, 0), Change(Category.POOR, line, missing)]
    if category == Category.NOT_POOR and average_line is not None:
        changes.insert(0, Change(Category.AVERAGE, average_line, 0))
    return tuple(changes)


def translate_household(household: Household, source: Standard, target: Standard) -> Household:
    """The same household under another standard's indicator list.

    Answers to indicators the target lacks are dropped; indicators the household was never asked
    (the target has them, the source does not) become unknown rather than "not deprived".
    """
    target_keys = set(target.keys)
    never_asked = target_keys - set(source.keys)
    return Household(
        area=household.area,
        members=household.members,
        monthly_income=household.monthly_income,
        deprived=frozenset(household.deprived & target_keys),
        unknown=frozenset((household.unknown & target_keys) | never_asked),
    )


# --- explanation -------------------------------------------------------------------------------

_CATEGORY_SENTENCES: dict[Category, str] = {
    Category.POOR: N_("Under the {standard} poverty standard, your household may be a poor "
                      "household."),
    Category.NEAR_POOR: N_("Under the {standard} poverty standard, your household may be a "
                           "near-poor household."),
    Category.AVERAGE: N_("Under the {standard} poverty standard, your household may be a "
                         "household with an average standard of living."),
    Category.NOT_POOR: N_("Under the {standard} poverty standard, your household is not poor "
                          "or near-poor."),
}

_CATEGORY_NAMES: dict[Category, str] = {
    Category.POOR: N_("a poor household"),
    Category.NEAR_POOR: N_("a near-poor household"),
    Category.AVERAGE: N_("a household with an average standard of living"),
    Category.NOT_POOR: N_("not poor or near-poor"),
}


def _money_formatter(fmt_money: MoneyFormatter | None) -> MoneyFormatter:
    return fmt_money if fmt_money is not None else format_money


def explain(a: Assessment, t: Translator, fmt_money: MoneyFormatter | None = None) -> list[str]:
    """The result in plain sentences: category, why, what would change it, what to do next."""
    money = _money_formatter(fmt_money)
    sentences = [t.gettext(_CATEGORY_SENTENCES[a.category]).format(standard=a.standard_id)]
    sentences += _income_sentences(a, t, money)
    sentences += _deprivation_sentences(a, t)
    sentences += _unknown_sentences(a, t)
    sentences += _change_sentences(a, t, money)
    sentences += _caveat_sentences(a, t)
    sentences += _next_step_sentences(a, t)
    return sentences


def _income_sentences(a: Assessment, t: Translator, money: MoneyFormatter) -> list[str]:
    _ = t.gettext
    area = a.standard.income_lines.for_area(a.area).label
    if a.income_per_person <= a.income_line:
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


def _deprivation_sentences(a: Assessment, t: Translator) -> list[str]:
    _ = t.gettext
    total = len(a.standard.indicators)
    if a.deprivation_count == 0:
        lead = _("Your household lacks none of the {total} basic social service indicators.")
        sentences = [lead.format(total=total)]
    else:
        lead = t.ngettext(
            "Your household lacks {count} of the {total} basic social service indicators:",
            "Your household lacks {count} of the {total} basic social service indicators:",
            a.deprivation_count,
        )
        sentences = [lead.format(count=a.deprivation_count, total=total)]
        sentences += [f"- {a.standard.indicator(k).text('deprived_text')}" for k in a.deprived]
    if a.income_per_person <= a.income_line:
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


def _change_sentences(a: Assessment, t: Translator, money: MoneyFormatter) -> list[str]:
    _ = t.gettext
    sentences: list[str] = []
    for change in a.what_would_change:
        name = _(_CATEGORY_NAMES[change.target])
        if change.income_at_most is None:
            sentence = t.ngettext(
                "It would be {category} if it lacked {count} more indicator.",
                "It would be {category} if it lacked {count} more indicators.",
                change.more_deprivations,
            ).format(category=name, count=change.more_deprivations)
        elif change.more_deprivations == 0:
            sentence = _("It would be {category} if income per person were {amount} or less.")
            sentence = sentence.format(category=name, amount=money(change.income_at_most))
        else:
            sentence = t.ngettext(
                "It would be {category} if income per person were {amount} or less and it "
                "lacked {count} more indicator.",
                "It would be {category} if income per person were {amount} or less and it "
                "lacked {count} more indicators.",
                change.more_deprivations,
            ).format(
                category=name, amount=money(change.income_at_most), count=change.more_deprivations
            )
        sentences.append(sentence)
    return sentences


def _caveat_sentences(a: Assessment, t: Translator) -> list[str]:
    _ = t.gettext
    sentences: list[str] = []
    average = a.standard.categories.average
    if a.category == Category.AVERAGE and average and not average.deprivation_condition_confirmed:
        sentences.append(_("The sources give only an income band for this group; whether other "
                           "conditions apply is not confirmed."))
    counted = [a.standard.indicator(k) for k in a.deprived]
    if any(not i.confirmed or not i.listed_confirmed for i in counted):
        sentences.append(_("Some indicator thresholds are not yet confirmed against the official "
                           "text, so treat this result as a guide."))
    return sentences


def _next_step_sentences(a: Assessment, t: Translator) -> list[str]:
    _ = t.gettext
    citations = "; ".join(c.citation for c in a.legal_basis)
    sentences = [
        _("This is a self-assessment, not an official decision: the People's Committee of your "
          "ward or commune (UBND phường/xã) decides through its household review."),
    ]
    if a.category != Category.NOT_POOR:
        sentences.append(_("If you think your household qualifies, you can ask the ward office "
                           "to review it."))
    sentences.append(_("Legal basis: {citations}.").format(citations=citations))
    return sentences


def explain_other(
    other: Assessment, t: Translator, fmt_money: MoneyFormatter | None = None
) -> list[str]:
    """Two sentences on what the other standard (across the changeover) would say."""
    _ = t.gettext
    money = _money_formatter(fmt_money)
    standard = other.standard
    area = standard.income_lines.for_area(other.area).label
    if standard.effective_to is None:
        period = _("The {standard} standard applies from {start}: the line for {area} areas is "
                   "{line} per person per month.")
    else:
        period = _("The {standard} standard applies from {start} to {end}: the line for {area} "
                   "areas is {line} per person per month.")
    end = standard.effective_to
    sentences = [
        period.format(
            standard=standard.id,
            start=format_date(standard.effective_from),
            end=format_date(end) if end else "",
            area=area,
            line=money(other.income_line),
        ),
        _("Under that standard, your household would be: {category}.").format(
            category=_(_CATEGORY_NAMES[other.category])
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
    return sentences


# --- the JSON contract (used by the command line) ----------------------------------------------

_FIELDS = frozenset(
    {"date", "standard", "area", "members", "monthly_income", "annual_income", "deprived", "facts"}
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def household_from_json(
    obj: Any, standards: Iterable[Standard], today: date
) -> tuple[Household, Standard]:
    """Validate the CLI input; InputError(field, message) names the first bad field.

    Returns the household and the standard to use: the one asked for in "standard", else the
    one in force on "date" (which defaults to `today`).
    """
    standards = tuple(standards)
    if not isinstance(obj, Mapping):
        raise InputError("input", "must be a JSON object")
    for key in obj:
        if key not in _FIELDS:
            raise InputError(str(key), "unknown field")
    on = _parse_date(obj.get("date"), today)
    standard = _pick_standard(obj.get("standard"), standards, on)
    area = _parse_area(obj)
    members = _int(obj, "members", minimum=1)
    monthly_income = _income(obj)
    deprived = _parse_deprived(obj, standard)
    deprived.update(_parse_facts(obj.get("facts"), standard, members, deprived))
    household = Household(
        area=area,
        members=members,
        monthly_income=monthly_income,
        deprived=frozenset(k for k, v in deprived.items() if v),
    )
    return household, standard


def input_date(obj: Mapping[str, Any], today: date) -> date:
    """The assessment date of a CLI input: its "date", else `today`."""
    return _parse_date(obj.get("date"), today)


def _parse_date(value: Any, today: date) -> date:
    if value is None:
        return today
    if not isinstance(value, str) or not _DATE.match(value):
        raise InputError("date", "must be a date like 2026-05-31")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("date", "is not a real date") from None


def _pick_standard(value: Any, standards: tuple[Standard, ...], on: date) -> Standard:
    if value is None:
        try:
            return standard_for(standards, on)
        except NoStandardError:
            raise InputError("date", f"no poverty standard covers {on.isoformat()}") from None
    known = [s.id for s in standards]
    if not isinstance(value, str) or value not in known:
        raise InputError("standard", f"unknown standard; use one of {', '.join(known)}")
    return standard_by_id(standards, value)


def _parse_area(obj: Mapping[str, Any]) -> Area:
    if "area" not in obj:
        raise InputError("area", "missing field")
    value = obj["area"]
    if value not in ("rural", "urban"):
        raise InputError("area", 'must be "rural" or "urban"')
    return Area(value)


def _int(obj: Mapping[str, Any], name: str, minimum: int) -> int:
    if name not in obj:
        raise InputError(name, "missing field")
    value = obj[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(name, "must be a whole number")
    if value < minimum:
        raise InputError(name, f"must be at least {minimum}")
    return value


def _income(obj: Mapping[str, Any]) -> int:
    has_monthly, has_annual = "monthly_income" in obj, "annual_income" in obj
    if has_monthly and has_annual:
        raise InputError("annual_income", "give monthly_income or annual_income, not both")
    if not has_monthly and not has_annual:
        raise InputError("monthly_income", "missing field (or give annual_income)")
    if has_monthly:
        return _int(obj, "monthly_income", minimum=0)
    # Whole-household annual income to monthly; floor(floor(y/12)/m) == floor(y/(12m)), so
    # rounding here does not change income per person.
    return _int(obj, "annual_income", minimum=0) // 12


def _parse_deprived(obj: Mapping[str, Any], standard: Standard) -> dict[str, bool]:
    if "deprived" not in obj:
        raise InputError("deprived", "missing field (use {} when nothing is deprived)")
    value = obj["deprived"]
    if not isinstance(value, Mapping):
        raise InputError("deprived", "must be an object of indicator: true/false")
    keys = set(standard.keys)
    result: dict[str, bool] = {}
    for key, flag in value.items():
        if key not in keys:
            raise InputError(f"deprived.{key}", f"standard {standard.id} has no such indicator")
        if not isinstance(flag, bool):
            raise InputError(f"deprived.{key}", "must be true or false")
        result[key] = flag
    return result


def _parse_facts(
    value: Any, standard: Standard, members: int, deprived: Mapping[str, bool]
) -> dict[str, bool]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError("facts", "must be an object")
    rules = standard.fact_rules()
    result: dict[str, bool] = {}
    for name, amount in value.items():
        where = f"facts.{name}"
        if name not in rules:
            raise InputError(where, f"unknown fact; use one of {', '.join(sorted(rules))}")
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise InputError(where, "must be a number")
        if amount < 0:
            raise InputError(where, "cannot be negative")
        if name == "dependents" and (not isinstance(amount, int) or amount > members):
            raise InputError(where, "must be a whole number no larger than members")
        indicator, rule = rules[name]
        verdict = rule.is_deprived(amount, members)
        if indicator.key in deprived and deprived[indicator.key] != verdict:
            raise InputError(f"deprived.{indicator.key}", f"contradicts {where}")
        result[indicator.key] = verdict
    return result


def assessment_to_json(
    a: Assessment,
    t: Translator,
    fmt_money: MoneyFormatter | None = None,
    other: Assessment | None = None,
) -> dict[str, Any]:
    """Exactly the CLI output keys; `other`'s sentences are appended to the explanation."""
    explanation = explain(a, t, fmt_money)
    if other is not None:
        explanation += explain_other(other, t, fmt_money)
    return {
        "standard": a.standard_id,
        "category": a.category.value,
        "income_per_person": a.income_per_person,
        "income_line": a.income_line,
        "deprived": list(a.deprived),
        "deprivation_count": a.deprivation_count,
        "legal_basis": [
            {"citation": c.citation, "sources": list(c.sources)} for c in a.legal_basis
        ],
        "explanation": explanation,
    }


def assess_json(
    obj: Any,
    standards: Iterable[Standard],
    today: date,
    t: Translator,
    fmt_money: MoneyFormatter | None = None,
) -> dict[str, Any]:
    """The whole CLI pipeline, pure: input mapping → output mapping (or InputError)."""
    standards = tuple(standards)
    household, standard = household_from_json(obj, standards, today)
    on = input_date(obj, today)
    result = assess(household, standard)
    other_result = None
    if changeover_note_needed(on):
        other = other_standard(standards, standard)
        if other is not None:
            other_result = assess(translate_household(household, standard, other), other)
    return assessment_to_json(result, t, fmt_money, other_result)
