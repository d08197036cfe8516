"""Wards and communes of the default city (Phan Rang - Tháp Chàm) as validated data.

Owns: the models of `domain/data/wards.yaml` (unit lists before and after the 1/7/2025
reorganisation, each unit's kind and income area, its sources and `confirmed` flag, the office
that serves each ward, the display name of the labour office), their validation from an
already-parsed mapping (`load_localities`), and look-ups: the current list, a unit by the name
people type, the current ward an old address now belongs to, the former rural communes inside
a ward (`former_communes`, `former_commune`), the office to send a household to
(`office_for`), and a name's ASCII id for button payloads (`slug`, the one every dialog uses).

No I/O: callers read the YAML and pass the parsed mapping in. The area of a unit is what the
poverty standard's income line depends on: phường = urban, xã = rural (checked at load time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from domain.folding import fold, fold_plain

_AREA_OF_KIND = {"phường": "urban", "xã": "rural", "thị trấn": "urban"}
_PREFIXES = ("phuong ", "thi tran ", "xa ", "tt. ", "tt ", "p. ", "p.", "x. ")


class LocalitiesError(ValueError):
    """wards.yaml is invalid; the message is one line naming file, entry and field."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Data):
    """An office a household is sent to; address and phone only where a source gives them."""

    confirmed: StrictBool
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    note: str = ""
    checked_on: date | None = None
    sources: tuple[str, ...] = Field(min_length=1)


class LabourOffice(Contact):
    """The labour office as a role (it broadcasts, sees job profiles, places course sign-ups);
    `display_name` is what households read."""

    display_name: str = Field(min_length=1)


class ProvinceChange(_Data):
    effective_from: date
    note: str = Field(min_length=1)
    confirmed: StrictBool
    sources: tuple[str, ...] = Field(min_length=1)


class Unit(_Data):
    name: str = Field(min_length=1)
    kind: Literal["phường", "xã", "thị trấn"]
    area: Literal["rural", "urban"]
    confirmed: StrictBool
    sources: tuple[str, ...] = Field(min_length=1)
    formed_from: tuple[str, ...] = ()
    merged_into: str | None = None
    note: str = ""
    office: Contact | None = None

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"


class UnitList(_Data):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    valid_from: date | None = None
    valid_to: date | None = None
    current: StrictBool
    confirmed: StrictBool
    note: str = ""
    sources: tuple[str, ...] = Field(min_length=1)
    units: tuple[Unit, ...] = Field(min_length=1)

    def unit(self, name: str) -> Unit | None:
        wanted = normalise_name(name)
        return next((u for u in self.units if normalise_name(u.name) == wanted), None)


class Localities(_Data):
    version: Literal[1]
    city: str = Field(min_length=1)
    province_before: str = Field(min_length=1)
    province_after: str = Field(min_length=1)
    province_change: ProvinceChange
    office_contact: Contact
    labour_office: LabourOffice
    lists: tuple[UnitList, ...] = Field(min_length=1)

    @property
    def current(self) -> UnitList:
        return next(unit_list for unit_list in self.lists if unit_list.current)


@dataclass(frozen=True, slots=True)
class Match:
    """A unit found by name, the list it is in, and where it belongs now."""

    unit: Unit
    unit_list: UnitList
    current_unit: Unit | None
    confirmed: bool  # both the unit and its current ward are confirmed by sources

    @property
    def renamed(self) -> bool:
        """True when the name typed is an old unit that now belongs to another ward."""
        return not self.unit_list.current


def load_localities(raw: Any, source_name: str) -> Localities:
    """Validate a parsed wards.yaml mapping; LocalitiesError names file, entry and field."""
    try:
        parsed = Localities.model_validate(raw)
    except ValidationError as exc:
        raise LocalitiesError(f"{source_name}: {_first_error(exc)}") from None
    _check(parsed, source_name)
    return parsed


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
    message = str(first["msg"])
    message = message[:1].lower() + message[1:]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{path or '(top level)'}: {message}{more}"


