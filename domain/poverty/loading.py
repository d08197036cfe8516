"""Loading the standards data file and choosing the standard in force on a date.

`load_standards` validates an already-parsed poverty_standards.yaml mapping (no I/O here) and
raises DataError with one line naming the file, the entry and the field.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import ValidationError

from domain.poverty.models import Area, DataError, Indicator, NoStandardError, Standard, _File

# The window around the 1/1/2027 changeover in which a result also shows what the other standard
# would say: a quarter before (the annual review runs 1/9-14/12, households ask ahead) and a
# quarter after (results under the old standard are still being announced and appealed).
CHANGEOVER_WINDOW: tuple[date, date] = (date(2026, 10, 1), date(2027, 3, 31))



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
