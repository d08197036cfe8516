"""Hypothesis strategies for what a hostile or unlucky client sends: texts and button payloads.

Texts: every unicode category, control and zero-width characters, right-to-left marks, lone
surrogates, 10,000-character strings and number-like strings ("1e309", "NaN", "²", "١٢٣").
Payloads: a prefix of every payload kind the bot emits, with a random suffix, and the payloads of
the buttons just shown, mutated.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Every payload kind the bot emits (grep 'Choice(' in handlers/ and conversations/), cut before
# the part that varies.
PAYLOAD_PREFIXES = (
    "menu:", "menu:page:", "nav:back", "nav:cancel", "nav:resume", "nav:restart",
    "as.area:", "as.xa:", "as.inc:", "as.amt:", "as.src:", "as.ans:", "as.rev:", "as.pick:at:",
    "as.pick:page:", "as.share:", "as.consent:", "tg:y:", "erase:",
    "bc:", "bc:cancel:", "bc:cancelyes:", "bc:keep", "bcd.a:", "bcd.c:", "bcd.w:at:", "bcd:now",
    "bcd:later",
    "jd:e:", "jd:skip:", "jd:w:", "jd:t:", "sk:a:", "sk:t:", "sk:w:",
    "job:l:", "job:s:", "job:fw:", "job:ft:", "job:seeker",
    "kd:fix:", "kd:hh:", "kd:ward:", "kn:edit:", "kn:val:", "kn:pickpage:",
    "kh:cancel:", "kh:cancelok:", "kh:join:", "kh:list:", "kh:show:", "kh:trades", "kh:wards",
    "kq:course:", "kq:edit:", "kq:export:csv:", "kq:export:xlsx:", "kq:st:", "kq:stok:",
    "off:cat:", "off:hh:", "off:qh:", "off:rd:", "off:rs:", "off:rv:", "off:vs:", "off:ol:",
    "off:hs:", "oh:e:", "oh:w:", "oh:y:", "oi:w:", "ov:h:", "ov:k:", "ov:p:", "ov:f:",
    "pol:for:", "pol:", "pe:show:", "pe:more:", "subs.c:", "subs.t:", "subs:", "bcd.e:",
)

NUMBER_LIKE = (
    "1e309", "-1e309", "NaN", "nan", "Infinity", "-0", "0", "00000000000000000001",
    "9" * 40, "2147483648", "2147483647", "-1", "1.5", "1,5", "²", "¹²³", "١٢٣", "١",
    "１２３", "৩", "Ⅻ", "0x1F", "1_000", "+84912345678", "4,5tr", "4.500.000", "1e3",
)

SPECIAL = (
    "\x00", "\u200b", "\u200c", "\u200d", "\ufeff", "\u200e", "\u200f", "\u202e", "\u2066",
    "\ud800", "\udfff", "\u0301", "\r", "\t", "\x1b[31m", "<b>", "</i>", "&amp;", "&", "<",
    "<a href='x'>", "quay lại", "/huy", "0", "Hủy", "có", "không",
)

_any_char = st.characters(codec=None, exclude_categories=())
_specials = st.sampled_from(SPECIAL)


def hostile_texts() -> st.SearchStrategy[str]:
    """Typed text as it might arrive from any client."""
    mixed = st.lists(st.one_of(_specials, st.text(_any_char, max_size=8)), max_size=12).map(
        "".join)
    long = st.tuples(st.sampled_from(("a", "9", "ư", "<", " ", "1 ", "28/11 ", "\u200b")),
                     st.integers(2_000, 10_000)).map(lambda t: (t[0] * t[1])[:10_000])
    surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=4)
    return st.one_of(
        st.text(_any_char, max_size=40), mixed, st.sampled_from(NUMBER_LIKE), long, surrogates,
        st.sampled_from(NUMBER_LIKE).map(lambda n: f"{n} người"),
    )


def suffixes() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""), st.sampled_from(NUMBER_LIKE), st.integers(-5, 10**12).map(str),
        st.text(_any_char, max_size=70), st.sampled_from(SPECIAL),
        st.text("0123456789:-_abcxyz", max_size=20),
    )


def payloads() -> st.SearchStrategy[str]:
    """A payload kind the bot emits with a random tail."""
    return st.tuples(st.sampled_from(PAYLOAD_PREFIXES), suffixes()).map("".join)


def mutation() -> st.SearchStrategy[tuple[str, int, str]]:
    """How to spoil an offered payload: cut it short, extend it, or replace one part."""
    return st.tuples(st.sampled_from(("cut", "extend", "replace")), st.integers(0, 64),
                     suffixes())


def mutate(payload: str, how: tuple[str, int, str]) -> str:
    mode, number, tail = how
    if mode == "cut":
        return payload[: number % (len(payload) + 1)]
    if mode == "extend":
        return payload + tail
    parts = payload.split(":")
    index = number % len(parts)
    return ":".join(parts[:index] + [tail] + parts[index + 1:])
