"""Tables of what Vietnamese users really type, and what the bot must understand from it."""

from __future__ import annotations

import unicodedata

import pytest

from domain.folding import fold, fold_plain
from domain.numbers import parse_int, parse_money
from domain.text import is_back, is_greeting, match_choice, parse_phone, parse_yes_no


def nfd(s: str) -> str:
    """The decomposed form some keyboards (and macOS copy-paste) send."""
    return unicodedata.normalize("NFD", s)


def cases(rows: list[tuple[str, object, object]]) -> list[object]:
    """(id, input, expected) rows → pytest params with readable ids."""
    return [pytest.param(given, expected, id=case_id) for case_id, given, expected in rows]


# --- fold --------------------------------------------------------------------------------------

FOLD_ROWS = [
    ("brief-example", "Bảo hiểm Y TẾ ", "bao hiem y te"),
    ("nfd-input", nfd("Bảo hiểm Y TẾ"), "bao hiem y te"),
    ("d-stroke-lower", "đồng", "dong"),
    ("d-stroke-upper", "ĐỒNG Ý", "dong y"),
    ("collapse-whitespace", "  hộ \t nghèo \n ", "ho ngheo"),
    ("nbsp", "cận\u00a0nghèo", "can ngheo"),
    ("zero-width-space-dropped", "ng\u200bhèo", "ngheo"),
    ("all-tones-of-a", "a à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ", " ".join(["a"] * 18)),
    ("o-horn-u-horn", "ơ ờ ư ừ ô ồ", "o o u u o o"),
    ("empty", "", ""),
]


@pytest.mark.parametrize(("given", "expected"), cases(FOLD_ROWS))
def test_fold(given: str, expected: str) -> None:
    assert fold(given) == expected


def test_fold_plain_drops_emoji_and_punctuation() -> None:
    assert fold_plain("📋 Tự đánh giá (hộ nghèo)!") == "tu danh gia ho ngheo"


# --- money -------------------------------------------------------------------------------------

