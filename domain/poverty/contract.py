"""The JSON contract of `giamngheo assess` (see README): input mapping → output mapping.

Output keys: standard, category, income_per_person, income_line, deprived, deprivation_count,
legal_basis, explanation, and `changes`: what would change the result, each
{"category": …, "input": patch}. A patch is a JSON merge patch (RFC 7386, see `apply_patch`) of
the household's own input; assessing the patched input, with the same date and standard,
gives exactly that category. The explanation's "what would change" sentences come from the
same changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from domain.poverty.assessment import Assessment, Change, Household, assess, translate_household
from domain.poverty.explanation import MoneyFormatter, explain, explain_other
from domain.poverty.loading import (
    changeover_note_needed,
    other_standard,
    standard_by_id,
    standard_for,
)
from domain.poverty.models import Area, InputError, NoStandardError, Standard
from domain.i18n import Translator

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


def _income(obj: Mapping[str, Any]) -> int | Fraction:
    has_monthly, has_annual = "monthly_income" in obj, "annual_income" in obj
    if has_monthly and has_annual:
        raise InputError("annual_income", "give monthly_income or annual_income, not both")
    if not has_monthly and not has_annual:
        raise InputError("monthly_income", "missing field (or give annual_income)")
    if has_monthly:
        return _int(obj, "monthly_income", minimum=0)
    # Whole-household annual income to monthly, exactly: 18.000.011 đ a year for one person
    # is above a line of 1.500.000 đ a month.
    annual = _int(obj, "annual_income", minimum=0)
    return annual // 12 if annual % 12 == 0 else Fraction(annual, 12)


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
    changes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The CLI output; `other`'s sentences are appended to the explanation, and `changes` (the
    patches, see `changes_to_json`) is the list of what would change the result."""
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
        "changes": changes if changes is not None else [],
    }


def changes_to_json(a: Assessment, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each of `a.what_would_change` as {"category", "input"}: a merge patch of `obj`."""
    return [{"category": c.target.value, "input": change_patch(c, a, obj)}
            for c in a.what_would_change]


def change_patch(change: Change, a: Assessment, obj: Mapping[str, Any]) -> dict[str, Any]:
    """The patch of the household's input that makes `change` happen: the income at the
    change's upper bound, in the field the input used, and each added indicator deprived (or,
    where the input decided it by a fact, that fact moved across its threshold)."""
    patch: dict[str, Any] = {}
    if change.income_at_most is not None:
        monthly = change.income_at_most * a.members
        if "annual_income" in obj:
            patch["annual_income"] = monthly * 12
        else:
            patch["monthly_income"] = monthly
    facts = obj.get("facts") if isinstance(obj.get("facts"), Mapping) else {}
    by_indicator = {ind.key: (name, rule) for name, (ind, rule) in
                    a.standard.fact_rules().items() if name in facts}
    for key in change.add_deprived:
        if key in by_indicator:
            name, rule = by_indicator[key]
            # 0 m² is below any floor-area threshold; every member a dependant is above any
            # share below one.
            amount = 0 if rule.deprived_when == "below" else a.members
            patch.setdefault("facts", {})[name] = amount
        patch.setdefault("deprived", {})[key] = True
    return patch


def apply_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge key by key, null removes, anything else
    replaces."""
    if not isinstance(patch, Mapping):
        return patch
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_patch(result.get(key), value)
    return result


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
    result = assess(household, standard, on)
    other_result = None
    if changeover_note_needed(on):
        other = other_standard(standards, standard)
        if other is not None:
            other_result = assess(translate_household(household, standard, other), other, on)
    return assessment_to_json(result, t, fmt_money, other_result, changes_to_json(result, obj))
