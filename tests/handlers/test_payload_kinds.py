"""Every button payload kind the bot defines packs and unpacks back to itself, never packs past
Telegram's 64 bytes, and reads anything else (forged, stale, another kind's) as None instead of
raising. The kinds are the ones the features really register (imported through the app)."""

from __future__ import annotations

import dataclasses
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.app  # noqa: F401 - every feature module, so every payload kind is defined
from conversations.payloads import (
    MAX_BYTES,
    MAX_ID,
    PAYLOAD_KINDS,
    Payload,
    PayloadError,
    payload,
    slug,
    well_formed,
)

KINDS = sorted(PAYLOAD_KINDS.items())
# any slug: empty, all digits ("00000000000" once broke a pack), starting with "."
_SLUG = st.one_of(st.text("abcdefghijklmnopqrstuvwxyz0123456789-_."), st.text("0123456789."))


def _values(kind: type[Payload]) -> st.SearchStrategy[Payload]:
    hints = typing.get_type_hints(kind)
    fields = {}
    for f in dataclasses.fields(kind):  # type: ignore[arg-type]
        hint = hints[f.name]
        if hint is int:
            fields[f.name] = st.integers(0, MAX_ID)
        elif typing.get_origin(hint) is typing.Literal:
            fields[f.name] = st.sampled_from(typing.get_args(hint))
        else:
            fields[f.name] = _SLUG.map(lambda text, n=f.metadata["slug"]: text[:n])
    return st.builds(kind, **fields)


def test_the_features_define_payload_kinds() -> None:
    assert "wd" in PAYLOAD_KINDS  # the ward question's, at least
    assert all(issubclass(kind, Payload) for _, kind in KINDS)


@pytest.mark.parametrize(("prefix", "kind"), KINDS, ids=[p for p, _ in KINDS])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_each_kind_round_trips_within_64_bytes(prefix: str, kind: type[Payload], data) -> None:  # type: ignore[no-untyped-def]
    value = data.draw(_values(kind))
    packed = value.pack()
    assert (packed == prefix or packed.startswith(prefix + ":")) and len(packed.encode()) <= MAX_BYTES
    assert well_formed(packed)
    assert kind.unpack(packed) == value


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=80), st.sampled_from([p + ":" for p in PAYLOAD_KINDS])
                      .flatmap(lambda p: st.text(max_size=40).map(lambda t: p + t))))
def test_any_text_unpacks_to_its_kind_or_none(text: str) -> None:
    for _, kind in KINDS:
        found = kind.unpack(text)  # never raises
        if found is not None:  # what was read is a value of the kind, and packs back the same
            assert isinstance(found, kind)
            assert kind.unpack(found.pack()) == found


def test_a_kind_that_could_pass_64_bytes_is_refused_when_defined() -> None:
    with pytest.raises(PayloadError, match="over 64"):
        @payload("zz-too-long")
        class TooLong(Payload):  # noqa: F841
            first: str = slug(30)
            second: str = slug(30)
    with pytest.raises(PayloadError, match="taken"):
        @payload("wd")
        class Again(Payload):  # noqa: F841
            n: int = 0
