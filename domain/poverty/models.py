"""The models of a poverty standard as the data file describes it, and the domain errors.

Owns: the income lines per area, the deprivation indicators (their questions, help and the
fact rules that turn a number the household knows into a deprivation), the category rules,
the legal citations and the names people know a standard by in a given year. Validation of a
whole file lives in `domain.poverty.loading`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt


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
    """One deprivation indicator. Every question is asked so that "Có" (yes) means the household
    lacks it and "Không" (no) means no difficulty: a household that answers "không" to every
    question is never counted as deprived (`deprived_when_answer` may only be "yes")."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    service: str = Field(min_length=1)
    name: str = Field(min_length=1)
    question: str = Field(min_length=1)
    deprived_when_answer: Literal["yes"] = "yes"
    # The "Có" button restated where the question is a lack ("Có, nhà tôi thiếu nước sạch");
    # empty: plain "Có".
    yes_label: str = ""
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


class StandardName(_Data):
    """What people call the standard from `since` on (e.g. the 2022-2025 standard in 2026)."""

    since: date
    name: str = Field(min_length=1)


class Standard(_Data):
    id: str = Field(pattern=r"^\d{4}-\d{4}$")
    title: str = Field(min_length=1)
    names: tuple[StandardName, ...] = ()
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

    def name_on(self, on: date | None) -> str:
        """The standard as people know it on `on` (its first day when `on` is earlier or None):
        the latest `names` entry that has begun, else the title."""
        day = max(on or self.effective_from, self.effective_from)
        begun = [n for n in self.names if n.since <= day]
        return max(begun, key=lambda n: n.since).name if begun else self.title

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class _File(_Data):
    version: Literal[1]
    standards: tuple[Standard, ...] = Field(min_length=1)
