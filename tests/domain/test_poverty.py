"""Tables for the poverty standards: every line at, just below and just above, per standard and
area; category bands; 2 against 3 deprivations; housing area per person; dependants ratio;
standard selection at the changeover; every CLI input error; broken data files.

Row ids name the source of the rule they test:
- ND07-2021: Điều 3 Nghị định 07/2021/NĐ-CP (laodongthudo.vn, thuvienphapluat.vn), kept for 2026
  by NĐ 351/2025/NĐ-CP (vietnamplus.vn).
- ND07-band-baolamdong: the "hộ có mức sống trung bình" income band (baolamdong.vn).
- ND351-2025: Nghị định 351/2025/NĐ-CP, 2027-2030 lines and categories (vietnamplus.vn,
  huengaynay.vn).
- area-8m2 / dependents-50pct: facts.md §1.4 (secondary sources, unconfirmed thresholds).
"""

from __future__ import annotations

import copy
import gettext
import re
from datetime import date
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.i18n import Translator, load_catalogs
from domain.poverty import (
    Area,
    Assessment,
    Category,
    Change,
    DataError,
    Household,
    InputError,
    NoStandardError,
    Standard,
    assess,
    assess_json,
    assessment_to_json,
    changeover_note_needed,
    explain,
    household_from_json,
    load_standards,
    standard_by_id,
    standard_for,
    translate_household,
)

ROOT = Path(__file__).resolve().parents[2]
EN = gettext.NullTranslations()
TODAY = date(2026, 5, 1)


