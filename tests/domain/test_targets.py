"""Reading a target an admin types, and which targets a year uses (the admin's, else the file)."""

from __future__ import annotations

import pytest

from domain.targets import RateTarget, TargetBook, YearTargets, for_year, parse_rate_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,30 1,15 71", (1.30, 1.15, 71)),
        ("1.30 → 1.15, 71 hộ", (1.30, 1.15, 71)),
        ("3,11% 2,91% 95", (3.11, 2.91, 95)),
        ("1,30 1,50 71", None),  # the rate goes up: not a reduction target
        ("1,30 71", None),
        ("1,30 1,15 7,5", None),  # households are whole
        ("", None),
    ],
)
def test_parse_rate_line(text: str, expected: tuple[float, float, int] | None) -> None:
    target = parse_rate_line(text)
    got = None if target is None else (target.rate_from, target.rate_to, target.reduce_by)
    assert got == expected


def _year(year: int, title: str) -> YearTargets:
    rate = RateTarget(rate_from=1.0, rate_to=0.5, reduce_by=3)
    return YearTargets(year=year, city="X", title=title, confirmed=True, sources=("doc",),
                       poor=rate, near_poor=rate)


def test_the_admins_targets_win_over_the_file() -> None:
    book = TargetBook(version=1, targets=(_year(2023, "file"),))
    assert for_year(None, book, 2023).title == "file"  # type: ignore[union-attr]
    assert for_year(_year(2023, "admin"), book, 2023).title == "admin"  # type: ignore[union-attr]
    assert for_year(None, book, 2026) is None
    assert for_year(None, None, 2026) is None
