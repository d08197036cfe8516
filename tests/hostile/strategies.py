"""Hypothesis strategies for what a hostile or unlucky client sends: texts and button payloads.

Texts: every unicode category, control and zero-width characters, right-to-left marks, lone
surrogates, 10,000-character strings and number-like strings ("1e309", "NaN", "²", "١٢٣").
Payloads: a prefix of every payload kind the bot emits, with a random suffix, and the payloads of
the buttons just shown, mutated.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Every payload kind the bot emits, cut before the part that varies: the typed kinds the
# features define (conversations.payloads.PAYLOAD_KINDS, with each word of their first field
# when it is a Literal), and the navigation and menu payloads the core routes on.
_ROUTED = ("menu:", "menu:page:", "nav:back", "nav:cancel", "nav:resume", "nav:restart")


def _kind_prefixes() -> tuple[str, ...]:
    import dataclasses
    import typing

    import bot.app  # noqa: F401 - every feature module, so every kind is defined
    from conversations.payloads import PAYLOAD_KINDS

    found: list[str] = []
    for prefix, kind in sorted(PAYLOAD_KINDS.items()):
        found.append(prefix + ":")
        fields = dataclasses.fields(kind)  # type: ignore[arg-type]
        first = typing.get_type_hints(kind)[fields[0].name] if fields else None
        if typing.get_origin(first) is typing.Literal:
            found += [f"{prefix}:{word}:" for word in typing.get_args(first)]
    return tuple(found)


PAYLOAD_PREFIXES = (*_ROUTED, *_kind_prefixes())

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