def _raw() -> dict[str, Any]:
    text = (resources.files("domain") / "data" / "poverty_standards.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def standards() -> tuple[Standard, ...]:
    return load_standards(_raw(), "poverty_standards.yaml")


@pytest.fixture(scope="module")
def vi() -> Translator:
    """The shipped Vietnamese catalog (its completeness is tested in tests/bot/test_catalog.py)."""
    return load_catalogs(("vi",))["vi"]


def _household(area: str, income_pp: int, deprived: int, std: Standard) -> Household:
    return Household(
        area=Area(area),
        members=1,
        monthly_income=income_pp,
        deprived=frozenset(std.keys[:deprived]),
    )


# --- category tables ---------------------------------------------------------------------------

CATEGORY_ROWS = [
    # standard, area, income per person, deprived count, expected category, id
    ("2022-2025", "rural", 1_500_000, 3, "poor", "ND07-2021-rural-at-line-3dep"),
    ("2022-2025", "rural", 1_500_000, 2, "near_poor", "ND07-2021-rural-at-line-2dep"),
    ("2022-2025", "rural", 1_499_999, 3, "poor", "ND07-2021-rural-below-line-3dep"),
    ("2022-2025", "rural", 1_499_999, 2, "near_poor", "ND07-2021-rural-below-line-2dep"),
    ("2022-2025", "rural", 1_500_001, 3, "average", "ND07-2021-rural-above-line-3dep"),
    ("2022-2025", "rural", 1_500_001, 2, "average", "ND07-2021-rural-above-line-2dep"),
    ("2022-2025", "rural", 0, 0, "near_poor", "ND07-2021-rural-no-income-0dep"),
    ("2022-2025", "rural", 1_000_000, 12, "poor", "ND07-2021-rural-all-12-dep"),
    ("2022-2025", "urban", 2_000_000, 3, "poor", "ND07-2021-urban-at-line-3dep"),
    ("2022-2025", "urban", 2_000_000, 2, "near_poor", "ND07-2021-urban-at-line-2dep"),
    ("2022-2025", "urban", 1_999_999, 3, "poor", "ND07-2021-urban-below-line-3dep"),
    ("2022-2025", "urban", 1_999_999, 2, "near_poor", "ND07-2021-urban-below-line-2dep"),
    ("2022-2025", "urban", 2_000_001, 3, "average", "ND07-2021-urban-above-line-3dep"),
    ("2022-2025", "urban", 2_000_001, 2, "average", "ND07-2021-urban-above-line-2dep"),
    ("2022-2025", "rural", 2_249_999, 0, "average", "ND07-band-baolamdong-rural-below-upper"),
    ("2022-2025", "rural", 2_250_000, 0, "average", "ND07-band-baolamdong-rural-at-upper"),
    ("2022-2025", "rural", 2_250_001, 0, "not_poor", "ND07-band-baolamdong-rural-above-upper"),
    ("2022-2025", "rural", 2_250_001, 5, "not_poor", "ND07-band-baolamdong-rural-above-5dep"),
    ("2022-2025", "urban", 2_999_999, 0, "average", "ND07-band-baolamdong-urban-below-upper"),
    ("2022-2025", "urban", 3_000_000, 0, "average", "ND07-band-baolamdong-urban-at-upper"),
    ("2022-2025", "urban", 3_000_001, 0, "not_poor", "ND07-band-baolamdong-urban-above-upper"),
    ("2027-2030", "rural", 2_200_000, 3, "poor", "ND351-2025-rural-at-line-3dep"),
    ("2027-2030", "rural", 2_200_000, 2, "near_poor", "ND351-2025-rural-at-line-2dep"),
    ("2027-2030", "rural", 2_199_999, 3, "poor", "ND351-2025-rural-below-line-3dep"),
    ("2027-2030", "rural", 2_199_999, 2, "near_poor", "ND351-2025-rural-below-line-2dep"),
    ("2027-2030", "rural", 2_200_001, 3, "not_poor", "ND351-2025-rural-above-line-3dep"),
    ("2027-2030", "rural", 2_200_001, 2, "not_poor", "ND351-2025-rural-above-line-2dep"),
    ("2027-2030", "urban", 2_800_000, 3, "poor", "ND351-2025-urban-at-line-3dep"),
    ("2027-2030", "urban", 2_800_000, 2, "near_poor", "ND351-2025-urban-at-line-2dep"),
    ("2027-2030", "urban", 2_799_999, 3, "poor", "ND351-2025-urban-below-line-3dep"),
    ("2027-2030", "urban", 2_799_999, 2, "near_poor", "ND351-2025-urban-below-line-2dep"),
    ("2027-2030", "urban", 2_800_001, 3, "not_poor", "ND351-2025-urban-above-line-3dep"),
    ("2027-2030", "urban", 2_800_001, 2, "not_poor", "ND351-2025-urban-above-line-2dep"),
    # No confirmed "average" band for 2027-2030: just above the line is simply not poor.
    ("2027-2030", "urban", 3_000_000, 0, "not_poor", "ND351-2025-urban-no-average-band"),
]


@pytest.mark.parametrize(
    ("standard_id", "area", "income", "count", "expected"),
    [pytest.param(*row[:5], id=row[5]) for row in CATEGORY_ROWS],
)
def test_category_at_below_and_above_every_line(
    standards: tuple[Standard, ...], standard_id: str, area: str, income: int, count: int,
    expected: str,
) -> None:
    std = standard_by_id(standards, standard_id)
    result = assess(_household(area, income, count, std), std)
    assert result.category == Category(expected)
    assert result.income_per_person == income
    assert result.deprivation_count == count
    assert result.gap_to_line == result.income_line - income


@pytest.mark.parametrize(
    ("standard_id", "area", "line", "average_line"),
    [
        pytest.param("2022-2025", "rural", 1_500_000, 2_250_000, id="ND07-2021-rural-lines"),
        pytest.param("2022-2025", "urban", 2_000_000, 3_000_000, id="ND07-2021-urban-lines"),
        pytest.param("2027-2030", "rural", 2_200_000, None, id="ND351-2025-rural-lines"),
        pytest.param("2027-2030", "urban", 2_800_000, None, id="ND351-2025-urban-lines"),
    ],
)
def test_lines_reported_with_the_result(
    standards: tuple[Standard, ...], standard_id: str, area: str, line: int,
    average_line: int | None,
) -> None:
    std = standard_by_id(standards, standard_id)
    result = assess(_household(area, 100, 0, std), std)
    assert (result.income_line, result.average_line) == (line, average_line)
    assert result.poor_threshold_count == 3
    assert result.legal_basis == std.legal_basis


@pytest.mark.parametrize(
    ("members", "monthly", "expected_pp", "category"),
    [
        pytest.param(3, 4_500_000, 1_500_000, "near_poor", id="ND07-2021-rural-3-members-at-line"),
        # 4.500.002 / 3 = 1.500.000,67: above the line, and shown rounded up so the figure
        # shown is above the line too (issue 13: no rounding down before comparing).
        pytest.param(3, 4_500_002, 1_500_001, "average", id="ND07-2021-rural-exact-above"),
        pytest.param(3, 4_500_001, 1_500_001, "average", id="ND07-2021-rural-third-above"),
        pytest.param(3, 4_499_999, 1_499_999, "near_poor", id="ND07-2021-rural-below-shown-down"),
        pytest.param(3, 4_500_003, 1_500_001, "average", id="ND07-2021-rural-3-members-above"),
    ],
)
def test_income_per_person_is_compared_exactly_and_shown_on_its_side_of_the_line(
    standards: tuple[Standard, ...], members: int, monthly: int, expected_pp: int, category: str
) -> None:
    std = standard_by_id(standards, "2022-2025")
    household = Household(Area.RURAL, members, monthly)
    result = assess(household, std)
    assert (result.income_per_person, result.category) == (expected_pp, Category(category))
    assert result.income_exact == Fraction(monthly, members)


def test_poor_threshold_comes_from_the_data(standards: tuple[Standard, ...]) -> None:
    raw = _raw()
    raw["standards"][0]["poor_threshold_count"] = 4
    std = load_standards(raw, "edited.yaml")[0]
    assert assess(_household("rural", 1_000_000, 3, std), std).category == Category.NEAR_POOR
    assert assess(_household("rural", 1_000_000, 4, std), std).category == Category.POOR


# --- facts turned into deprivations ------------------------------------------------------------


def _json(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "date": "2026-05-01", "area": "rural", "members": 4, "monthly_income": 4_000_000,
        "deprived": {},
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize("standard_id", ["2022-2025", "2027-2030"])
@pytest.mark.parametrize(
    ("members", "area_m2", "deprived"),
    [
        pytest.param(4, 32, False, id="area-8m2-at-threshold"),
        pytest.param(4, 31.99, True, id="area-8m2-just-below"),
        pytest.param(4, 32.01, False, id="area-8m2-just-above"),
        pytest.param(1, 7, True, id="area-8m2-one-member-below"),
        pytest.param(3, 24, False, id="area-8m2-three-members-at"),
        pytest.param(3, 23, True, id="area-8m2-three-members-below"),
        pytest.param(2, 0, True, id="area-8m2-no-floor-area"),
    ],
)
def test_housing_area_per_person(
    standards: tuple[Standard, ...], standard_id: str, members: int, area_m2: float,
    deprived: bool,
) -> None:
    obj = _json(standard=standard_id, members=members, facts={"housing_area_m2": area_m2})
    household, _ = household_from_json(obj, standards, TODAY)
    assert ("housing_area" in household.deprived) is deprived


@pytest.mark.parametrize("standard_id", ["2022-2025", "2027-2030"])
@pytest.mark.parametrize(
    ("members", "dependents", "deprived"),
    [
        pytest.param(4, 2, False, id="dependents-50pct-at-threshold"),
        pytest.param(4, 3, True, id="dependents-50pct-above"),
        pytest.param(4, 1, False, id="dependents-50pct-below"),
        pytest.param(5, 3, True, id="dependents-50pct-odd-just-above"),
        pytest.param(5, 2, False, id="dependents-50pct-odd-just-below"),
        pytest.param(1, 1, True, id="dependents-50pct-lone-dependent"),
        pytest.param(2, 0, False, id="dependents-50pct-none"),
    ],
)
def test_dependents_ratio(
    standards: tuple[Standard, ...], standard_id: str, members: int, dependents: int,
    deprived: bool,
) -> None:
    obj = _json(standard=standard_id, members=members, facts={"dependents": dependents})
    household, _ = household_from_json(obj, standards, TODAY)
    assert ("dependents" in household.deprived) is deprived


def test_officials_can_change_the_housing_threshold_in_data() -> None:
    raw = _raw()
    rule = raw["standards"][0]["indicators"][7]["fact_rule"]
    assert rule["fact"] == "housing_area_m2"
    rule["value"] = 10
    std = load_standards(raw, "edited.yaml")
    household, _ = household_from_json(_json(facts={"housing_area_m2": 32}), std, TODAY)
    assert "housing_area" in household.deprived
    assert "dưới 10 mét vuông" in std[0].indicator("housing_area").text("question")


# --- choosing the standard ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(date(2022, 1, 1), "2022-2025", id="ND07-2021-first-day"),
        pytest.param(date(2025, 12, 31), "2022-2025", id="ND07-2021-last-original-day"),
        pytest.param(date(2026, 1, 1), "2022-2025", id="ND351-2025-keeps-old-standard-2026"),
        pytest.param(date(2026, 12, 31), "2022-2025", id="ND351-2025-old-standard-last-day"),
        pytest.param(date(2027, 1, 1), "2027-2030", id="ND351-2025-new-standard-first-day"),
        pytest.param(date(2030, 12, 31), "2027-2030", id="ND351-2025-new-standard-last-day"),
    ],
)
def test_standard_for_date(standards: tuple[Standard, ...], on: date, expected: str) -> None:
    assert standard_for(standards, on).id == expected


