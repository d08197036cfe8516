"""wards.yaml: the Phan Rang - Tháp Chàm units before and after 1/7/2025, looked up the way people
type them, and broken copies rejected with one line naming file, entry and field.

Row ids name the source: tuoitre-2025-04 (the April 2025 proposal of new wards, UNCONFIRMED as
enacted, which also names the old units merged into them), nq1198-2024 (vietnam.vn on Nghị quyết
1198/NQ-UBTVQH15: Mỹ Hương, Tấn Tài into Kinh Dinh and Thanh Sơn into Phủ Hà from 01/11/2024),
ninhson-2024 (ninhson.ninhthuan.gov.vn: xã Nhơn Sơn with phường Đô Vinh).
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
    former_commune,
    former_communes,
    load_localities,
    normalise_name,
    office_for,
)


def _raw() -> dict[str, Any]:
    text = (resources.files("domain") / "data" / "wards.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def localities() -> Localities:
    return load_localities(_raw(), "wards.yaml")


def test_packaged_data_lists_both_periods(localities: Localities) -> None:
    old, neighbours, new = localities.lists
    assert [u.full_name for u in neighbours.units] == ["thị trấn Khánh Hải", "xã Nhơn Sơn"]
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
                     id="tuoitre-2025-04-the-one-xa"),
        pytest.param("BẢO AN", "Bảo An", "Bảo An", "urban", False,
                     id="tuoitre-2025-04-current-name-wins"),
        pytest.param("Tấn Tài", "Tấn Tài", "Phan Rang", "urban", False,
                     id="nq1198-2024-tan-tai-via-kinh-dinh"),
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
    (lambda r: r["lists"][1]["units"][1].pop("sources"),
     "wards.yaml: lists[1].units[1].sources: field required", "unit-without-source"),
    (lambda r: r["lists"][2]["units"][0].update(kind="quận"),
     "wards.yaml: lists[2].units[0].kind: input should be 'phường', 'xã' or 'thị trấn'",
     "unknown-kind"),
    (lambda r: r["lists"][0].update(current=True),
     "wards.yaml: lists: exactly one list must have current: true (found 2)", "two-current-lists"),
    (lambda r: r["lists"][0]["units"][1].update(merged_into="Phan Rang 1"),
     "wards.yaml: lists[0].units[1].merged_into: 'Phan Rang 1' is not in the current list",
     "merged-into-unknown-ward"),
    (lambda r: r["lists"][2]["units"][1].update(name="Phan Rang"),
     "wards.yaml: lists[2].units[1].name: duplicate 'Phan Rang'", "duplicate-unit"),
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


# What a household types (a pre-merger name) → the ward it belongs to now, whether that mapping is
# confirmed (never: the current list is the April 2025 proposal), and the former rural commune
# (xã) whose households may still be on the rural income line.
OLD_NAMES = [
    pytest.param("Tấn Tài", "Phan Rang", False, None, id="nq1198-2024-tan-tai"),
    pytest.param("phuong my huong", "Phan Rang", False, None, id="nq1198-2024-my-huong"),
    pytest.param("Thanh Sơn", "Phan Rang", False, None, id="nq1198-2024-thanh-son"),
    pytest.param("Kinh Dinh", "Phan Rang", False, None, id="tuoitre-2025-04-kinh-dinh"),
    pytest.param("Nhơn Sơn", "Đô Vinh", False, "Nhơn Sơn", id="ninhson-2024-nhon-son"),
    pytest.param("xa nhon son", "Đô Vinh", False, "Nhơn Sơn", id="ninhson-2024-folded"),
    pytest.param("Khánh Hải", "Ninh Chử", False, None, id="tuoitre-2025-04-khanh-hai"),
    pytest.param("thị trấn Khánh Hải", "Ninh Chử", False, None, id="tuoitre-2025-04-tt-prefix"),
    pytest.param("Thành Hải", "Bảo An", False, "Thành Hải", id="tuoitre-2025-04-thanh-hai"),
    pytest.param("Văn Hải", "Ninh Chử", False, None, id="tuoitre-2025-04-van-hai"),
]


@pytest.mark.parametrize(("typed", "now", "confirmed", "commune"), OLD_NAMES)
def test_old_names_find_the_ward_they_belong_to_now(
    localities: Localities, typed: str, now: str, confirmed: bool, commune: str | None
) -> None:
    match = find_unit(localities, typed)
    assert match is not None and match.current_unit is not None
    assert match.renamed
    assert match.current_unit.name == now
    assert match.confirmed is confirmed
    found = former_commune(localities, typed)
    assert (found.name if found else None) == commune


@pytest.mark.parametrize(
    ("ward", "communes"),
    [("Bảo An", ["Thành Hải"]), ("Đô Vinh", ["Nhơn Sơn"]), ("Phan Rang", []),
     ("Ninh Chử", []), ("Đông Hải", [])],
)
def test_wards_that_hold_a_former_rural_commune(
    localities: Localities, ward: str, communes: list[str]
) -> None:
    assert [u.name for u in former_communes(localities, ward)] == communes


def test_every_ward_names_its_office_and_no_unsourced_contact(localities: Localities) -> None:
    for unit in localities.current.units:
        office = office_for(localities, unit.name)
        assert office.name == f"UBND phường {unit.name}"
        assert office.checked_on is not None and office.sources
        # No source gives an address or phone yet: the data must say nothing rather than guess.
        assert (office.address, office.phone, office.confirmed) == (None, None, False)
    assert office_for(localities, "Hoàn Kiếm") is localities.office_contact
    assert localities.labour_office.display_name