MONEY_ROWS = [
    ("plain-digits", "4500000", 4_500_000),
    ("dot-thousands", "4.500.000", 4_500_000),
    ("comma-thousands", "4,500,000", 4_500_000),
    ("space-thousands", "4 500 000", 4_500_000),
    ("decimal-dot-trieu", "4.5 triệu", 4_500_000),
    ("decimal-comma-trieu", "4,5 triệu", 4_500_000),
    ("decimal-comma-tr-glued", "4,5tr", 4_500_000),
    ("tr-tail-1-digit", "4tr5", 4_500_000),
    ("tr-tail-spaced", "4 tr 5", 4_500_000),
    ("tr-tail-3-digits", "4tr500", 4_500_000),
    ("tr-tail-2-digits", "1tr25", 1_250_000),
    ("tr-tail-leading-zero", "4tr05", 4_050_000),
    ("k", "450k", 450_000),
    ("k-upper", "450K", 450_000),
    ("nghin", "450 nghìn", 450_000),
    ("ngan", "450 ngàn", 450_000),
    ("ngan-no-diacritics", "450 ngan", 450_000),
    ("nghin-no-diacritics", "450 nghin", 450_000),
    ("trieu-ruoi", "4 triệu rưỡi", 4_500_000),
    ("trieu-ruoi-no-diacritics", "4 trieu ruoi", 4_500_000),
    ("trieu-ruoi-nfd", nfd("4 triệu rưỡi"), 4_500_000),
    ("trieu-tail", "1 triệu 2", 1_200_000),
    ("trieu-and-nghin", "2 triệu 350 nghìn", 2_350_000),
    ("tr-and-k-glued", "2tr350k", 2_350_000),
    ("decimal-comma-tr-spaced", "1,2 tr", 1_200_000),
    ("slang-cu", "3 củ", 3_000_000),
    ("slang-cu-no-diacritics", "3 cu", 3_000_000),
    ("dong-sign", "500.000đ", 500_000),
    ("dong-word", "500000 đồng", 500_000),
    ("vnd", "500000 vnd", 500_000),
    ("vnd-upper-prefix", "VNĐ 500.000", 500_000),
    ("zero", "0", 0),
    ("zero-dong", "0 đồng", 0),
    ("ty", "1 tỷ", 1_000_000_000),
    ("ti-spelling", "1 tỉ 2", 1_200_000_000),
    ("k-tail", "5k5", 5_500),
    ("per-month", "4 triệu/tháng", 4_000_000),
    ("per-month-words", "4 triệu đồng mỗi tháng", 4_000_000),
    ("about", "khoảng 3 triệu", 3_000_000),
    ("about-tam", "tầm 3tr", 3_000_000),
    ("mixed-separators", "1.234,5 tr", 1_234_500_000),
    # The ambiguity rule: 3 digits after the separator is thousands, anything else is a
    # decimal only with a unit.
    ("ambiguous-dot-3-digits", "4.500", 4_500),
    ("ambiguous-comma-3-digits", "4,500", 4_500),
    ("dot-3-digits-with-unit-is-thousands", "4.500 triệu", 4_500_000_000),
    ("decimal-without-unit", "4.5", None),
    ("decimal-2-digits-without-unit", "4,50", None),
    ("dot-4-digits", "4.5000", None),
    ("bad-thousand-groups", "45.00.000", None),
    ("leading-group-too-long", "4500.000", None),
    ("two-decimal-points", "4.5.6 tr", None),
    ("trailing-dot", "4.", None),
    ("negative", "-500000", None),
    ("negative-with-unit", "-4 triệu", None),
    ("empty", "", None),
    ("spaces-only", "   ", None),
    ("garbage-word", "không biết", None),
    ("unit-only", "triệu", None),
    ("unit-before-number", "tr5", None),
    ("currency-only", "đồng", None),
    ("units-going-up", "5 nghìn 2 triệu", None),
    ("same-unit-twice", "4tr5tr", None),
    ("lower-group-too-big", "2 triệu 1500 nghìn", None),
    ("tail-too-long", "2 triệu 3500", None),
    ("ruoi-without-unit", "4 rưỡi", None),
    ("decimal-and-tail", "4,5tr5", None),
    ("fraction-of-a-dong", "1,2345 k", None),
    ("two-numbers", "4 hoặc 5 triệu", None),
    ("over-cap", "2000000 tỷ", None),
    # Spelt numbers and "trăm", as households type them (issue 13).
    ("words-sau-trieu", "sáu triệu", 6_000_000),
    ("words-plain", "sau trieu", 6_000_000),
    ("digits-trieu-ruoi", "6 triệu rưỡi", 6_500_000),
    ("glued-tr-tail", "6tr5", 6_500_000),
    ("digit-tram-nghin", "6 trăm nghìn", 600_000),
    ("words-tram-ngan", "sáu trăm ngàn", 600_000),
    ("k-600", "600k", 600_000),
    ("words-muoi-lam", "mười lăm triệu", 15_000_000),
    ("words-hai-trieu-ruoi", "hai triệu rưỡi", 2_500_000),
    ("words-hundreds-and-tens", "hai trăm năm mươi nghìn", 250_000),
    ("words-linh", "một trăm linh năm nghìn", 105_000),
    ("words-tram-alone", "trăm nghìn", 100_000),
    ("words-tam-is-eight", "tám triệu", 8_000_000),
    ("words-tam-before-number-is-about", "tầm sáu triệu", 6_000_000),
    ("words-two-numbers", "ba bốn triệu", None),
    ("words-digit-tram-too-big", "12 trăm nghìn", None),
]


@pytest.mark.parametrize(("given", "expected"), cases(MONEY_ROWS))
def test_parse_money(given: str, expected: int | None) -> None:
    assert parse_money(given) == expected


# --- counts ------------------------------------------------------------------------------------

INT_ROWS = [
    ("digit", "5", 5),
    ("digit-with-noun", " 5 người", 5),
    ("digit-with-noun-no-space", "5người", 5),
    ("digit-after-filler", "có 3 người", 3),
    ("zero", "0", 0),
    ("leading-zero", "05", 5),
    ("trailing-full-stop", "5.", 5),
    ("two-digits", "12", 12),
    ("word-mot", "một", 1),
    ("word-mot-plain", "mot", 1),
    ("word-hai", "hai", 2),
    ("word-ba-with-noun", "ba người", 3),
    ("word-bon", "bốn", 4),
    ("word-bon-plain", "bon", 4),
    ("word-tu", "tư", 4),
    ("word-nam", "năm", 5),
    ("word-nam-plain-with-noun", "nam nguoi", 5),
    ("word-nam-nfd", nfd("Năm"), 5),
    ("word-sau", "sáu", 6),
    ("word-sau-plain", "sau", 6),
    ("word-bay", "bảy", 7),
    ("word-bay-plain", "bay", 7),
    ("word-tam", "tám", 8),
    ("word-tam-plain", "tam", 8),
    ("word-chin", "chín", 9),
    ("word-chin-plain", "chin", 9),
    ("word-muoi", "mười", 10),
    ("word-muoi-plain", "muoi", 10),
    ("word-muoi-mot", "mười một", 11),
    ("word-muoi-lam", "mười lăm", 15),
    ("word-hai-muoi", "hai mươi", 20),
    ("word-hai-muoi-tu", "hai mươi tư", 24),
    ("word-khong", "không", 0),
    ("filler-tam-then-word", "tầm năm người", 5),
    ("decimal", "5.5", None),
    ("decimal-comma", "2,5", None),
    ("negative", "-1", None),
    ("two-numbers", "2 hoặc 3", None),
    ("two-number-words", "ba bốn người", None),
    ("glued-to-letter-before", "a5", None),
    ("word-mot-muoi", "một mươi", None),
    ("word-muoi-khong", "mười không", None),
    ("garbage", "nhiều lắm", None),
    ("empty", "", None),
]