@pytest.mark.parametrize(
    "on",
    [
        pytest.param(date(2021, 12, 31), id="QD59-2015-still-applied-in-2021"),
        pytest.param(date(2031, 1, 1), id="after-2030-no-standard-in-data"),
    ],
)
def test_no_standard_outside_the_data(standards: tuple[Standard, ...], on: date) -> None:
    with pytest.raises(NoStandardError):
        standard_for(standards, on)


def test_cli_picks_the_standard_by_date_and_lets_the_household_ask_for_the_other(
    standards: tuple[Standard, ...],
) -> None:
    _, old = household_from_json(_json(date="2026-12-31"), standards, TODAY)
    _, new = household_from_json(_json(date="2027-01-01"), standards, TODAY)
    _, asked = household_from_json(
        _json(date="2026-12-31", standard="2027-2030"), standards, TODAY
    )
    _, default = household_from_json({k: v for k, v in _json().items() if k != "date"},
                                     standards, date(2027, 6, 1))
    assert (old.id, new.id, asked.id, default.id) == (
        "2022-2025", "2027-2030", "2027-2030", "2027-2030"
    )


@pytest.mark.parametrize(
    ("on", "needed"),
    [
        pytest.param(date(2026, 9, 30), False, id="changeover-day-before-window"),
        pytest.param(date(2026, 10, 1), True, id="changeover-window-opens"),
        pytest.param(date(2027, 3, 31), True, id="changeover-window-closes"),
        pytest.param(date(2027, 4, 1), False, id="changeover-day-after-window"),
    ],
)
def test_changeover_window(on: date, needed: bool) -> None:
    assert changeover_note_needed(on) is needed


