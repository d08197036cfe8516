"""The support-policy catalogue: its data model, start-up validation and household views.

Owns the shape of `domain/data/policies.yaml` (one entry per policy: who qualifies, what they get
with dates and sources, how to apply, legal basis, validity dates, review date, confirmed flag),
`load_catalogue`, which turns the parsed YAML into a `Catalogue` or raises `CatalogueError` with
one line per problem ("policies.yaml: policies[3] (id=vay-ho-ngheo).effective_from: invalid date"),
and the views the dialogs need: what is in force on a date, what has expired (for admins), entries
by category, and "what can my household get".

Ordering of the personal view: `priority` (1-100, set by officials in the data, higher first),
then title. Search in households' own words lives in `domain.policy_search`.

Pure: no file I/O (the caller reads the YAML), nothing built at import time. Over 400 lines on
purpose: an entry's fields, the rules across them and the views that read them are changed
together when officials add a field, so they stay in one file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from domain.folding import fold

__all__ = [
    "HOUSEHOLD_CATEGORIES",
    "MAX_CATEGORY_LENGTH",
    "MAX_ID_LENGTH",
    "Application",
    "Benefit",
    "Catalogue",
    "CatalogueError",
    "Eligibility",
    "Policy",
    "SearchSettings",
    "load_catalogue",
]

HOUSEHOLD_CATEGORIES: tuple[str, ...] = (
    "poor",
    "near_poor",
    "newly_escaped",
    "average",
    "not_poor",
)
HouseholdCategory = Literal["poor", "near_poor", "newly_escaped", "average", "not_poor"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A button carries an entry's id or a category's (64 bytes in all, conversations.policy_buttons).
MAX_ID_LENGTH = 40
MAX_CATEGORY_LENGTH = 32
# What an unconfirmed item must say, after folding, so the household is never shown a guess.
_UNCONFIRMED_MARK = "chua xac nhan"


class CatalogueError(ValueError):
    """The catalogue data is broken; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- field types ---------------------------------------------------------------------------------