@pytest.mark.parametrize(("given", "expected"), cases(INT_ROWS))
def test_parse_int(given: str, expected: int | None) -> None:
    assert parse_int(given) == expected


# --- yes / no ----------------------------------------------------------------------------------

YES_NO_ROWS = [
    ("co", "có", True),
    ("co-exclaim-upper", "Có!", True),
    ("co-plain", "co", True),
    ("co-nfd", nfd("CÓ"), True),
    ("c", "c", True),
    ("u-horn", "ừ", True),
    ("u", "u", True),
    ("uh", "uh", True),
    ("ok", "OK", True),
    ("oke", "oke", True),
    ("dung", "đúng", True),
    ("dung-roi", "đúng rồi", True),
    ("dung-plain", "dung", True),
    ("yes", "Yes", True),
    ("y", "y", True),
    ("vang", "vâng", True),
    ("vang-a", "vâng ạ", True),
    ("vang-plain", "vang", True),
    ("da", "dạ", True),
    ("da-plain", "da", True),
    ("da-co", "dạ có", True),
    ("duoc", "được", True),
    ("duoc-plain", "duoc", True),
    ("dong-y", "đồng ý", True),
    ("dong-y-plain", "dong y", True),
    ("thumbs-up", "👍", True),
    ("khong", "không", False),
    ("khong-plain", "khong", False),
    ("ko", "ko", False),
    ("k", "K", False),
    ("kh", "kh", False),
    ("no", "no", False),
    ("n", "n", False),
    ("sai", "sai", False),
    ("chua", "chưa", False),
    ("chua-plain", "chua", False),
    ("chua-a", "chưa ạ", False),
    ("khong-dong-y", "không đồng ý", False),
    ("khong-dong-y-plain", "khong dong y", False),
    ("da-khong", "dạ không", False),
    ("khong-nhe", "Không nhé.", False),
    ("ko-co", "ko có", False),
    ("both", "có không", None),
    ("maybe", "có thể", None),
    ("dont-know", "không biết", None),
    ("question", "là sao?", None),
    ("empty", "", None),
    ("punctuation-only", "!!!", None),
]


@pytest.mark.parametrize(("given", "expected"), cases(YES_NO_ROWS))
def test_parse_yes_no(given: str, expected: bool | None) -> None:
    assert parse_yes_no(given) is expected


# --- choices -----------------------------------------------------------------------------------

MENU = ["📋 Tự đánh giá hộ nghèo", "💰 Vay vốn", "🏥 Bảo hiểm y tế", "📞 Liên hệ"]

CHOICE_ROWS = [
    ("number", "2", 1),
    ("number-with-dot", "2.", 1),
    ("number-with-so", "số 2", 1),
    ("number-with-so-plain", "so 3", 2),
    ("number-first", "1", 0),
    ("number-last", "4", 3),
    ("number-zero-out-of-range", "0", None),
    ("number-above-range", "5", None),
    ("exact-with-diacritics", "Vay vốn", 1),
    ("exact-no-diacritics", "vay von", 1),
    ("exact-upper", "BẢO HIỂM Y TẾ", 2),
    ("exact-nfd", nfd("Liên hệ"), 3),
    ("exact-with-emoji", "💰 Vay vốn", 1),
    ("prefix", "tu danh gia", 0),
    ("prefix-short", "lien", 3),
    ("whole-words-inside", "y te", 2),
    ("label-inside-sentence", "tôi muốn vay vốn", 1),
    ("typo", "bao hiem y tee", 2),
    ("typo-swapped-letters", "vay vnon", 1),
    ("nothing", "thời tiết", None),
    ("empty", "", None),
    ("one-letter-not-a-prefix", "v", None),
]