def test_near_the_changeover_the_other_standard_is_explained_too(
    standards: tuple[Standard, ...],
) -> None:
    # 2,000,000 per person in a rural area: above the 2026 line, below the 2027 line.
    obj = _json(date="2026-11-15", members=1, monthly_income=2_000_000)
    near = assess_json(obj, standards, TODAY, EN)
    far = assess_json(_json(date="2026-05-01", members=1, monthly_income=2_000_000),
                      standards, TODAY, EN)
    assert near["category"] == "average"
    assert any("2.200.000 đ" in s for s in near["explanation"])
    assert "Under that standard, your household would be: a near-poor household." in (
        near["explanation"]
    )
    assert not any("2.200.000 đ" in s for s in far["explanation"])


def test_changeover_in_vietnamese_after_the_switch(
    standards: tuple[Standard, ...], vi: Translator
) -> None:
    obj = _json(date="2027-02-01", members=1, monthly_income=2_000_000,
                deprived={"water": True, "sanitation": True})
    out = assess_json(obj, standards, TODAY, vi)
    assert out["category"] == "near_poor"  # 2.000.000 ≤ 2.200.000, 2 shortfalls
    assert (
        "Chuẩn nghèo giai đoạn 2022-2025 (Nghị định 07/2021/NĐ-CP) áp dụng từ ngày 01/01/2022 "
        "đến hết ngày 31/12/2026: chuẩn thu nhập ở khu vực nông thôn là 1.500.000 đ mỗi người "
        "mỗi tháng."
    ) in out["explanation"]
    assert "Theo chuẩn đó, kết quả của hộ bạn là: hộ có mức sống trung bình." in out["explanation"]


def test_changeover_in_vietnamese_names_the_indicator_never_asked(
    standards: tuple[Standard, ...], vi: Translator
) -> None:
    obj = _json(date="2026-12-01", members=1, monthly_income=1_400_000,
                deprived={"water": True, "sanitation": True})
    out = assess_json(obj, standards, TODAY, vi)
    assert out["category"] == "near_poor"
    assert out["explanation"][-3:] == [
        "Theo chuẩn đó, các chỉ số chưa hỏi hoặc chưa rõ nên chưa tính: xử lý rác thải.",
        "Nếu các chỉ số này đúng là bị thiếu hụt, theo chuẩn đó hộ có thể thuộc diện hộ nghèo.",
        "Một số chỉ số hoặc quy tắc của chuẩn đó chưa được xác nhận, nên kết quả này cũng chỉ để "
        "tham khảo.",
    ]


def test_translate_household_marks_never_asked_indicators_unknown(
    standards: tuple[Standard, ...],
) -> None:
    old, new = standards
    household = Household(
        Area.RURAL, 2, 1_000_000, deprived=frozenset({"information_assets", "water"})
    )
    moved = translate_household(household, old, new)
    assert moved.deprived == {"water"}
    assert moved.unknown == {"waste_treatment"}


# --- unknown answers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "deprived", "unknown", "category", "could_change"),
    [
        pytest.param(
            1_000_000, 2, 1, "near_poor", True, id="ND07-2021-2dep-1unknown-could-be-poor"
        ),
        pytest.param(1_000_000, 1, 1, "near_poor", False, id="ND07-2021-1dep-1unknown-stays"),
        pytest.param(1_000_000, 3, 1, "poor", False, id="ND07-2021-already-poor"),
        pytest.param(2_500_000, 2, 3, "not_poor", False, id="ND07-2021-above-band-no-effect"),
    ],
)
def test_unknown_answers_are_not_counted_but_flagged(
    standards: tuple[Standard, ...], income: int, deprived: int, unknown: int, category: str,
    could_change: bool,
) -> None:
    std = standards[0]
    household = Household(
        Area.RURAL, 1, income,
        deprived=frozenset(std.keys[:deprived]),
        unknown=frozenset(std.keys[deprived:deprived + unknown]),
    )
    result = assess(household, std)
    assert result.category == Category(category)
    assert result.deprivation_count == deprived
    assert len(result.unknown) == unknown
    assert result.unknown_could_change is could_change
    sentences = explain(result, EN)
    assert any("Not yet known, so not counted" in s for s in sentences)
    assert any("could be a poor household instead" in s for s in sentences) is could_change


