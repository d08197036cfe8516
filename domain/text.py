"""Understanding what Vietnamese users type: yes/no answers, the choice a user meant among button
labels, "back", greetings and phone numbers. Its neighbours read the rest: `domain.folding`
folds away case and diacritics, `domain.numbers` reads money amounts, counts and floor areas,
`domain.formatting` typed dates and times. Pure
functions, no I/O, no framework imports: every parser returns None when it is not sure, and the
caller asks again with an example.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from domain.folding import fold, fold_plain

__all__ = [
    "is_back",
    "is_greeting",
    "match_choice",
    "parse_phone",
    "parse_yes_no",
]


# --- yes / no ----------------------------------------------------------------------------------

_YES = frozenset(
    {
        "co", "c", "u", "uh", "uhm", "um", "ok", "oke", "okay", "oki", "okie", "dung", "yes",
        "y", "yep", "vang", "da", "duoc", "dc", "dk", "dong y", "co a", "phai", "chuan",
        "chinh xac", "tat nhien", "co chu",
    }
)  # fmt: skip
_NO = frozenset(
    {
        "khong", "ko", "k", "kh", "hong", "hok", "no", "n", "nope", "sai", "chua",
        "khong dong y", "khong phai", "khong co", "ko co", "k co", "chua co", "khong duoc",
        "khong dung", "ko dong y", "k dong y",
    }
)  # fmt: skip
# Polite particles that do not change the answer: "có ạ", "không nhé", "đúng rồi".
_TRAILING_PARTICLES = frozenset({"a", "nhe", "nha", "ha", "roi", "ban", "oi", "ad", "day", "vay"})
_THUMBS_UP = ("👍",)
_THUMBS_DOWN = ("👎",)


def parse_yes_no(s: str) -> bool | None:
    """True for yes ("có", "co", "c", "ừ", "ok", "đúng", "vâng", "dạ", "được", "đồng ý"...),
    False for no ("không", "khong", "ko", "k", "kh", "no", "sai", "chưa", "không đồng ý"...),
    None when unclear. Case, diacritics, punctuation and polite particles ("ạ", "nhé", "rồi",
    a leading "dạ" as in "dạ không") are ignored.
    """
    stripped = s.strip()
    if stripped in _THUMBS_UP:
        return True
    if stripped in _THUMBS_DOWN:
        return False
    words = fold_plain(s).split()
    while len(words) > 1 and words[-1] in _TRAILING_PARTICLES:
        words.pop()
    if len(words) > 1 and words[0] == "da":
        words = words[1:]  # "dạ" is a polite opener: "dạ không" means no
    phrase = " ".join(words)
    if phrase in _NO:
        return False
    if phrase in _YES:
        return True
    return None


# --- choices -----------------------------------------------------------------------------------

_CHOICE_NUMBER = re.compile(r"^(?:so|#)?\s*(\d{1,3})\s*[.):]?$")
_FUZZY_CUTOFF = 88.0
_FUZZY_MARGIN = 8.0
_FUZZY_MIN_LENGTH = 4
_PREFIX_MIN_LENGTH = 2


MAX_CHOICE_TEXT = 200


def match_choice(s: str, labels: Sequence[str], *, allow_number: bool = True) -> int | None:
    """Index of the label the user meant, or None when nothing or more than one fits.

    In order: the 1-based number of the choice ("2", "2.", "số 2") when `allow_number`; a label
    equal after folding and dropping emoji/punctuation ("tu danh gia" = "📋 Tự đánh giá"); a
    unique label that starts with the text or contains it as whole words, or whose whole words
    appear in the text ("tôi muốn tự đánh giá"); finally a conservative typo match (rapidfuzz
    ratio ≥ 88 and clearly ahead of the runner-up).
    """
    if len(s) > MAX_CHOICE_TEXT:  # longer than any button label: an answer, not a choice
        return None
    text = fold_plain(s)
    if not text or not labels:
        return None
    if allow_number:
        index = _choice_by_number(fold(s), len(labels))
        if index is not None:
            return index
    plain_labels = [fold_plain(label) for label in labels]
    for matcher in (_exact_matches, _partial_matches):
        found = matcher(text, plain_labels)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None
    return _fuzzy_match(text, plain_labels)


def _choice_by_number(folded: str, count: int) -> int | None:
    match = _CHOICE_NUMBER.match(folded)
    if match is None:
        return None
    number = int(match.group(1))
    return number - 1 if 1 <= number <= count else None


def _exact_matches(text: str, labels: list[str]) -> list[int]:
    return [i for i, label in enumerate(labels) if label and label == text]


def _partial_matches(text: str, labels: list[str]) -> list[int]:
    padded_text = f" {text} "
    found = []
    for i, label in enumerate(labels):
        if not label:
            continue
        starts = len(text) >= _PREFIX_MIN_LENGTH and label.startswith(text)
        contains = f" {text} " in f" {label} " or f" {label} " in padded_text
        if starts or contains:
            found.append(i)
    return found


def _fuzzy_match(text: str, labels: list[str]) -> int | None:
    if len(text) < _FUZZY_MIN_LENGTH:
        return None
    scores = sorted(
        ((fuzz.ratio(text, label), i) for i, label in enumerate(labels) if label), reverse=True
    )
    if not scores or scores[0][0] < _FUZZY_CUTOFF:
        return None
    if len(scores) > 1 and scores[0][0] - scores[1][0] < _FUZZY_MARGIN:
        return None
    return scores[0][1]


# --- back and greetings ------------------------------------------------------------------------

_BACK_SYMBOLS = frozenset({"<", "<<", "←", "⬅", "⬅️", "0"})
_BACK_PHRASES = ("quay lai", "tro lai", "quay ve", "tro ve", "back", "lui lai")
_GREETINGS = frozenset(
    {
        "xin chao", "chao", "hi", "hello", "helo", "hellu", "alo", "a lo", "allo", "hey",
        "chao buoi sang", "chao buoi chieu", "chao buoi toi", "good morning",
    }
)  # fmt: skip
# Who is greeted does not matter: "chào bạn", "xin chào ad", "alo bot ơi".
_GREETING_ADDRESSES = frozenset(
    {"ban", "bot", "ad", "admin", "em", "anh", "chi", "a", "oi", "nhe", "nha", "moi", "nguoi"}
)


def is_back(s: str) -> bool:
    """True for "quay lại"/"quay lai", "trở lại"/"tro lai", "quay về", "back", "<", "0".

    Also for a back button's text with its emoji ("⬅️ Quay lại") and for "quay lại bước trước".
    The caller decides whether "0" means back in its context.
    """
    if s.strip() in _BACK_SYMBOLS:
        return True
    if len(s) > MAX_CHOICE_TEXT:
        return False
    text = fold_plain(s)
    return any(text == phrase or text.startswith(phrase + " ") for phrase in _BACK_PHRASES)


def is_greeting(s: str) -> bool:
    """True when the message is only a greeting: "xin chào", "Chào bạn!", "hi", "alo", "hello ad".

    A greeting followed by a question ("chào bạn, cho hỏi vay vốn") is not only a greeting, so
    it is False: the caller should read the question instead of showing the welcome menu.
    """
    if len(s) > MAX_CHOICE_TEXT:
        return False
    all_words = fold_plain(s).split()
    # "alo alo", "hi hi": a repeated word is still one greeting.
    words = [word for i, word in enumerate(all_words) if i == 0 or word != all_words[i - 1]]
    while words and words[-1] in _GREETING_ADDRESSES:
        words.pop()
    return " ".join(words) in _GREETINGS


# --- phone numbers -----------------------------------------------------------------------------

_PHONE_LABEL = re.compile(r"^(?:sdt|so dien thoai|so dt|dien thoai|dt|phone|tel)\s*[:.]?\s*")
_PHONE_ALLOWED = re.compile(r"^\+?[\d\s.\-()]+$")
_MOBILE = re.compile(r"^0[35789]\d{8}$")


def parse_phone(s: str) -> str | None:
    """Normalise a Vietnamese mobile number to 10 digits starting with 0, or None.

    Accepts spaces, dots, dashes and brackets between digits, a "+84"/"84"/"0084" country code
    (with or without the trunk 0 after it), a missing leading 0 ("912345678") and a leading
    "SĐT:" label. Only mobile prefixes
    03x, 05x, 07x, 08x, 09x are accepted; landlines and short numbers are None.
    """
    text = _PHONE_LABEL.sub("", fold(s))
    if not _PHONE_ALLOWED.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    for country_code in ("0084", "84"):
        if digits.startswith(country_code) and len(digits) - len(country_code) in (9, 10):
            digits = digits[len(country_code) :]
            break
    if not digits.startswith("0"):
        digits = "0" + digits
    return digits if _MOBILE.match(digits) else None