@pytest.mark.parametrize(("given", "expected"), cases(CHOICE_ROWS))
def test_match_choice(given: str, expected: int | None) -> None:
    assert match_choice(given, MENU) == expected


def test_match_choice_number_ignored_when_not_allowed() -> None:
    assert match_choice("2", MENU, allow_number=False) is None


def test_match_choice_ambiguous_containment_is_none() -> None:
    assert match_choice("nghèo", ["Hộ nghèo", "Hộ cận nghèo"]) is None


def test_match_choice_ambiguous_prefix_is_none() -> None:
    assert match_choice("ho", ["Hỗ trợ", "Hộ nghèo"]) is None


def test_match_choice_exact_beats_prefix() -> None:
    assert match_choice("bảo hiểm", ["Vay vốn bảo hiểm", "Bảo hiểm"]) == 1


def test_match_choice_both_yes_and_no_typed_is_none() -> None:
    assert match_choice("không có", ["Có", "Không"]) is None


def test_match_choice_typo_too_close_to_runner_up_is_none() -> None:
    assert match_choice("ho ngheo", ["Hộ nghèa", "Hộ nghèb"]) is None


# --- back and greetings ------------------------------------------------------------------------

BACK_ROWS = [
    ("quay-lai", "quay lại", True),
    ("quay-lai-plain", "Quay lai", True),
    ("tro-lai", "trở lại", True),
    ("tro-lai-plain", "tro lai", True),
    ("quay-ve", "quay về", True),
    ("back", "back", True),
    ("back-upper", "BACK", True),
    ("less-than", "<", True),
    ("zero", "0", True),
    ("button-with-emoji", "⬅️ Quay lại", True),
    ("back-with-words", "quay lại bước trước", True),
    ("background-word", "background", False),
    ("lai-alone", "lại", False),
    ("empty", "", False),
    ("number", "1", False),
]


@pytest.mark.parametrize(("given", "expected"), cases(BACK_ROWS))
def test_is_back(given: str, expected: bool) -> None:
    assert is_back(given) is expected


GREETING_ROWS = [
    ("xin-chao", "xin chào", True),
    ("chao", "Chào", True),
    ("chao-ban", "Chào bạn!", True),
    ("chao-ad-a", "chào ad ạ", True),
    ("xin-chao-nfd", nfd("Xin chào"), True),
    ("hi", "hi", True),
    ("hello", "Hello", True),
    ("alo", "alo", True),
    ("alo-alo", "alo alo", True),
    ("hi-bot", "hi bot", True),
    ("chao-moi-nguoi", "chào mọi người", True),
    ("greeting-with-question", "chào bạn, cho hỏi vay vốn", False),
    ("question", "vay vốn", False),
    ("empty", "", False),
]


@pytest.mark.parametrize(("given", "expected"), cases(GREETING_ROWS))
def test_is_greeting(given: str, expected: bool) -> None:
    assert is_greeting(given) is expected


# --- phone numbers -----------------------------------------------------------------------------

PHONE_ROWS = [
    ("plain", "0912345678", "0912345678"),
    ("spaces", "0912 345 678", "0912345678"),
    ("dots", "091.234.5678", "0912345678"),
    ("dashes", "0912-345-678", "0912345678"),
    ("plus-84", "+84912345678", "0912345678"),
    ("plus-84-spaced", "+84 912 345 678", "0912345678"),
    ("84-without-plus", "84912345678", "0912345678"),
    ("0084", "0084912345678", "0912345678"),
    ("plus-84-with-trunk-zero", "+84 (0) 912 345 678", "0912345678"),
    ("label", "SĐT: 0912345678", "0912345678"),
    ("prefix-03", "0321234567", "0321234567"),
    ("prefix-05", "0561234567", "0561234567"),
    ("prefix-07", "0701234567", "0701234567"),
    ("prefix-08", "0812345678", "0812345678"),
    ("missing-leading-zero", "912345678", "0912345678"),
    ("landline-02", "0241234567", None),
    ("prefix-04", "0412345678", None),
    ("prefix-06", "0612345678", None),
    ("nine-digits", "091234567", None),
    ("eleven-digits", "09123456789", None),
    ("letters", "0912abc678", None),
    ("empty", "", None),
    ("words", "không có", None),
]


@pytest.mark.parametrize(("given", "expected"), cases(PHONE_ROWS))
def test_parse_phone(given: str, expected: str | None) -> None:
    assert parse_phone(given) == expected