def _iso_date(value: Any) -> Any:
    """Accept a YAML date or an ISO "YYYY-MM-DD" string; refuse numbers and datetimes.

    pydantic alone would read 2025 as a Unix timestamp, which hides a typo in the data.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError("invalid_date", "invalid date")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("must be lower-case words joined by '-', e.g. vay-ho-ngheo")
    return value


def _source(value: str) -> str:
    """A source is a web address or a named document ("doc: Kế hoạch … 2023")."""
    if value.startswith(("https://", "http://")) and " " not in value and len(value) > 12:
        return value
    if value.startswith("doc:") and value[4:].strip():
        return value
    raise ValueError("must be a web address (http…) or 'doc: <document name>'")


def _optional_iso_date(value: Any) -> Any:
    return None if value is None else _iso_date(value)


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
# The validator wraps the whole union so errors name the field, not a union branch.
OptionalIsoDate = Annotated[date | None, BeforeValidator(_optional_iso_date)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_slug)]
Source = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_source)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the entry -----------------------------------------------------------------------------------


class Benefit(_Model):
    """One thing a household gets: an amount, rate or limit, with its date and source.

    `as_of` is the date the source gives for the figure taking effect, with that sentence of the
    source quoted in `as_of_quote`; no such sentence, no date (the bot then says "ngày áp dụng:
    chưa xác nhận"). `confirmed: false` items say "chưa xác nhận" and whom to ask instead of
    stating a number as fact.
    """

    label: Text
    value: Text
    as_of: OptionalIsoDate = None
    as_of_quote: Text | None = None
    source: Source | None = None
    confirmed: bool


class Eligibility(_Model):
    """Who qualifies: household categories, plus other conditions in plain words."""

    household_categories: list[HouseholdCategory] = Field(min_length=1)
    conditions: list[Text] = Field(default_factory=list)


class Application(_Model):
    """How to apply: where to go, which papers to bring, whom to contact."""

    where: Text
    papers: list[Text] = Field(min_length=1)
    contact: Text


class Policy(_Model):
    """One support policy, as officials write it in the catalogue."""

    id: Slug
    title: Text
    category: Slug
    priority: int = Field(ge=1, le=100)
    summary: Text
    eligibility: Eligibility
    benefits: list[Benefit] = Field(min_length=1)
    apply: Application
    legal_basis: list[Text] = Field(min_length=1)
    # Required but may be null: null means "in force, start date not in our sources". A date is
    # the one the source gives for the rule taking effect, quoted in `effective_from_quote`.
    effective_from: OptionalIsoDate
    effective_from_quote: Text | None = None
    effective_to: OptionalIsoDate
    sources: list[Source] = Field(min_length=1)
    last_reviewed: IsoDate
    confirmed: bool
    note: Text | None = None
    keywords: list[Text] = Field(default_factory=list)

    def is_expired(self, on: date) -> bool:
        """True once `on` is past the last day the policy applies."""
        return self.effective_to is not None and on > self.effective_to

    def is_visible(self, on: date) -> bool:
        """True when the policy is in force on `on` (started and not yet expired)."""
        started = self.effective_from is None or self.effective_from <= on
        return started and not self.is_expired(on)

    def applies_to(self, household_category: str) -> bool:
        return household_category in self.eligibility.household_categories


class SearchSettings(_Model):
    """How search reads households' words; officials extend the lists in the YAML."""

    min_score: float = Field(ge=0, le=100)
    compounds: list[Text] = Field(default_factory=list)
    stopwords: list[Text] = Field(default_factory=list)
    synonyms: dict[Text, list[Text]] = Field(default_factory=dict)


class _CatalogueFile(_Model):
    version: int = Field(ge=1)
    last_reviewed: IsoDate
    legal_source_policy: Text
    household_categories: dict[HouseholdCategory, Text]
    categories: dict[Slug, Text] = Field(min_length=1)
    search: SearchSettings
    policies: list[Policy] = Field(min_length=1)


# --- the catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The validated catalogue. Build it with `load_catalogue`."""

    source_name: str
    version: int
    last_reviewed: date
    legal_source_policy: str
    household_categories: Mapping[str, str]
    categories: Mapping[str, str]
    search_settings: SearchSettings
    policies: tuple[Policy, ...] = field(default_factory=tuple)

    def get(self, policy_id: str) -> Policy | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def visible(self, on: date) -> list[Policy]:
        """Entries in force on `on`, the only ones households see; catalogue order."""
        return [p for p in self.policies if p.is_visible(on)]

    def expired(self, on: date) -> list[Policy]:
        """Entries past their effective-to date, for admins; oldest end first.

        Each carries `last_reviewed`, so the admin list can say when someone last checked it.
        """
        gone = [p for p in self.policies if p.is_expired(on)]
        return sorted(gone, key=lambda p: (p.effective_to or date.min, p.id))

    def by_category(self, on: date | None = None) -> dict[str, list[Policy]]:
        """Policy category id → entries, in the catalogue's category order, most useful first.

        With `on`, only entries in force that day (what a household may browse); without it,
        every entry. Categories with no entries are left out.
        """
        pool = self.policies if on is None else tuple(self.visible(on))
        grouped: dict[str, list[Policy]] = {}
        for category in self.categories:
            entries = [p for p in pool if p.category == category]
            if entries:
                grouped[category] = _most_useful_first(entries)
        return grouped

    def for_household(self, category: str, on: date) -> list[Policy]:
        """Answer "what can my household get": entries in force on `on` for this category.

        Ordered by `priority` (higher first), then title. Raises ValueError for an unknown
        category so a caller's typo does not silently show an empty list.
        """
        if category not in HOUSEHOLD_CATEGORIES:
            raise ValueError(
                f"unknown household category {category!r}; "
                f"expected one of {', '.join(HOUSEHOLD_CATEGORIES)}"
            )
        return _most_useful_first([p for p in self.visible(on) if p.applies_to(category)])


def _most_useful_first(policies: list[Policy]) -> list[Policy]:
    return sorted(policies, key=_usefulness)


def _usefulness(policy: Policy) -> tuple[int, str, str]:
    """Sort key: priority (higher first), then title without diacritics."""
    return (-policy.priority, _folded_title(policy.title), policy.id)


@lru_cache(maxsize=4096)
def _folded_title(title: str) -> str:
    # lists are sorted on every page view; fold each title once
    return fold(title)


# --- loading -------------------------------------------------------------------------------------


def load_catalogue(raw: Any, source_name: str = "policies.yaml") -> Catalogue:
    """Validate parsed YAML and build the catalogue; raise `CatalogueError` on any problem.

    Every problem is reported, one line each, naming the file, the entry and the field.
    """
    if not isinstance(raw, dict):
        raise CatalogueError([f"{source_name}: top level: expected a mapping of fields"])
    try:
        parsed = _CatalogueFile.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueError(
            [_describe_error(source_name, raw, error) for error in exc.errors()]
        ) from None
    problems = [f"{source_name}: {problem}" for problem in _cross_check(parsed)]
    if problems:
        raise CatalogueError(problems)
    return Catalogue(
        source_name=source_name,
        version=parsed.version,
        last_reviewed=parsed.last_reviewed,
        legal_source_policy=parsed.legal_source_policy,
        household_categories=dict(parsed.household_categories),
        categories=dict(parsed.categories),
        search_settings=parsed.search,
        policies=tuple(parsed.policies),
    )


def _describe_error(source_name: str, raw: dict[str, Any], error: Any) -> str:
    path = _format_path(tuple(error["loc"]), raw)
    return f"{source_name}: {path}: {_short_message(error)}"


def _format_path(loc: tuple[Any, ...], raw: dict[str, Any]) -> str:
    parts: list[str] = []
    for i, key in enumerate(loc):
        if isinstance(key, int):
            parts.append(f"[{key}]")
            if i == 1 and loc[0] == "policies":
                parts.append(_entry_label(raw, key))
        else:
            parts.append(f".{key}" if parts else str(key))
    return "".join(parts) or "top level"


def _entry_label(raw: dict[str, Any], index: int) -> str:
    entries = raw.get("policies")
    if isinstance(entries, list) and index < len(entries) and isinstance(entries[index], dict):
        entry_id = entries[index].get("id")
        if isinstance(entry_id, str) and entry_id:
            return f" (id={entry_id})"
    return ""


def _short_message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _entry_path(index: int, policy: Policy) -> str:
    return f"policies[{index}] (id={policy.id})"


def _cross_check(parsed: _CatalogueFile) -> list[str]:
    """Rules across fields that pydantic's per-field types cannot express."""
    problems = _check_household_names(parsed) + _check_search(parsed.search)
    problems += [f"categories.{key}: longer than {MAX_CATEGORY_LENGTH} characters"
                 for key in parsed.categories if len(key) > MAX_CATEGORY_LENGTH]
    first_index: dict[str, int] = {}
    for index, policy in enumerate(parsed.policies):
        where = _entry_path(index, policy)
        if policy.id in first_index:
            problems.append(f"{where}.id: duplicate id (also policies[{first_index[policy.id]}])")
        first_index.setdefault(policy.id, index)
        if policy.category not in parsed.categories:
            known = ", ".join(parsed.categories)
            problems.append(f"{where}.category: unknown category {policy.category!r} ({known})")
        problems.extend(f"{where}{problem}" for problem in _check_policy(policy))
    return problems


def _check_household_names(parsed: _CatalogueFile) -> list[str]:
    missing = [c for c in HOUSEHOLD_CATEGORIES if c not in parsed.household_categories]
    if missing:
        return [f"household_categories: missing {', '.join(missing)}"]
    return []


def _check_search(settings: SearchSettings) -> list[str]:
    problems = [
        f"search.stopwords[{i}]: must be one word"
        for i, word in enumerate(settings.stopwords)
        if len(fold(word).split()) != 1
    ]
    problems += [
        f"search.compounds[{i}]: must be two or more words"
        for i, words in enumerate(settings.compounds)
        if len(fold(words).split()) < 2
    ]
    return problems


def _check_policy(policy: Policy) -> list[str]:
    """Problems inside one entry, each starting with the field path after the entry."""
    problems: list[str] = []
    if len(policy.id) > MAX_ID_LENGTH:
        problems.append(f".id: longer than {MAX_ID_LENGTH} characters")
    if (
        policy.effective_from is not None
        and policy.effective_to is not None
        and policy.effective_to < policy.effective_from
    ):
        problems.append(".effective_to: before effective_from")
    if policy.effective_from is not None and policy.effective_from_quote is None:
        problems.append(
            ".effective_from_quote: missing (quote the source's sentence giving the date)"
        )
    if policy.effective_from is None and policy.effective_from_quote is not None:
        problems.append(".effective_from: missing (the quote gives no date?)")
    categories = policy.eligibility.household_categories
    if len(set(categories)) != len(categories):
        problems.append(".eligibility.household_categories: repeated category")
    for i, benefit in enumerate(policy.benefits):
        problems.extend(f".benefits[{i}]{problem}" for problem in _check_benefit(benefit))
    unconfirmed = [i for i, b in enumerate(policy.benefits) if not b.confirmed]
    if policy.confirmed and unconfirmed:
        problems.append(f".confirmed: true, but benefits[{unconfirmed[0]}] is not confirmed")
    if not policy.confirmed and policy.note is None:
        problems.append(".note: missing (an unconfirmed entry tells households whom to ask)")
    return problems


def _check_benefit(benefit: Benefit) -> list[str]:
    problems: list[str] = []
    if benefit.as_of is not None and benefit.as_of_quote is None:
        problems.append(".as_of_quote: missing (quote the source's sentence giving the date)")
    if benefit.as_of is None and benefit.as_of_quote is not None:
        problems.append(".as_of: missing (the quote gives no date?)")
    if benefit.confirmed:
        if benefit.source is None:
            problems.append(".source: missing (a confirmed figure names its source)")
    elif _UNCONFIRMED_MARK not in fold(benefit.value):
        problems.append(
            ".value: an unconfirmed item must say 'chưa xác nhận' and whom to ask, not a guess"
        )
    return problems
