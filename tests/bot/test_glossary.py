"""The Vietnamese catalog follows locales/glossary.yaml: no forbidden variant in any msgstr, and
none of the abolished offices or units (Phòng LĐ-TB&XH, UBND cấp huyện, thị trấn) in the text a
household reads from the data files either."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = yaml.safe_load((ROOT / "locales" / "glossary.yaml").read_text("utf-8"))
TERMS = GLOSSARY["terms"]


def _catalog_strings() -> list[tuple[str, str]]:
    with (ROOT / "locales" / "vi" / "LC_MESSAGES" / "giamngheo.po").open("rb") as f:
        catalog = read_po(f)
    out: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        out += [(msgid, s) for s in strings if s]
    return out


def _texts(node: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _texts(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [t for i, v in enumerate(node) for t in _texts(v, f"{path}[{i}]")]
    return []


def _places_to_go() -> list[tuple[str, str]]:
    """Where the data sends a household: each policy's "where to apply" and contact, each
    ward's office, the labour office's display name, and the example import files (courses,
    jobs, households, visits: their place and contact columns are shown as they are). History ("không còn cấp huyện", a decree's symbol,
    what a ward was formed from) is not a place to go and is not checked."""
    data = ROOT / "domain" / "data"
    policies = yaml.safe_load((data / "policies.yaml").read_text("utf-8"))
    wards = yaml.safe_load((data / "wards.yaml").read_text("utf-8"))
    texts: list[tuple[str, str]] = []
    for entry in policies["policies"]:
        where = f"policies.yaml:{entry['id']}"
        texts += _texts(entry["apply"], f"{where}.apply")
        texts += _texts([b["value"] for b in entry["benefits"]], f"{where}.benefits")
    office = {k: v for k, v in wards["office_contact"].items() if k in ("name", "address", "phone")}
    texts += _texts(office, "wards.yaml:office_contact")
    texts.append(("wards.yaml:labour_office.display_name", wards["labour_office"]["display_name"]))
    current = next(lst for lst in wards["lists"] if lst.get("current"))
    for unit in current["units"]:
        office = {k: v for k, v in unit.get("office", {}).items()
                  if k in ("name", "address", "phone", "note")}
        texts += _texts(office, f"wards.yaml:{unit['name']}.office")
    for example in sorted(data.glob("*example*.csv")):  # what officers import is modelled on them
        texts += [(f"{example.name}:{n}", line) for n, line in
                  enumerate(example.read_text("utf-8").splitlines(), 1)]
    return texts


@pytest.mark.parametrize("term", TERMS, ids=[t["id"] for t in TERMS])
def test_the_catalog_follows_the_glossary(term: dict[str, Any]) -> None:
    flags = re.IGNORECASE if term.get("ignore_case") else 0
    patterns = [re.compile(p, flags) for p in term["forbidden"]]
    hits = [(msgid, s) for msgid, s in _catalog_strings() if any(p.search(s) for p in patterns)]
    assert hits == [], f"{term['id']}: use {term['use']!r} instead, in: {hits}"


@pytest.mark.parametrize(
    "term", [t for t in TERMS if t["scope"] == "all"], ids=lambda t: t["id"]
)
def test_no_household_facing_data_names_an_abolished_office_or_variant(
    term: dict[str, Any]
) -> None:
    patterns = [re.compile(p) for p in term["forbidden"]]
    hits = [(where, s) for where, s in _places_to_go()
            if any(p.search(s) for p in patterns)]
    assert hits == [], f"{term['id']}: {hits}"


def test_the_glossary_catches_what_the_review_found() -> None:
    """Each forbidden pattern matches the variant it was written for (a pattern that matches
    nothing would make the tests above pass vacuously)."""
    samples = {
        "labour_office": "hỏi Phòng LĐ-TB&XH",
        "abolished_units": "báo cáo UBND cấp huyện",
        "unconfirmed": "CHƯA XÁC NHẬN",
        "bot_voice": "cho Phòng Lao động xem hồ sơ tìm việc của tôi",
        "type_vs_enter": "Gõ một con số",
        "ward_officer": "Mời cán bộ phường",
        "household": "các hộ dân",
    }
    for term in TERMS:
        assert any(re.search(p, samples[term["id"]]) for p in term["forbidden"]), term["id"]
