"""Every web address the bot can cite is on an accepted source domain (source_domains.yaml):
government portals, legal databases, the state bank and insurer, established newspapers.

A betting-site mirror, a football-news domain, a travel or classifieds site or an unrelated
finance article cannot slip back into the policy, ward, standard, target or example files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domain.sources import SourceDomains, SourceDomainsError, load_source_domains, urls_in

DATA = Path(__file__).resolve().parents[2] / "domain" / "data"
# The example import files households' data is modelled on: they are cited to people too.
CITING_FILES = sorted(
    [p for p in DATA.glob("*.yaml") if p.name != "source_domains.yaml"]
    + sorted(DATA.glob("*example*"))
)


@pytest.fixture(scope="module")
def domains() -> SourceDomains:
    raw = yaml.safe_load((DATA / "source_domains.yaml").read_text("utf-8"))
    return load_source_domains(raw, "source_domains.yaml")


def test_the_files_that_cite_sources_are_all_checked() -> None:
    names = {p.name for p in CITING_FILES}
    assert {"policies.yaml", "wards.yaml", "poverty_standards.yaml", "targets.yaml",
            "courses_example.csv"} <= names


@pytest.mark.parametrize("path", CITING_FILES, ids=lambda p: p.name)
def test_every_source_url_is_on_an_accepted_domain(path: Path, domains: SourceDomains) -> None:
    urls = urls_in(path.read_text("utf-8"))
    outside = sorted({u for u in urls if not domains.accepted(u)})
    assert outside == [], f"{path.name} cites sites outside source_domains.yaml: {outside}"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://vinh.nghean.gov.vn/trang/x", True),
        ("https://tgpl.moj.gov.vn/Pages/a.aspx?ItemID=85", True),
        ("https://www.vietnamplus.vn/a-post1.vnp", True),
        ("https://en.vietnamplus.vn/a.vnp", True),
        ("https://beta.thuvienphapluat.vn/phap-luat/x.html", True),
        ("http://ufabetindo.in/poor-and-near-poor-households-tag20763.vnp", False),
        ("https://keobongda123news.org/nguoi-thuoc-ho-ngheo-407815.html", False),
        ("https://cafef.vn/nong-dong-sang-lap-gojek-bi-bat-tam-giam-188250905161702144.chn", False),
        ("https://text.123doc.org/document/4881426.htm", False),
        ("https://dulichhoangviet.vn/phan-rang/", False),
        ("https://notgov.vn/x", False),  # a look-alike, not a sub-domain of gov.vn
        ("https://vietnamplus.vn.example.com/x", False),
    ],
)
def test_domain_rule(url: str, ok: bool, domains: SourceDomains) -> None:
    assert domains.accepted(url) is ok


def test_every_entry_has_a_kind_and_a_name(domains: SourceDomains) -> None:
    kinds = {d.kind for d in domains.domains}
    assert kinds == {"government", "legal_db", "state_body", "newspaper"}
    assert all(d.name for d in domains.domains)


def test_a_broken_entry_is_named() -> None:
    raw = {"version": 1, "domains": [{"domain": "tuoitre.vn", "kind": "blog", "name": "x"}]}
    with pytest.raises(SourceDomainsError, match=r"source_domains.yaml: domains.0.kind"):
        load_source_domains(raw, "source_domains.yaml")
    dup = {"version": 1, "domains": [{"domain": "a.vn", "kind": "newspaper", "name": "x"}] * 2}
    with pytest.raises(SourceDomainsError, match=r"domains.1.domain: duplicate 'a.vn'"):
        load_source_domains(dup, "source_domains.yaml")