def test_household_rejects_a_key_both_deprived_and_unknown() -> None:
    with pytest.raises(ValueError, match="both deprived and unknown"):
        Household(Area.RURAL, 1, 0, deprived=frozenset({"water"}), unknown=frozenset({"water"}))


def test_assess_rejects_an_indicator_the_standard_lacks(standards: tuple[Standard, ...]) -> None:
    household = Household(Area.RURAL, 1, 0, deprived=frozenset({"waste_treatment"}))
    with pytest.raises(ValueError, match="waste_treatment"):
        assess(household, standards[0])


# --- what would change -------------------------------------------------------------------------


def test_what_would_change_for_a_household_above_the_band(
    standards: tuple[Standard, ...],
) -> None:
    std = standards[0]
    result = assess(_household("rural", 2_600_000, 1, std), std)
    assert result.what_would_change == (
        Change(Category.AVERAGE, 2_250_000, income_above=1_500_000),
        Change(Category.NEAR_POOR, 1_500_000),
        # employment is lacking; dependents is decided by a count, so the next ones are named
        Change(Category.POOR, 1_500_000, ("nutrition", "health_insurance")),
    )
    assert ("It would be a household with an average standard of living if income per person "
            "were above 1.500.000 đ and at most 2.250.000 đ.") in explain(result, EN)
    text = explain(result, EN)
    assert ("It would be a poor household if income per person were 1.500.000 đ or less and it "
            "lacked 2 more indicators.") in text


def test_what_would_change_for_a_near_poor_household(standards: tuple[Standard, ...]) -> None:
    std = standards[1]
    result = assess(_household("urban", 2_800_000, 2, std), std)
    assert result.what_would_change == (Change(Category.POOR, None, ("health_insurance",)),)
    assert "It would be a poor household if it lacked 1 more indicator." in explain(result, EN)


def test_a_poor_household_has_nothing_to_change(standards: tuple[Standard, ...]) -> None:
    std = standards[0]
    assert assess(_household("rural", 1, 3, std), std).what_would_change == ()


# --- explanation -------------------------------------------------------------------------------


def test_vietnamese_explanation_reads_as_a_household_would_need_it(
    standards: tuple[Standard, ...], vi: Translator
) -> None:
    std = standards[0]
    household = Household(
        Area.RURAL, 4, 6_000_000, deprived=frozenset({"water", "sanitation", "health_insurance"})
    )
    text = explain(assess(household, std), vi)
    assert text[0] == "Hộ của bạn có thể thuộc diện hộ nghèo."
    assert text[1] == (
        "Kết quả tính theo chuẩn nghèo giai đoạn 2022-2025 (Nghị định 07/2021/NĐ-CP)."
    )
    assert "1.500.000 đ" in text[2] and "nông thôn" in text[2]
    assert "- Nhà chưa có nguồn nước sạch để ăn uống." in text
    assert any("UBND phường/xã" in s for s in text)
    assert any("07/2021/NĐ-CP" in s for s in text)
    assert not any(re.search(r"\b(the|household|income)\b", s) for s in text)


def test_vietnamese_explanation_of_a_household_that_is_not_poor(
    standards: tuple[Standard, ...], vi: Translator
) -> None:
    std = standards[1]
    result = assess(_household("urban", 3_000_000, 1, std), std)
    text = explain(result, vi)
    assert "không thuộc diện hộ nghèo" in text[0]
    assert any("200.000 đ" in s and "2.800.000 đ" in s for s in text)
    assert any("từ 2.800.000 đ trở xuống" in s and "thêm 2 chỉ số" in s for s in text)


def test_money_formatter_can_be_passed_in(standards: tuple[Standard, ...]) -> None:
    std = standards[0]
    result = assess(_household("rural", 1_000_000, 0, std), std)
    text = explain(result, EN, fmt_money=lambda n: f"<{n}>")
    assert "<1000000>" in text[2]


# --- the CLI contract --------------------------------------------------------------------------


def test_output_has_exactly_the_cli_keys(standards: tuple[Standard, ...]) -> None:
    out = assess_json(
        _json(monthly_income=6_000_000, deprived={"water": True, "telecom": False},
              facts={"housing_area_m2": 30, "dependents": 3}),
        standards, TODAY, EN,
    )
    assert set(out) == {
        "standard", "category", "income_per_person", "income_line", "deprived",
        "deprivation_count", "legal_basis", "explanation", "changes",
    }
    assert out["standard"] == "2022-2025"
    assert out["category"] == "poor"
    assert out["income_per_person"] == 1_500_000
    assert out["deprived"] == ["dependents", "housing_area", "water"]
    assert out["deprivation_count"] == 3
    assert "07/2021/NĐ-CP" in out["legal_basis"][0]["citation"]