def _check(localities: Localities, source_name: str) -> None:
    current = [i for i, unit_list in enumerate(localities.lists) if unit_list.current]
    if len(current) != 1:
        raise LocalitiesError(
            f"{source_name}: lists: exactly one list must have current: true "
            f"(found {len(current)})"
        )
    current_list = localities.lists[current[0]]
    ids: set[str] = set()
    for index, unit_list in enumerate(localities.lists):
        where = f"{source_name}: lists[{index}]"
        if unit_list.id in ids:
            raise LocalitiesError(f"{where}.id: duplicate {unit_list.id!r}")
        ids.add(unit_list.id)
        names: set[str] = set()
        for position, unit in enumerate(unit_list.units):
            entry = f"{where}.units[{position}]"
            if _AREA_OF_KIND[unit.kind] != unit.area:
                raise LocalitiesError(
                    f"{entry}.area: a {unit.kind} is {_AREA_OF_KIND[unit.kind]}, not {unit.area}"
                )
            key = normalise_name(unit.name)
            if key in names:
                raise LocalitiesError(f"{entry}.name: duplicate {unit.name!r}")
            names.add(key)
    # Cross-references last, so a broken entry is reported as itself, not as a dangling link.
    for index, unit_list in enumerate(localities.lists):
        for position, unit in enumerate(unit_list.units):
            if unit.merged_into is not None and current_list.unit(unit.merged_into) is None:
                raise LocalitiesError(
                    f"{source_name}: lists[{index}].units[{position}].merged_into: "
                    f"{unit.merged_into!r} is not in the current list"
                )


def normalise_name(text: str) -> str:
    """Lower-case, no diacritics, no "phường"/"xã" prefix: "Phường Mỹ Hải" → "my hai"."""
    cleaned = fold(text)
    for prefix in _PREFIXES:
        if cleaned.startswith(prefix):
            return cleaned[len(prefix):].strip()
    return cleaned


def slug(name: str, limit: int = 40) -> str:
    """A stable ASCII id for a ward's (or any) name, for button payloads: "Phường Đông Hải" →
    "dong-hai" (the same with or without the "phường"/"xã" prefix and diacritics)."""
    return fold_plain(normalise_name(name)).replace(" ", "-")[:limit]


MAX_NAME_TEXT = 120


def find_unit(localities: Localities, text: str) -> Match | None:
    """The unit named `text`, looked up in the current list first, then in older lists."""
    if len(text) > MAX_NAME_TEXT:  # "phường Phan Rang - Tháp Chàm cũ" is about 40 characters
        return None
    ordered = [localities.current] + [u for u in localities.lists if not u.current]
    for unit_list in ordered:
        unit = unit_list.unit(text)
        if unit is None:
            continue
        if unit_list.current:
            return Match(unit, unit_list, unit, unit.confirmed and unit_list.confirmed)
        now = localities.current.unit(unit.merged_into) if unit.merged_into else None
        confirmed = unit.confirmed and now is not None and now.confirmed
        return Match(unit, unit_list, now, confirmed and localities.current.confirmed)
    return None


def former_communes(localities: Localities, ward: Unit | str) -> tuple[Unit, ...]:
    """The former rural communes (xã) now inside current ward `ward`, from the older lists.

    A household there may still be on the rural income line: the caller asks "nơi bạn ở
    trước đây là xã …?" instead of silently using the urban one."""
    name = ward.name if isinstance(ward, Unit) else ward
    wanted = normalise_name(name)
    return tuple(
        unit
        for unit_list in localities.lists
        if not unit_list.current
        for unit in unit_list.units
        if unit.area == "rural" and unit.merged_into and normalise_name(unit.merged_into) == wanted
    )


def former_commune(localities: Localities, text: str) -> Unit | None:
    """The former rural commune `text` names, when it now lies inside a current ward."""
    match = find_unit(localities, text)
    if match is None or not match.renamed or match.unit.area != "rural":
        return None
    return match.unit if match.current_unit is not None else None


def office_for(localities: Localities, ward: str | None) -> Contact:
    """The office that serves current ward `ward` (the ward's own entry, else the general one)."""
    unit = localities.current.unit(ward) if ward else None
    if unit is not None and unit.office is not None:
        return unit.office
    return localities.office_contact
