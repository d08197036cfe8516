"""The year's poverty-reduction targets as validated data, and the report arithmetic around them.

Owns: the model of `domain/data/targets.yaml` (per year: the poor and near-poor household rates
at the start and end of the year and how many households that means, new houses; sources and a
`confirmed` flag), its validation (`load_targets`), and the pure arithmetic of the ward report:
the category counts at the start of the year from today's counts and this year's category
changes (`start_of_year`), and how a change compares with a target (`progress`); reading a
target typed by an admin (`parse_rate_line`) and choosing between the targets an admin stored
in the bot and the packaged file (`for_year`).

No I/O: callers read the YAML and pass the parsed mapping in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator


class TargetsError(ValueError):
    """targets.yaml is invalid; the message is one line naming file, entry and field."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateTarget(_Data):
    """A household rate to bring down within the year (percent) and the households it means."""

    rate_from: float = Field(ge=0, le=100)
    rate_to: float = Field(ge=0, le=100)
    reduce_by: int = Field(ge=0)

    @model_validator(mode="after")
    def _goes_down(self) -> RateTarget:
        if self.rate_to > self.rate_from:
            raise ValueError("rate_to must not be above rate_from")
        return self


class YearTargets(_Data):
    year: int = Field(ge=2000, le=2100)
    city: str = Field(min_length=1)
    title: str = Field(min_length=1)
    confirmed: StrictBool
    sources: tuple[str, ...] = Field(min_length=1)
    poor: RateTarget
    near_poor: RateTarget
    new_houses: int | None = Field(default=None, ge=0)


class TargetBook(_Data):
    version: Literal[1]
    targets: tuple[YearTargets, ...] = ()

    def for_year(self, year: int) -> YearTargets | None:
        return next((t for t in self.targets if t.year == year), None)

    @property
    def years(self) -> list[int]:
        return sorted(t.year for t in self.targets)


def load_targets(raw: Any, source_name: str) -> TargetBook:
    """Validate a parsed targets.yaml mapping; TargetsError names file, entry and field."""
    try:
        book = TargetBook.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"]) or "(top level)"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise TargetsError(f"{source_name}: {path}: {message}") from None
    seen: set[int] = set()
    for index, entry in enumerate(book.targets):
        if entry.year in seen:
            raise TargetsError(f"{source_name}: targets.{index}.year: duplicate {entry.year}")
        seen.add(entry.year)
    return book


def start_of_year(
    now: Mapping[str, int], changes: Iterable[tuple[str | None, str, int]]
) -> dict[str, int]:
    """Counts per category at the start of the year: today's counts with this year's changes
    (from, to, how many) undone. A household added during the year counts as listed since
    the start of the year: only a change of category moves the figures."""
    start = dict(now)
    for source, target, count in changes:
        start[target] = start.get(target, 0) - count
        if source is not None:
            start[source] = start.get(source, 0) + count
    return start


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a count came down since the start of the year, against the target."""

    start: int
    now: int
    target_reduction: int | None

    @property
    def reduced(self) -> int:
        return self.start - self.now

    @property
    def percent(self) -> int | None:
        if not self.target_reduction:
            return None
        return round(100 * self.reduced / self.target_reduction)


def progress(start: int, now: int, target: RateTarget | None) -> Progress:
    return Progress(start, now, target.reduce_by if target is not None else None)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def parse_rate_line(text: str) -> RateTarget | None:
    """ "1,30 1,15 71" (rate at the start of the year %, at the end %, households to bring
    down) → a RateTarget; None when it is not three such numbers or the rate goes up."""
    numbers = _NUMBER.findall(text)
    if len(numbers) != 3 or not numbers[2].isdigit():
        return None
    try:
        return RateTarget(rate_from=float(numbers[0].replace(",", ".")),
                          rate_to=float(numbers[1].replace(",", ".")),
                          reduce_by=int(numbers[2]))
    except ValidationError:
        return None


def for_year(stored: YearTargets | None, book: TargetBook | None, year: int) -> YearTargets | None:
    """The year's targets: what an admin set in the bot wins over the packaged targets.yaml."""
    if stored is not None:
        return stored
    return book.for_year(year) if book is not None else None
