"""Folding typed text: the one way case, diacritics and "đ" are set aside, so "Bảo hiểm Y TẾ ",
its NFD twin and "bao hiem y te" compare equal. Everything that reads what people type
(`domain.text`, `domain.numbers`, the searches) folds with these.
"""

from __future__ import annotations

import re
import unicodedata

# Combining marks carry the Vietnamese tones and vowel hats; format characters (zero-width
# joiners, BOMs) sneak in from copy-paste and would make equal-looking strings differ.
_DROPPED_CATEGORIES = frozenset({"Mn", "Cf"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(s: str) -> str:
    """Lower-case, strip, collapse whitespace and remove Vietnamese diacritics.

    Accepts NFC or NFD input (both arrive from different keyboards and copy-paste), so
    "Bảo hiểm Y TẾ " and its NFD twin both become "bao hiem y te". "đ"/"Đ" has no combining
    form in Unicode, so it is replaced explicitly.
    """
    decomposed = unicodedata.normalize("NFD", s)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    kept = kept.replace("đ", "d").replace("Đ", "d")
    return " ".join(kept.lower().split())


def fold_plain(s: str) -> str:
    """`fold`, then keep only ASCII letters and digits as space-separated words.

    Emoji, punctuation and symbols become word breaks: "📋 Tự đánh giá!" → "tu danh gia".
    """
    return " ".join(_NON_WORD.sub(" ", fold(s)).split())
