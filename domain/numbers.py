"""Reading the numbers Vietnamese users type: money amounts ("4,5tr", "4 triệu rưỡi", "sáu trăm
nghìn"), counts ("5 người", "năm", "mười hai") and floor areas ("40 m2", "5x8"). Pure
functions, no I/O: each returns None when it is not sure, and the caller asks again with an
example. Part of what `domain.text` offers the dialogs.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from domain.folding import fold, fold_plain

__all__ = ["parse_area", "parse_int", "parse_money"]


# --- money -------------------------------------------------------------------------------------

_MAX_MONEY = 10**15  # beyond any household sum; keeps junk digit strings out of the database
_UNIT_VALUES: dict[str, int] = {
    "ty": 10**9,
    "ti": 10**9,
    "trieu": 10**6,
    "tr": 10**6,
    "cu": 10**6,  # slang: "3 củ" = 3 triệu
    "nghin": 10**3,
    "ngin": 10**3,
    "ngan": 10**3,
    "k": 10**3,
}
# Longest spellings first so "trieu" is not read as "tr" + "ieu".
_MONEY_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|trieu|tr|ty|ti|cu|nghin|ngin|ngan|k|ruoi")
_MONEY_PREFIX = re.compile(r"^(?:khoang|tam|chung|co|duoc|vnd)+")
_MONEY_PER_MONTH = re.compile(r"(?:/|moi|mot|1)thang$")
_MONEY_CURRENCY = re.compile(r"(?:vnd|dong|d)$")


def parse_money(s: str) -> int | None:
    """Read a VND amount the way people type it; None for garbage, negatives or empty text.

    Rules, applied after `fold` and removing all spaces:

    - Currency words are ignored: "đ", "đồng", "vnd", "vnđ" (before or after), and a trailing
      "/tháng", "mỗi tháng", "một tháng"; so are leading "khoảng", "tầm", "chừng", "có", "được".
    - Units: "tỷ"/"tỉ" = 10^9; "triệu"/"tr"/"củ" = 10^6; "nghìn"/"ngàn"/"k" = 10^3. Several
      "number unit" groups add up when the units go down and each lower group is below 1000:
      "2 triệu 350 nghìn" = 2.350.000.
    - "rưỡi" after a unit adds half of it: "4 triệu rưỡi" = 4.500.000.
    - A bare number of at most 3 digits after the last unit gives the leading digits of the next
      lower 3-digit group, as it is spoken: "4tr5" = "4 tr 5" = "4tr500" = 4.500.000,
      "1 triệu 2" = 1.200.000, "1tr25" = 1.250.000, "4tr05" = 4.050.000, "5k5" = 5.500.
    - Separators: "." or "," followed by exactly 3 digits is a thousands separator
      ("4.500" = "4,500" = 4.500, "4.500.000" = 4.500.000). Otherwise the last "." or "," is a
      decimal separator, accepted only when a unit follows ("4,5 triệu", "4.5tr", "1,2 tr");
      "4,5" alone is None because nobody means four and a half đồng.
    - Numbers may be spelt in words, with or without diacritics, and "trăm" (hundred) works in
      words and after digits: "sáu triệu" = 6.000.000, "mười lăm triệu", "hai triệu rưỡi",
      "sáu trăm nghìn" = "6 trăm nghìn" = 600.000, "năm trăm ngàn", "một trăm linh năm nghìn".
      A leading "tầm" before a number is "about", not "tám" (8): "tầm sáu triệu" = 6.000.000.
    - The result must be a whole number of đồng and at most 10^15.
    """
    words = _money_number_words(fold(s))
    if words is None:
        return None
    text = _strip_money_words(words.replace(" ", ""))
    if not text:
        return None
    tokens = _tokenise_money(text)
    if tokens is None:
        return None
    amount = _evaluate_money(tokens)
    if amount is None or amount < 0 or amount > _MAX_MONEY or amount != amount.to_integral():
        return None
    return int(amount)


_MONEY_FILLERS = frozenset({"khoang", "tam", "chung", "co", "duoc"})
_HUNDRED = "tram"
_ZERO_TENS = frozenset({"linh", "le"})


def _money_number_words(folded: str) -> str | None:
    """`folded` with spelt numbers turned into digits ("sau tram nghin" → "600 nghin");
    None when a run of number words is not one number ("ba bon trieu")."""
    words = folded.split()
    if len(words) >= 2 and words[0] in _MONEY_FILLERS and (
        words[1][0].isdigit() or _starts_number(words, 1)
    ):
        words = words[1:]
    out: list[str] = []
    i = 0
    while i < len(words):
        if not _starts_number(words, i):
            out.append(words[i])
            i += 1
            continue
        value, i = _read_spelt_number(words, i)
        if value is None:
            return None
        out.append(str(value))
    return " ".join(out)


def _starts_number(words: list[str], i: int) -> bool:
    word = words[i]
    if word in _NUMBER_WORDS or word == _HUNDRED:
        return True
    return word.isdigit() and i + 1 < len(words) and words[i + 1] == _HUNDRED


def _read_spelt_number(words: list[str], i: int) -> tuple[int | None, int]:
    """A number from 0 to 999 spelt in words (or "6 trăm") starting at `i`, and where it ends."""
    hundreds = None
    if words[i] == _HUNDRED:  # "trăm nghìn" = one hundred thousand
        hundreds, i = 1, i + 1
    elif i + 1 < len(words) and words[i + 1] == _HUNDRED:
        head = int(words[i]) if words[i].isdigit() else _DIGITS.get(words[i])
        if head is None or not 1 <= head <= 9:
            return None, i
        hundreds, i = head, i + 2
    if hundreds is not None and i + 1 < len(words) and words[i] in _ZERO_TENS:
        unit = _DIGITS.get(words[i + 1])
        if not unit:
            return None, i
        return hundreds * 100 + unit, i + 2
    end = i
    while end < len(words) and words[end] in _NUMBER_WORDS:
        end += 1
    if end == i:
        return (hundreds * 100 if hundreds is not None else None), i
    rest = _number_from_words(words[i:end])
    if rest is None:
        return None, end
    return (hundreds or 0) * 100 + rest, end


def _strip_money_words(text: str) -> str:
    text = _MONEY_PREFIX.sub("", text)
    text = _MONEY_PER_MONTH.sub("", text)
    return _MONEY_CURRENCY.sub("", text)


def _tokenise_money(text: str) -> list[str] | None:
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _MONEY_TOKEN.match(text, pos)
        if match is None:
            return None
        tokens.append(match.group())
        pos = match.end()
    return tokens


def _evaluate_money(tokens: list[str]) -> Decimal | None:
    """Walk "number unit [rưỡi]" groups, then an optional bare tail; None on any misuse."""
    total = Decimal(0)
    last_unit: int | None = None
    last_number = Decimal(0)
    i = 0
    while i < len(tokens):
        number_token = tokens[i]
        if not number_token[0].isdigit():
            return None
        unit = _UNIT_VALUES.get(tokens[i + 1]) if i + 1 < len(tokens) else None
        if unit is None:
            # A number without a unit: the whole amount, or the spoken tail after a unit.
            if i + 1 != len(tokens):
                return None
            if last_number != last_number.to_integral():
                return None  # "4,5tr5" mixes two ways of saying the fraction
            return _add_tail(total, number_token, last_unit)
        number = _read_number(number_token, decimal_allowed=True)
        if number is None or (last_unit is not None and (unit >= last_unit or number >= 1000)):
            return None
        total += number * unit
        last_unit, last_number = unit, number
        i += 2
        if i < len(tokens) and tokens[i] == "ruoi":
            if number != number.to_integral():
                return None
            total += Decimal(unit) / 2
            i += 1
            if i != len(tokens):
                return None
    return total


def _add_tail(total: Decimal, token: str, last_unit: int | None) -> Decimal | None:
    if last_unit is None:
        return _read_number(token, decimal_allowed=False)
    if not token.isdigit() or len(token) > 3:
        return None
    padded = int(token.ljust(3, "0"))
    return total + Decimal(padded * (last_unit // 1000))


def _read_number(token: str, *, decimal_allowed: bool) -> Decimal | None:
    """Digits with "." or "," separators, by the thousands-or-decimal rule of `parse_money`."""
    groups = re.split(r"[.,]", token)
    if len(groups) == 1:
        return Decimal(token)
    if _is_thousands(token):
        return Decimal("".join(groups))
    if not decimal_allowed:
        return None
    integer_part, fraction = token[: -len(groups[-1]) - 1], groups[-1]
    separator = token[len(integer_part)]
    if integer_part and not integer_part.isdigit():
        # "1.234,5": the integer part must itself use the other separator for thousands.
        if separator in integer_part or not _is_thousands(integer_part):
            return None
    try:
        return Decimal(re.sub(r"[.,]", "", integer_part) + "." + fraction)
    except InvalidOperation:
        return None


def _is_thousands(token: str) -> bool:
    separators = set(re.findall(r"[.,]", token))
    groups = re.split(r"[.,]", token)
    return (
        len(separators) == 1
        and 1 <= len(groups[0]) <= 3
        and all(len(group) == 3 for group in groups[1:])
    )


# --- counts ------------------------------------------------------------------------------------

_DIGITS = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
# Spellings used only after "mười"/"mươi": "mười lăm" = 15, "hai mươi mốt" = 21.
_UNIT_AFTER_TENS = {**_DIGITS, "lam": 5, "nham": 5}
_NUMBER_WORDS = frozenset(_UNIT_AFTER_TENS) | {"muoi"}
_COUNT_FILLERS = frozenset({"co", "khoang", "tam", "chung", "gom", "la"})
# Not glued to a letter, sign or separator before; no digit or decimal part after.
_LONE_INTEGER = re.compile(r"(?<![0-9a-z.,\-+])\d+(?![0-9]|[.,]\d)")


def parse_int(s: str) -> int | None:
    """Read a non-negative whole count: "5", " 5 người", "có 3 người", "năm", "mười hai".

    Digits win when present, and there must be exactly one run of them, not glued to a letter
    before it or to a separator ("5.5", "-1", "2 hoặc 3" are None). Without digits, Vietnamese
    number words from "không" (0) to "chín mươi chín" (99) are read at the start of the text,
    with or without diacritics; the words after them must not be numbers ("ba bốn người" is
    None because the household has to pick one).
    """
    folded = fold(s)
    if any(ch.isdigit() for ch in folded):
        return _parse_digit_count(folded)
    return _parse_count_words(fold_plain(s).split())


def _parse_digit_count(folded: str) -> int | None:
    runs = re.findall(r"\d+", folded)
    lone = _LONE_INTEGER.findall(folded)
    if len(runs) != 1 or len(lone) != 1:
        return None
    return int(lone[0])


def _parse_count_words(words: list[str]) -> int | None:
    if len(words) >= 2 and words[0] in _COUNT_FILLERS and words[1] in _NUMBER_WORDS:
        words = words[1:]  # "tầm năm người"; a lone "tám" stays the number 8
    prefix_length = 0
    while prefix_length < len(words) and words[prefix_length] in _NUMBER_WORDS:
        prefix_length += 1
    if prefix_length == 0:
        return None
    return _number_from_words(words[:prefix_length])


def _number_from_words(words: list[str]) -> int | None:
    match words:
        case [single] if single in _DIGITS:
            return _DIGITS[single]
        case ["muoi"]:
            return 10
        case ["muoi", unit] if unit in _UNIT_AFTER_TENS and _UNIT_AFTER_TENS[unit] > 0:
            return 10 + _UNIT_AFTER_TENS[unit]
        case [tens, "muoi"] if _DIGITS.get(tens, 0) >= 2:
            return 10 * _DIGITS[tens]
        case [tens, "muoi", unit] if _DIGITS.get(tens, 0) >= 2 and _UNIT_AFTER_TENS.get(unit):
            return 10 * _DIGITS[tens] + _UNIT_AFTER_TENS[unit]
    return None


# --- floor area ----------------------------------------------------------------------------------

_AREA_UNIT = re.compile(r"\s*(?:m2|m²|met vuong|met|m)\s*$")
_AREA_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_AREA_PRODUCT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(?:m\s*)?[x*×]\s*(\d+(?:[.,]\d+)?)$")


def parse_area(s: str) -> Decimal | None:
    """A floor area in m²: "40", "40 m2", "40m²", "khoảng 40 mét vuông", "35,5", or a house's
    sides "5x8" / "5 m x 8 m" (= 40). None for anything else, including numbers in words (an
    area spelt out is rare, and "không" must not read as 0 m²)."""
    text = fold(s).replace("×", "x")
    for filler in ("khoang ", "tam ", "chung ", "rong ", "co "):
        text = text.removeprefix(filler)
    text = _AREA_UNIT.sub("", text).strip()
    product = _AREA_PRODUCT.match(_AREA_UNIT.sub("", text.replace(" m x", " x")))
    if product:
        a, b = (Decimal(g.replace(",", ".")) for g in product.groups())
        return a * b
    if not _AREA_NUMBER.match(text):
        return None
    return Decimal(text.replace(",", "."))
