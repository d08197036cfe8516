"""The policy catalogue: start-up validation, expiry, and "what can my household get"."""

from __future__ import annotations

import copy
import importlib.resources
from datetime import date
from typing import Any

import pytest
import yaml

from domain.policies import HOUSEHOLD_CATEGORIES, Catalogue, CatalogueError, load_catalogue

TODAY = date(2026, 11, 27)


def _packaged_yaml() -> dict[str, Any]:
    text = (importlib.resources.files("domain") / "data" / "policies.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def real() -> Catalogue:
    return load_catalogue(_packaged_yaml())


def _entry(policy_id: str = "vay-a", **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": policy_id,
        "title": f"Chính sách {policy_id}",
        "category": "vay-von",
        "priority": 50,
        "summary": "Tóm tắt.",
        "eligibility": {"household_categories": ["poor"], "conditions": []},
        "benefits": [
            {
                "label": "Số tiền",
                "value": "100.000.000 đ",
                "as_of": date(2019, 3, 1),
                "as_of_quote": "\"Áp dụng từ ngày 01/03/2019.\"",
                "source": "https://example.org/a",
                "confirmed": True,
            }
        ],
        "apply": {"where": "UBND phường/xã", "papers": ["Đơn"], "contact": "UBND phường/xã"},
        "legal_basis": ["Quyết định 1/2020/QĐ-TTg"],
        "effective_from": None,
        "effective_to": None,
        "sources": ["https://example.org/a"],
        "last_reviewed": date(2026, 1, 2),
        "confirmed": True,
    }
    entry.update(changes)
    return entry


def _raw(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 1,
        "last_reviewed": date(2026, 1, 2),
        "legal_source_policy": "Mỗi con số đều có nguồn.",
        "household_categories": {c: c for c in HOUSEHOLD_CATEGORIES},
        "categories": {"vay-von": "Vay vốn ưu đãi", "nha-o": "Nhà ở"},
        "search": {"min_score": 55},
        "policies": list(entries) or [_entry()],
    }


def _problems(raw: Any, source_name: str = "policies.yaml") -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(raw, source_name=source_name)
    return caught.value.problems


# --- validation ----------------------------------------------------------------------------------


def test_packaged_catalogue_loads_and_covers_the_required_policies(real: Catalogue) -> None:
    required = {
        "vay-ho-ngheo", "vay-ho-can-ngheo", "vay-ho-moi-thoat-ngheo", "vay-hoc-sinh-sinh-vien",
        "vay-tao-viec-lam", "vay-nuoc-sach-ve-sinh", "bhyt-ho-ngheo", "bhyt-ho-can-ngheo",
        "quy-vi-nguoi-ngheo", "ho-tro-nha-o", "mien-hoc-phi", "tien-dien", "tro-giup-phap-ly",
        "tro-cap-xa-hoi-hang-thang", "tro-giup-dot-xuat", "hoc-nghe", "viec-lam",
        "ho-tro-sinh-ke", "dinh-duong-tre-em",
    }  # fmt: skip
    assert required <= {p.id for p in real.visible(TODAY)}


def test_a_valid_minimal_catalogue_loads() -> None:
    catalogue = load_catalogue(_raw())
    assert [p.id for p in catalogue.policies] == ["vay-a"]


def _set(path: str, value: Any) -> dict[str, Any]:
    """A one-entry catalogue with policies[0].<path> set (a dotted path; None deletes)."""
    raw = _raw()
    target: Any = raw["policies"][0]
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return raw


ENTRY = "policies.yaml: policies[0] (id=vay-a)"

BROKEN_ENTRIES = [
    ("effective_from", "2025-13-01", f"{ENTRY}.effective_from: invalid date"),
    ("effective_from", 2025, f"{ENTRY}.effective_from: invalid date"),
    ("last_reviewed", "hôm qua", f"{ENTRY}.last_reviewed: invalid date"),
    ("benefits.0.as_of", "01/03/2019", f"{ENTRY}.benefits[0].as_of: invalid date"),
    ("title", None, f"{ENTRY}.title: missing"),
    ("titel", "x", f"{ENTRY}.titel: unknown field"),
    ("title", "   ", f"{ENTRY}.title: String should have at least 1 character"),
    ("category", "khong-co", f"{ENTRY}.category: unknown category 'khong-co' (vay-von, nha-o)"),
    ("priority", 0, f"{ENTRY}.priority: Input should be greater than or equal to 1"),
    ("sources", ["baodongnai.com.vn"], f"{ENTRY}.sources[0]: must be a web address"),
    ("benefits", [], f"{ENTRY}.benefits: List should have at least 1 item"),
    (
        "eligibility.household_categories",
        ["rich"],
        f"{ENTRY}.eligibility.household_categories[0]: Input should be 'poor'",
    ),
    (
        "eligibility.household_categories",
        ["poor", "poor"],
        f"{ENTRY}.eligibility.household_categories: repeated category",
    ),
    ("effective_to", date(2020, 1, 1), None),  # combined with effective_from below
]


@pytest.mark.parametrize(("path", "value", "message"), [b for b in BROKEN_ENTRIES if b[2]])
def test_a_broken_field_is_named_with_file_entry_and_field(
    path: str, value: Any, message: str
) -> None:
    problems = _problems(_set(path, value))
    assert len(problems) == 1
    assert problems[0].startswith(message)


BROKEN_RULES = [
    (
        {"effective_from": date(2021, 1, 1), "effective_from_quote": "\"Từ 01/01/2021.\"",
         "effective_to": date(2020, 12, 31)},
        f"{ENTRY}.effective_to: before effective_from",
    ),
    (
        # An unconfirmed figure must not be stated as a number.
        {"confirmed": False, "note": "Hỏi UBND.", "benefits": [
            {"label": "Số tiền", "value": "50.000 đ mỗi tháng", "confirmed": False}]},
        f"{ENTRY}.benefits[0].value: an unconfirmed item must say 'chưa xác nhận'",
    ),
    (
        # A date is only the one the source gives, quoted beside it.
        {"benefits": [{"label": "Số tiền", "value": "50.000 đ", "source": "https://a.org/x",
                       "as_of": date(2020, 1, 1), "confirmed": True}]},
        f"{ENTRY}.benefits[0].as_of_quote: missing",
    ),
    (
        {"effective_from": date(2021, 1, 1)},
        f"{ENTRY}.effective_from_quote: missing",
    ),
    (
        {"effective_from_quote": "\"Có hiệu lực từ ngày 01/01/2021.\""},
        f"{ENTRY}.effective_from: missing",
    ),
    (
        {"benefits": [{"label": "Nội dung", "value": "Miễn phí", "confirmed": True}]},
        f"{ENTRY}.benefits[0].source: missing",
    ),
    (
        {"benefits": [{"label": "Số tiền", "value": "Mức cụ thể: chưa xác nhận — hỏi UBND",
                       "confirmed": False}]},
        f"{ENTRY}.confirmed: true, but benefits[0] is not confirmed",
    ),
    ({"confirmed": False}, f"{ENTRY}.note: missing"),
    ({"id": "Vay Ho Ngheo"}, "policies.yaml: policies[0] (id=Vay Ho Ngheo).id: must be lower-case"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), BROKEN_RULES)
def test_a_broken_rule_is_named_with_file_entry_and_field(
    changes: dict[str, Any], message: str
) -> None:
    problems = _problems(_raw(_entry(**changes)))
    assert len(problems) == 1
    assert problems[0].startswith(message)


def test_duplicate_ids_name_both_entries() -> None:
    problems = _problems(_raw(_entry("vay-a"), _entry("vay-a")))
    assert problems == [
        "policies.yaml: policies[1] (id=vay-a).id: duplicate id (also policies[0])"
    ]


def test_every_problem_is_reported_one_line_each_with_the_given_file_name() -> None:
    raw = _raw(_entry("vay-a", effective_from="x"), _entry("vay-b", category="khong-co"))
    problems = _problems(raw, source_name="chinh-sach.yaml")
    assert problems == ["chinh-sach.yaml: policies[0] (id=vay-a).effective_from: invalid date"]
    # Field-type problems stop before the cross-field rules; fix and rerun shows the next one.
    raw["policies"][0]["effective_from"] = None
    assert _problems(raw, source_name="chinh-sach.yaml") == [
        (
            "chinh-sach.yaml: policies[1] (id=vay-b).category: unknown category 'khong-co' "
            "(vay-von, nha-o)"
        )
    ]
    assert all("\n" not in p for p in problems)


def test_catalogue_level_problems() -> None:
    assert _problems([1, 2]) == ["policies.yaml: top level: expected a mapping of fields"]
    raw = _raw()
    del raw["household_categories"]["average"]
    assert _problems(raw) == ["policies.yaml: household_categories: missing average"]
    raw = _raw()
    raw["search"]["stopwords"] = ["bao nhiêu"]
    assert _problems(raw) == ["policies.yaml: search.stopwords[0]: must be one word"]
    raw = _raw()
    del raw["legal_source_policy"]
    assert _problems(raw) == ["policies.yaml: legal_source_policy: missing"]


def test_a_broken_packaged_entry_names_it_by_id() -> None:
    raw = copy.deepcopy(_packaged_yaml())
    index = next(i for i, p in enumerate(raw["policies"]) if p["id"] == "tien-dien")
    raw["policies"][index]["effective_from"] = "2025-02-30"
    assert _problems(raw) == [
        f"policies.yaml: policies[{index}] (id=tien-dien).effective_from: invalid date"
    ]


# --- expiry --------------------------------------------------------------------------------------


def _dated() -> Catalogue:
    return load_catalogue(
        _raw(
            _entry("vay-cu", effective_to=date(2025, 10, 31), last_reviewed=date(2025, 9, 1)),
            _entry("vay-moi", effective_from=date(2026, 1, 1),
                   effective_from_quote="\"Có hiệu lực từ ngày 01/01/2026.\""),
            _entry("vay-luon"),
        )
    )


@pytest.mark.parametrize(
    ("on", "visible", "expired"),
    [
        (date(2025, 10, 31), ["vay-cu", "vay-luon"], []),  # last day still applies
        (date(2025, 11, 1), ["vay-luon"], ["vay-cu"]),
        (date(2025, 12, 31), ["vay-luon"], ["vay-cu"]),  # not yet started is not expired
        (date(2026, 1, 1), ["vay-moi", "vay-luon"], ["vay-cu"]),
    ],
)
def test_entries_past_effective_to_are_hidden_and_listed_for_admins(
    on: date, visible: list[str], expired: list[str]
) -> None:
    catalogue = _dated()
    assert [p.id for p in catalogue.visible(on)] == visible
    assert [p.id for p in catalogue.expired(on)] == expired
    assert [p.id for p in catalogue.for_household("poor", on)] == sorted(visible)
    shown = [p.id for entries in catalogue.by_category(on).values() for p in entries]
    assert sorted(shown) == sorted(visible)


def test_expired_list_carries_the_last_review_date() -> None:
    [gone] = _dated().expired(date(2026, 1, 1))
    assert (gone.id, gone.effective_to, gone.last_reviewed) == (
        "vay-cu",
        date(2025, 10, 31),
        date(2025, 9, 1),
    )


def test_packaged_expired_entries_are_hidden_from_households(real: Catalogue) -> None:
    expired = {p.id for p in real.expired(TODAY)}
    assert expired == {"vay-tao-viec-lam-2019", "xoa-nha-tam-2024-2025"}
    for category in HOUSEHOLD_CATEGORIES:
        assert not expired & {p.id for p in real.for_household(category, TODAY)}
    # Before the 2026 job-loan rules, the old ones were the ones shown.
    shown_2025 = {p.id for p in real.for_household("average", date(2025, 6, 1))}
    assert "vay-tao-viec-lam-2019" in shown_2025
    assert "vay-tao-viec-lam" not in shown_2025


def test_by_category_without_a_date_lists_everything(real: Catalogue) -> None:
    everything = [p.id for entries in real.by_category().values() for p in entries]
    assert sorted(everything) == sorted(p.id for p in real.policies)
    assert next(iter(real.by_category(TODAY))) == "vay-von"  # catalogue's category order


# --- personal view -------------------------------------------------------------------------------

PERSONAL_VIEW = [
    # category, first entry shown, must include, must not include
    (
        "poor",
        "bhyt-ho-ngheo",
        {"vay-ho-ngheo", "ho-tro-nha-o", "tien-dien", "tro-giup-phap-ly", "dinh-duong-tre-em"},
        {"vay-ho-can-ngheo", "bhyt-ho-can-ngheo", "vay-ho-moi-thoat-ngheo"},
    ),
    (
        "near_poor",
        "bhyt-ho-can-ngheo",
        {"vay-ho-can-ngheo", "ho-tro-nha-o", "tro-giup-phap-ly", "quy-vi-nguoi-ngheo"},
        {"vay-ho-ngheo", "bhyt-ho-ngheo", "bhyt-ho-moi-thoat-ngheo"},
    ),
    (
        "newly_escaped",
        "vay-ho-moi-thoat-ngheo",
        {"vay-ho-moi-thoat-ngheo", "bhyt-ho-moi-thoat-ngheo", "ho-tro-sinh-ke", "hoc-nghe"},
        {"vay-ho-ngheo", "bhyt-ho-ngheo", "ho-tro-nha-o", "tro-giup-phap-ly"},
    ),
    (
        "average",
        "hoc-nghe",
        {"vay-tao-viec-lam", "tro-cap-xa-hoi-hang-thang", "viec-lam"},
        {"vay-ho-ngheo", "bhyt-ho-ngheo", "ho-tro-nha-o", "ho-tro-sinh-ke"},
    ),
    (
        "not_poor",
        "hoc-nghe",
        {"vay-tao-viec-lam", "tro-giup-dot-xuat", "vay-nuoc-sach-ve-sinh"},
        {"vay-ho-ngheo", "bhyt-ho-can-ngheo", "dinh-duong-tre-em", "quy-vi-nguoi-ngheo"},
    ),
]


@pytest.mark.parametrize(("category", "first", "included", "excluded"), PERSONAL_VIEW)
def test_personal_view_per_household_category(
    real: Catalogue, category: str, first: str, included: set[str], excluded: set[str]
) -> None:
    shown = real.for_household(category, TODAY)
    ids = [p.id for p in shown]
    assert ids[0] == first
    assert included <= set(ids)
    assert not excluded & set(ids)
    priorities = [p.priority for p in shown]
    assert priorities == sorted(priorities, reverse=True)


def test_personal_view_orders_by_priority_then_title() -> None:
    catalogue = load_catalogue(
        _raw(
            _entry("vay-b", title="Bảo hiểm", priority=40),
            _entry("vay-c", title="Vay vốn", priority=90),
            _entry("vay-d", title="Ăn uống", priority=40),
            _entry("vay-e", priority=99, eligibility={"household_categories": ["near_poor"]}),
        )
    )
    assert [p.id for p in catalogue.for_household("poor", TODAY)] == ["vay-c", "vay-d", "vay-b"]
    assert [p.id for p in catalogue.for_household("near_poor", TODAY)] == ["vay-e"]
    assert catalogue.for_household("average", TODAY) == []


def test_unknown_household_category_is_an_error(real: Catalogue) -> None:
    with pytest.raises(ValueError, match="unknown household category 'ngheo'"):
        real.for_household("ngheo", TODAY)
