"""How money, numbers, dates and times look to a household, and how typed dates/times are read."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from domain.formatting import (
    format_date,
    format_datetime,
    format_money,
    format_number,
    parse_date,
    parse_time,
)

TODAY = date(2026, 5, 10)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        pytest.param(1_500_000, "1.500.000 đ", id="millions"),
        pytest.param(0, "0 đ", id="zero"),
        pytest.param(999, "999 đ", id="below-thousand"),
        pytest.param(1_000, "1.000 đ", id="at-thousand"),
        pytest.param(2_250_000_000, "2.250.000.000 đ", id="billions"),
        pytest.param(-500_000, "-500.000 đ", id="negative"),
    ],
)
def test_format_money(amount: int, expected: str) -> None:
    assert format_money(amount) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        pytest.param(1234, "1.234", id="int-thousands"),
        pytest.param(4.5, "4,5", id="decimal-comma"),
        pytest.param(12, "12", id="small-int"),
        pytest.param(1234.5, "1.234,5", id="both-separators"),
    ],
)
def test_format_number(n: int | float, expected: str) -> None:
    assert format_number(n) == expected


def test_format_date_is_day_month_year() -> None:
    assert format_date(date(2026, 11, 27)) == "27/11/2026"
    assert format_date(date(2026, 1, 7)) == "07/01/2026"


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        pytest.param(datetime(2026, 11, 27, 7, 5), "14:05 27/11/2026", id="naive-is-utc"),
        pytest.param(
            datetime(2026, 11, 27, 7, 5, tzinfo=UTC), "14:05 27/11/2026", id="aware-utc"
        ),
        pytest.param(
            datetime(2026, 11, 27, 17, 30, tzinfo=UTC), "00:30 28/11/2026", id="crosses-midnight"
        ),
        pytest.param(
            datetime(2026, 11, 27, 14, 5, tzinfo=timezone(timedelta(hours=7))),
            "14:05 27/11/2026",
            id="already-vietnam-time",
        ),
    ],
)
def test_format_datetime_in_vietnam_time(dt: datetime, expected: str) -> None:
    assert format_datetime(dt) == expected


def test_format_datetime_other_zone() -> None:
    assert format_datetime(datetime(2026, 11, 27, 7, 5), tz="UTC") == "07:05 27/11/2026"


DATE_ROWS = [
    ("dd-mm-yyyy-slash", "27/11/2026", date(2026, 11, 27)),
    ("d-m-yyyy", "7/1/2026", date(2026, 1, 7)),
    ("dd-mm-yyyy-dash", "27-11-2026", date(2026, 11, 27)),
    ("dd-mm-yyyy-dot", "27.11.2026", date(2026, 11, 27)),
    ("two-digit-year", "27/11/26", date(2026, 11, 27)),
    ("dd-mm-this-year", "27/11", date(2026, 11, 27)),
    ("dd-mm-already-passed-still-this-year", "1/1", date(2026, 1, 1)),
    ("spaces", " 27 / 11 / 2026 ", date(2026, 11, 27)),
    ("ngay-prefix", "ngày 5/6", date(2026, 6, 5)),
    ("hom-nay", "hôm nay", TODAY),
    ("hom-nay-plain", "hom nay", TODAY),
    ("hom-nay-nfd", unicodedata.normalize("NFD", "Hôm nay"), TODAY),
    ("ngay-mai", "ngày mai", date(2026, 5, 11)),
    ("mai", "Mai", date(2026, 5, 11)),
    ("ngay-kia", "ngày kia", date(2026, 5, 12)),
    ("hom-qua", "hôm qua", date(2026, 5, 9)),
    ("leap-day", "29/02/2028", date(2028, 2, 29)),
    ("not-leap-day", "29/02/2026", None),
    ("day-32", "32/1/2026", None),
    ("month-13", "1/13/2026", None),
    ("day-zero", "0/1/2026", None),
    ("three-digit-year", "1/1/202", None),
    ("month-name", "27 tháng 11", None),
    ("garbage", "sắp tới", None),
    ("empty", "", None),
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [pytest.param(given, expected, id=case_id) for case_id, given, expected in DATE_ROWS],
)
def test_parse_date(given: str, expected: date | None) -> None:
    assert parse_date(given, TODAY) == expected


TIME_ROWS = [
    ("h", "8h", time(8, 0)),
    ("colon", "8:30", time(8, 30)),
    ("h-minutes-padded", "08h30", time(8, 30)),
    ("gio", "8 giờ", time(8, 0)),
    ("gio-plain", "8 gio", time(8, 0)),
    ("gio-phut", "8 giờ 30 phút", time(8, 30)),
    ("h-ruoi", "8h rưỡi", time(8, 30)),
    ("g-short", "8g15", time(8, 15)),
    ("upper-H", "14H", time(14, 0)),
    ("chieu", "2h chiều", time(14, 0)),
    ("toi", "7 giờ tối", time(19, 0)),
    ("trua", "1h trưa", time(13, 0)),
    ("sang", "9h sáng", time(9, 0)),
    ("midnight", "0h", time(0, 0)),
    ("last-minute", "23:59", time(23, 59)),
    ("hour-24", "24h", None),
    ("minute-60", "8:60", None),
    ("bare-number", "8", None),
    ("garbage", "sáng mai", None),
    ("empty", "", None),
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [pytest.param(given, expected, id=case_id) for case_id, given, expected in TIME_ROWS],
)
def test_parse_time(given: str, expected: time | None) -> None:
    assert parse_time(given) == expected
