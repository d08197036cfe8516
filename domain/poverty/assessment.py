"""The pure self-assessment: a household's answers → its category under one standard.

Rules (facts.md §1.5, §3): a household is poor when its income per person per month is at or
below the line AND at least `poor_threshold_count` indicators are deprived; near-poor when at or
below the line with fewer; "average" (2022-2025 only) when above the line up to the band's upper
bound; otherwise not poor.

Income per person is compared exactly (a Fraction: 4.500.002 đ for 3 people is above
1.500.000 đ); the whole-đồng figure shown is rounded towards the side of the line the household
is on, so the figure shown never contradicts the comparison.

`what_would_change` lists what would place the household in another category; every entry is
a witness (the income, the indicators) that, applied to the household, gives exactly that
category. The explanation and the CLI's `changes` are both rendered from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from domain.poverty.models import Area, Category, LegalCitation, Standard


@dataclass(frozen=True, slots=True)
class Household:
    """What the household told us. A key in neither set means "not deprived".

    `monthly_income` is the whole household's income per month; a Fraction when it came from a
    yearly figure (54.000.005 đ a year is 4.500.000,41… đ a month, not 4.500.000 đ).
    """

    area: Area
    members: int
    monthly_income: int | Fraction
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
    def income_per_person(self) -> Fraction:
        """Exact income per person per month."""
        return Fraction(self.monthly_income) / self.members


@dataclass(frozen=True, slots=True)
class Change:
    """What would place the household in `target`: income per person per month above
    `income_above` (None: no lower bound) and at most `income_at_most` (None: income as it is),
    and the indicators `add_deprived` lacking as well."""

    target: Category
    income_at_most: int | None
    add_deprived: tuple[str, ...] = ()
    income_above: int | None = None

    @property
    def more_deprivations(self) -> int:
        return len(self.add_deprived)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of `assess`; `standard` is kept so the result can explain itself."""

    standard: Standard = field(repr=False)
    area: Area
    category: Category
    income_per_person: int  # rounded for display, see the module docstring
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
    members: int = 1
    income_exact: Fraction = Fraction(0)
    on: date | None = None

    @property
    def standard_id(self) -> str:
        return self.standard.id

    @property
    def standard_name(self) -> str:
        """The standard as people know it on the assessment's date."""
        return self.standard.name_on(self.on)


def shown_income(exact: Fraction, line: int) -> int:
    """Whole đồng for display: down when at or below the line, up when above it."""
    return math.floor(exact) if exact <= line else math.ceil(exact)


def assess(household: Household, standard: Standard, on: date | None = None) -> Assessment:
    """Classify the household under `standard` (no I/O, no clock; `on` only names it)."""
    keys = standard.keys
    foreign = (household.deprived | household.unknown) - set(keys)
    if foreign:
        raise ValueError(f"standard {standard.id} has no indicator {sorted(foreign)[0]!r}")
    line = standard.income_lines.for_area(household.area).amount
    average = standard.categories.average
    average_line = average.upper.for_area(household.area) if average else None
    exact = household.income_per_person
    deprived = tuple(k for k in keys if k in household.deprived)
    unknown = tuple(k for k in keys if k in household.unknown)
    threshold = standard.poor_threshold_count
    category = category_of(exact, line, average_line, len(deprived), threshold)
    shown = shown_income(exact, line)
    return Assessment(
        standard=standard,
        area=household.area,
        category=category,
        income_per_person=shown,
        income_line=line,
        average_line=average_line,
        deprived=deprived,
        unknown=unknown,
        deprivation_count=len(deprived),
        poor_threshold_count=threshold,
        gap_to_line=line - shown,
        what_would_change=_changes(household, standard, category, line, average_line),
        unknown_could_change=(
            category == Category.NEAR_POOR and len(deprived) + len(unknown) >= threshold
        ),
        legal_basis=standard.legal_basis,
        members=household.members,
        income_exact=exact,
        on=on,
    )


def category_of(
    income: Fraction | int, line: int, average_line: int | None, count: int, threshold: int
) -> Category:
    if income <= line:
        return Category.POOR if count >= threshold else Category.NEAR_POOR
    if average_line is not None and income <= average_line:
        return Category.AVERAGE
    return Category.NOT_POOR


def _changes(
    household: Household,
    standard: Standard,
    category: Category,
    line: int,
    average_line: int | None,
) -> tuple[Change, ...]:
    """Each other category the household could reach by less income or more deprivations,
    with one witness; a category reachable only through another condition is listed once."""
    threshold = standard.poor_threshold_count
    count = len(household.deprived)
    add = _more_deprived(household, standard, max(0, threshold - count))
    if category == Category.POOR:
        return ()
    if category == Category.NEAR_POOR:
        return (Change(Category.POOR, None, add),)
    changes: list[Change] = []
    if category == Category.NOT_POOR and average_line is not None:
        changes.append(Change(Category.AVERAGE, average_line, income_above=line))
    if count >= threshold:
        # At or below the line this household is poor, never near-poor (issue 13).
        changes.append(Change(Category.POOR, line))
    else:
        changes.append(Change(Category.NEAR_POOR, line))
        changes.append(Change(Category.POOR, line, add))
    return tuple(changes)


def _more_deprived(household: Household, standard: Standard, n: int) -> tuple[str, ...]:
    """`n` indicators not yet deprived, in the data's order: answered ones without a fact rule
    first (a fact such as the floor area decides its own indicator), then unknown ones, then
    the rest."""
    free = [k for k in standard.keys if k not in household.deprived]

    def rank(key: str) -> int:
        has_fact = standard.indicator(key).fact_rule is not None
        return (2 if has_fact else 0) + (1 if key in household.unknown else 0)

    return tuple(sorted(free, key=lambda k: (rank(k), standard.keys.index(k)))[:n])


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