@pytest.mark.parametrize(
    ("annual", "income_pp", "category"),
    [
        pytest.param(18_000_000, 1_500_000, "near_poor", id="ND07-2021-annual-at-line"),
        # 18.000.011 / 12 = 1.500.000,92 a month: above the line, compared exactly (issue 13).
        pytest.param(18_000_011, 1_500_001, "average", id="ND07-2021-annual-exact-above"),
        pytest.param(17_999_999, 1_499_999, "near_poor", id="ND07-2021-annual-exact-below"),
        pytest.param(18_000_012, 1_500_001, "average", id="ND07-2021-annual-just-above"),
    ],
)
def test_annual_income(
    standards: tuple[Standard, ...], annual: int, income_pp: int, category: str
) -> None:
    obj = _json(members=1, annual_income=annual)
    del obj["monthly_income"]
    out = assess_json(obj, standards, TODAY, EN)
    assert (out["income_per_person"], out["category"]) == (income_pp, category)


def _without(key: str) -> dict[str, Any]:
    obj = _json()
    del obj[key]
    return obj


INPUT_ERRORS = [
    (_without("area"), "area", "missing-area"),
    (_without("members"), "members", "missing-members"),
    (_without("monthly_income"), "monthly_income", "missing-income"),
    (_without("deprived"), "deprived", "missing-deprived"),
    (_json(extra=1), "extra", "unknown-field"),
    (_json(area="city"), "area", "bad-area"),
    (_json(members=0), "members", "members-below-1"),
    (_json(members="4"), "members", "members-string"),
    (_json(members=True), "members", "members-bool"),
    (_json(members=2.5), "members", "members-float"),
    (_json(monthly_income=-1), "monthly_income", "negative-monthly-income"),
    (_json(monthly_income="4tr"), "monthly_income", "income-string"),
    (_json(annual_income=1), "annual_income", "both-incomes"),
    ({**_without("monthly_income"), "annual_income": -12}, "annual_income", "negative-annual"),
    (_json(deprived=["water"]), "deprived", "deprived-not-object"),
    (_json(deprived={"water": "yes"}), "deprived.water", "deprived-not-bool"),
    (_json(deprived={"waste_treatment": True}), "deprived.waste_treatment",
     "ND07-2021-has-no-waste-treatment"),
    (_json(standard="2027-2030", deprived={"information_assets": True}),
     "deprived.information_assets", "ND351-2025-has-no-information-assets"),
    (_json(standard="2016-2020"), "standard", "unknown-standard"),
    (_json(standard=2022), "standard", "standard-not-string"),
    (_json(date="01/05/2026"), "date", "date-wrong-format"),
    (_json(date="2026-02-30"), "date", "date-not-real"),
    (_json(date="2021-06-01"), "date", "date-before-any-standard"),
    (_json(facts=[1]), "facts", "facts-not-object"),
    (_json(facts={"rooms": 2}), "facts.rooms", "facts-unknown"),
    (_json(facts={"housing_area_m2": -5}), "facts.housing_area_m2", "facts-negative-area"),
    (_json(facts={"housing_area_m2": "30"}), "facts.housing_area_m2", "facts-area-string"),
    (_json(facts={"dependents": 5}), "facts.dependents", "facts-more-dependents-than-members"),
    (_json(facts={"dependents": 1.5}), "facts.dependents", "facts-fractional-dependents"),
    (_json(deprived={"housing_area": False}, facts={"housing_area_m2": 10}),
     "deprived.housing_area", "facts-contradict-answer"),
    ("not an object", "input", "input-not-object"),
]


@pytest.mark.parametrize(
    ("obj", "field"), [pytest.param(obj, f, id=i) for obj, f, i in INPUT_ERRORS]
)
def test_bad_input_names_the_field(
    standards: tuple[Standard, ...], obj: Any, field: str
) -> None:
    with pytest.raises(InputError) as caught:
        household_from_json(obj, standards, TODAY)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_assessment_to_json_appends_the_other_standard(standards: tuple[Standard, ...]) -> None:
    old, new = standards
    household = Household(Area.URBAN, 1, 2_500_000)
    main = assess(household, old)
    other = assess(translate_household(household, old, new), new)
    out = assessment_to_json(main, EN, other=other)
    assert "Under that standard, your household would be: a near-poor household." in (
        out["explanation"]
    )
    assert isinstance(main, Assessment)


# --- the data file -----------------------------------------------------------------------------

CLI_KEYS_2022 = {
    "employment", "dependents", "nutrition", "health_insurance", "adult_education",
    "child_schooling", "housing_quality", "housing_area", "water", "sanitation", "telecom",
    "information_assets",
}


