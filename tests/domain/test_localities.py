"""wards.yaml: the Phan Rang - Tháp Chàm units before and after 1/7/2025, looked up the way people
type them, and broken copies rejected with one line naming file, entry and field.

Row ids name the source: dulichhoangviet-2023 (the 16-unit list), tuoitre-2025-04 (the April 2025
proposal of new wards, UNCONFIRMED as enacted).
"""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from domain.localities import (
    Localities,
    LocalitiesError,
    find_unit,
    load_localities,
    normalise_name,
)


def _raw() -> dict[str, Any]:
    text = (resources.files("domain") / "data" / "wards.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def localities() -> Localities:
    return load_localities(_raw(), "wards.yaml")


def test_packaged_data_lists_both_periods(localities: Localities) -> None:
    old, new = localities.lists
    assert len(old.units) == 16
    assert sum(u.kind == "phường" for u in old.units) == 15
    assert [u.name for u in old.units if u.kind == "xã"] == ["Thành Hải"]
    assert [u.name for u in new.units] == [
        "Phan Rang", "Đông Hải", "Ninh Chử", "Bảo An", "Đô Vinh"
    ]
    assert localities.current is new
    assert new.confirmed is False  # enacted names and boundaries not confirmed
    assert localities.office_contact.confirmed is False
    assert all(u.sources for unit_list in localities.lists for u in unit_list.units)


@pytest.mark.parametrize(
    ("typed", "found", "now", "area", "confirmed"),
    [
        pytest.param("Kinh Dinh", "Kinh Dinh", "Phan Rang", "urban", False,
                     id="tuoitre-2025-04-kinh-dinh-into-phan-rang"),
        pytest.param("phuong my hai", "Mỹ Hải", "Đông Hải", "urban", False,
                     id="tuoitre-2025-04-no-diacritics-with-prefix"),
        pytest.param("Xã Thành Hải", "Thành Hải", "Bảo An", "rural", False,
                     id="dulichhoangviet-2023-the-one-xa"),
        pytest.param("BẢO AN", "Bảo An", "Bảo An", "urban", False,
                     id="tuoitre-2025-04-current-name-wins"),
        pytest.param("Tấn Tài", "Tấn Tài", None, "urban", False,
                     id="dulichhoangviet-2023-merged-2023-2025-unconfirmed"),
        pytest.param("dao long", "Đạo Long", "Phan Rang", "urban", False,
                     id="tuoitre-2025-04-d-stroke-folded"),
    ],
)
def test_find_unit(
    localities: Localities, typed: str, found: str, now: str | None, area: str, confirmed: bool
) -> None:
    match = find_unit(localities, typed)
    assert match is not None
    assert match.unit.name == found
    assert match.unit.area == area
    assert (match.current_unit.name if match.current_unit else None) == now
    assert match.confirmed is confirmed


def test_unknown_place_is_not_found(localities: Localities) -> None:
    assert find_unit(localities, "Hoàn Kiếm") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phường Mỹ Hải", "my hai"),
        ("  xã   Thành Hải ", "thanh hai"),
        ("P. Đô Vinh", "do vinh"),
        ("Ninh Chử", "ninh chu"),
    ],
)
def test_normalise_name(text: str, expected: str) -> None:
    assert normalise_name(text) == expected


def _broken(edit: Any) -> dict[str, Any]:
    raw = copy.deepcopy(_raw())
    edit(raw)
    return raw


DATA_ERRORS = [
    (lambda r: r["lists"][0]["units"][0].update(area="rural"),
     "wards.yaml: lists[0].units[0].area: a phường is urban, not rural", "phuong-marked-rural"),
    (lambda r: r["lists"][0]["units"][15].update(area="urban"),
     "wards.yaml: lists[0].units[15].area: a xã is rural, not urban", "xa-marked-urban"),
    (lambda r: r["lists"][1]["units"][2].pop("sources"),
     "wards.yaml: lists[1].units[2].sources: field required", "unit-without-source"),
    (lambda r: r["lists"][1]["units"][0].update(kind="thị trấn"),
     "wards.yaml: lists[1].units[0].kind: input should be 'phường' or 'xã'", "unknown-kind"),
    (lambda r: r["lists"][0].update(current=True),
     "wards.yaml: lists: exactly one list must have current: true (found 2)", "two-current-lists"),
    (lambda r: r["lists"][0]["units"][1].update(merged_into="Phan Rang 1"),
     "wards.yaml: lists[0].units[1].merged_into: 'Phan Rang 1' is not in the current list",
     "merged-into-unknown-ward"),
    (lambda r: r["lists"][1]["units"][1].update(name="Phan Rang"),
     "wards.yaml: lists[1].units[1].name: duplicate 'Phan Rang'", "duplicate-unit"),
    (lambda r: r["office_contact"].pop("confirmed"),
     "wards.yaml: office_contact.confirmed: field required", "contact-without-confirmed"),
]


@pytest.mark.parametrize(
    ("edit", "message"), [pytest.param(e, m, id=i) for e, m, i in DATA_ERRORS]
)
def test_broken_data_is_rejected_with_one_clear_line(edit: Any, message: str) -> None:
    with pytest.raises(LocalitiesError) as caught:
        load_localities(_broken(edit), "wards.yaml")
    assert str(caught.value) == message
