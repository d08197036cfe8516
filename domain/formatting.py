"""Showing money, numbers, dates and times the Vietnamese way, and reading typed dates and times.

Money is "1.500.000 đ", dates "dd/mm/yyyy", times "HH:mm" in Asia/Ho_Chi_Minh; babel's vi_VN
locale supplies the separators. Pure functions, no I/O: `today` is a parameter so callers pass
their clock and tests pass a fixed day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal

from domain.folding import fold

__all__ = [
    "DEFAULT_TZ",
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "parse_date",
    "parse_time",
]

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
_LOCALE = "vi_VN"


def format_money(amount: int) -> str:
    """1500000 → "1.500.000 đ"."""
    return format_decimal(amount, locale=_LOCALE) + " đ"


def format_number(n: int | float) -> str:
    """1234 → "1.234", 4.5 → "4,5" (at most 3 decimals, as babel rounds)."""
    return format_decimal(n, locale=_LOCALE)


def format_date(d: date) -> str:
    """date(2026, 11, 27) → "27/11/2026"."""
    return babel_format_date(d, "dd/MM/yyyy", locale=_LOCALE)


def format_datetime(dt: datetime, tz: str = DEFAULT_TZ) -> str:
    """A moment as "14:05 27/11/2026" in `tz`; a naive datetime is taken to be UTC.

    Naive means UTC because the database stores UTC; converting here, once, keeps every
    message in the household's own clock.
    """
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(tz))
    return babel_format_datetime(local, "HH:mm dd/MM/yyyy", tzinfo=local.tzinfo, locale=_LOCALE)


# --- reading dates and times -------------------------------------------------------------------

_RELATIVE_DAYS = {
    "hom nay": 0,
    "nay": 0,
    "ngay mai": 1,
    "mai": 1,
    "ngay kia": 2,
    "ngay mot": 2,
    "hom qua": -1,
}
_NUMERIC_DATE = re.compile(
    r"^(?:ngay\s*)?(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{4}|\d{2}))?$"
)


MAX_DATE_CHARS = 40


def parse_date(s: str, today: date) -> date | None:
    """Read "27/11/2026", "7/1/2026", "27-11-2026", "27.11.26", "27/11", "hôm nay", "ngày mai".

    Day first, always. Without a year the date is in `today`'s year (kept simple on purpose:
    the caller checks whether a past date makes sense). A two-digit year is 20yy. "ngày kia" /
    "ngày mốt" is the day after tomorrow, "hôm qua" yesterday. Impossible dates are None.
    """
    if len(s) > MAX_DATE_CHARS:  # "thứ hai, ngày 27/11/2026" is the longest anyone types
        return None
    text = fold(s).rstrip(".!")
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    match = _NUMERIC_DATE.match(text)
    if match is None:
        return None
    day, month, year_text = match.groups()
    year = today.year if year_text is None else int(year_text)
    if year_text is not None and len(year_text) == 2:
        year += 2000
    try:
        return date(year, int(month), int(day))
    except ValueError:
        return None


_TIME = re.compile(
    r"^(\d{1,2})\s*(?:(?::|h|g|gio)\s*(?:(\d{1,2})|(ruoi))?\s*(?:p|ph|phut)?)"
    r"\s*(sang|trua|chieu|toi|dem)?$"
)
_AFTERNOON = frozenset({"chieu", "toi"})


def parse_time(s: str) -> time | None:
    """Read "8h", "8:30", "08h30", "8 giờ", "8 giờ 30 phút", "8h rưỡi", "2h chiều".

    "chiều"/"tối" move hours 1..11 to the afternoon ("2h chiều" = 14:00); "trưa" moves 1..4
    ("1h trưa" = 13:00). Hours 0..23 and minutes 0..59; anything else is None.
    """
    if len(s) > MAX_DATE_CHARS:
        return None
    match = _TIME.match(fold(s).rstrip("."))
    if match is None:
        return None
    hour_text, minute_text, half, period = match.groups()
    hour = int(hour_text)
    minute = 30 if half else int(minute_text or 0)
    if (period in _AFTERNOON and 1 <= hour <= 11) or (period == "trua" and 1 <= hour <= 4):
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