def test_packaged_data_matches_the_facts(standards: tuple[Standard, ...]) -> None:
    old, new = standards
    assert set(old.keys) == CLI_KEYS_2022
    assert set(new.keys) == CLI_KEYS_2022 - {"information_assets"} | {"waste_treatment"}
    assert old.categories.average is not None
    assert old.categories.average.deprivation_condition_confirmed is False
    assert new.categories.average is None
    assert {i.key for i in new.indicators if i.listed_confirmed} == {"employment", "dependents"}
    assert not any(i.confirmed for s in standards for i in s.indicators)
    assert old.unconfirmed and new.unconfirmed
    assert (old.effective_from, old.effective_to) == (date(2022, 1, 1), date(2026, 12, 31))
    assert (new.effective_from, new.effective_to) == (date(2027, 1, 1), date(2030, 12, 31))


def _broken(edit: Any) -> dict[str, Any]:
    raw = copy.deepcopy(_raw())
    edit(raw)
    return raw


DATA_ERRORS = [
    (lambda r: r["standards"][0]["indicators"][3].pop("confirmed"),
     "poverty_standards.yaml: standards[0].indicators[3].confirmed: field required",
     "indicator-missing-confirmed"),
    (lambda r: r["standards"][1]["income_lines"]["urban"].update(amount="2.800.000"),
     "poverty_standards.yaml: standards[1].income_lines.urban.amount: input should be a valid "
     "integer", "income-line-not-a-number"),
    (lambda r: r["standards"][0]["indicators"][0].update(sources=[]),
     "poverty_standards.yaml: standards[0].indicators[0].sources: tuple should have at least 1 "
     "item after validation, not 0", "indicator-without-source"),
    (lambda r: r["standards"][0]["categories"]["poor"].update(confirmd=True),
     "poverty_standards.yaml: standards[0].categories.poor.confirmd: extra inputs are not "
     "permitted", "typo-in-field-name"),
    (lambda r: r["standards"][0]["indicators"][1].update(key="employment"),
     "poverty_standards.yaml: standards[0].indicators[1].key: duplicate indicator 'employment'",
     "duplicate-indicator"),
    (lambda r: r["standards"][1].update(poor_threshold_count=13),
     "poverty_standards.yaml: standards[1].poor_threshold_count: 13 is more than the 12 "
     "indicators", "threshold-above-indicator-count"),
    (lambda r: r["standards"][0]["categories"]["average"]["upper"].update(rural=1_500_000),
     "poverty_standards.yaml: standards[0].categories.average.upper.rural: must be above the "
     "income line", "average-band-not-above-line"),
    (lambda r: r["standards"][1].update(effective_from=date(2026, 6, 1)),
     "poverty_standards.yaml: standards[1].effective_from: overlaps standard '2022-2025'",
     "overlapping-standards"),
    (lambda r: r["standards"][0].update(effective_to=date(2021, 1, 1)),
     "poverty_standards.yaml: standards[0].effective_to: before effective_from",
     "ends-before-it-starts"),
    (lambda r: r["standards"][0]["indicators"][0].update(question="Dưới {value} không?"),
     "poverty_standards.yaml: standards[0].indicators[0].question: unknown placeholder {value}",
     "placeholder-without-fact-rule"),
    (lambda r: r["standards"][1].update(id="2027-2025x"),
     "poverty_standards.yaml: standards[1].id: string should match pattern '^\\d{4}-\\d{4}$'",
     "malformed-standard-id"),
    (lambda r: r.pop("version"),
     "poverty_standards.yaml: version: field required", "missing-version"),
]


@pytest.mark.parametrize(
    ("edit", "message"), [pytest.param(e, m, id=i) for e, m, i in DATA_ERRORS]
)
def test_broken_data_is_rejected_with_one_clear_line(edit: Any, message: str) -> None:
    with pytest.raises(DataError) as caught:
        load_standards(_broken(edit), "poverty_standards.yaml")
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_several_errors_are_counted_not_dumped() -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["standards"][0]["indicators"][3].pop("confirmed")
        raw["standards"][0]["indicators"][4].pop("confirmed")

    with pytest.raises(DataError, match=r"field required \(and 1 more\)$"):
        load_standards(_broken(edit), "poverty_standards.yaml")


# --- the "chỉ để tham khảo" caveat (issue 13) ---------------------------------------------------


def _all_confirmed() -> dict[str, Any]:
    raw = _raw()
    for standard in raw["standards"]:
        for line in standard["income_lines"].values():
            line["confirmed"] = True
        for rule in standard["categories"].values():
            rule["confirmed"] = True
            if "deprivation_condition_confirmed" in rule:
                rule["deprivation_condition_confirmed"] = True
        for indicator in standard["indicators"]:
            indicator["confirmed"] = indicator["listed_confirmed"] = True
            if "fact_rule" in indicator:
                indicator["fact_rule"]["confirmed"] = True
    return raw


CAVEAT = "so this result is only a guide"


@pytest.mark.parametrize(
    ("edit", "caveat"),
    [
        pytest.param(lambda s: None, False, id="everything-confirmed"),
        # an indicator that is not lacking still counts: it was asked
        pytest.param(lambda s: s["indicators"][11].update(confirmed=False), True,
                     id="unconfirmed-indicator-not-lacking"),
        pytest.param(lambda s: s["indicators"][1]["fact_rule"].update(confirmed=False), True,
                     id="unconfirmed-fact-rule"),
        pytest.param(lambda s: s["indicators"][0].update(listed_confirmed=False), True,
                     id="indicator-not-confirmed-on-the-list"),
        pytest.param(lambda s: s["categories"]["near_poor"].update(confirmed=False), True,
                     id="unconfirmed-rule-of-the-result"),
        pytest.param(lambda s: s["categories"]["poor"].update(confirmed=False), True,
                     id="unconfirmed-rule-of-a-change"),
        pytest.param(lambda s: s["income_lines"]["rural"].update(confirmed=False), True,
                     id="unconfirmed-income-line"),
        pytest.param(lambda s: s["income_lines"]["urban"].update(confirmed=False), False,
                     id="unconfirmed-line-of-the-other-area"),
    ],
)
def test_the_guide_caveat_whenever_anything_used_is_unconfirmed(edit: Any, caveat: bool) -> None:
    raw = _all_confirmed()
    edit(raw["standards"][0])
    std = load_standards(raw, "edited.yaml")[0]
    result = assess(_household("rural", 1_000_000, 1, std), std)  # near-poor
    assert result.category == Category.NEAR_POOR
    assert any(CAVEAT in s for s in explain(result, EN)) is caveat


def test_the_2027_preview_has_the_caveat_too(standards: tuple[Standard, ...]) -> None:
    out = assess_json(_json(date="2026-11-15", members=1, monthly_income=2_000_000),
                      standards, TODAY, EN)
    assert any("so this too is only a guide" in s for s in out["explanation"])
    raw = _all_confirmed()
    confirmed = load_standards(raw, "edited.yaml")
    out = assess_json(_json(date="2026-11-15", members=1, monthly_income=2_000_000),
                      confirmed, TODAY, EN)
    assert not any("only a guide" in s for s in out["explanation"])


def test_a_household_above_the_line_with_three_lacking_is_never_told_near_poor(
    standards: tuple[Standard, ...], vi: Translator
) -> None:
    std = standards[0]
    result = assess(_household("urban", 2_500_000, 3, std), std)
    text = explain(result, vi)
    assert result.category == Category.AVERAGE
    assert not any("hộ cận nghèo nếu" in s for s in text)
    poor_if = ("Hộ sẽ thuộc diện hộ nghèo nếu thu nhập bình quân mỗi người từ 2.000.000 đ trở "
               "xuống.")
    assert poor_if in text


@pytest.mark.parametrize(
    ("on", "name"),
    [
        pytest.param(date(2025, 6, 1), "chuẩn nghèo giai đoạn 2022-2025 (Nghị định 07/2021/NĐ-CP)",
                     id="in-2025"),
        pytest.param(date(2026, 12, 31), "chuẩn nghèo đang áp dụng năm 2026 (chuẩn giai đoạn "
                     "2022-2025, kéo dài đến hết 2026 theo Nghị định 351/2025/NĐ-CP)",
                     id="ND351-2025-last-day-of-2026"),
    ],
)
def test_the_standard_is_named_as_people_know_it_that_year(
    standards: tuple[Standard, ...], vi: Translator, on: date, name: str
) -> None:
    out = assess_json(_json(date=on.isoformat()), standards, TODAY, vi)
    assert out["explanation"][1] == f"Kết quả tính theo {name}."
    new = assess_json(_json(date="2027-01-01"), standards, TODAY, vi)
    assert new["explanation"][1] == "Kết quả tính theo chuẩn nghèo mới (Nghị định 351/2025/NĐ-CP)."


def test_the_average_band_is_invited_to_the_review_only_as_farming_households(
    standards: tuple[Standard, ...], vi: Translator
) -> None:
    std = standards[0]
    text = explain(assess(_household("rural", 2_000_000, 0, std), std), vi)
    assert any("Nếu hộ bạn làm nông, lâm, ngư hoặc diêm nghiệp" in s for s in text)
    assert not any(s.startswith("Nếu thấy hộ mình thuộc diện này") for s in text)
    near = explain(assess(_household("rural", 1_000_000, 0, std), std), vi)
    assert any(s.startswith("Nếu thấy hộ mình thuộc diện này") for s in near)
    rich = explain(assess(_household("rural", 9_000_000, 0, std), std), vi)
    assert not any("rà soát" in s and "đề nghị" in s for s in rich)
