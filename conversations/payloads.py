"""Button payloads as they arrive, and the ids and numbers read out of them or out of typed text.

A client can send any callback data (Telegram does not check it against the buttons it showed;
the web chat API takes any `choice`), so a payload is untrusted input like typed text. The core
lets in only payloads of the shape the bot itself emits (`well_formed`): printable ASCII without
spaces, at most MAX_BYTES, every all-digit part an id within MAX_ID. The dialogs then read ids,
page numbers and keys with the helpers below, which accept ASCII digits only (`"²".isdigit()`
and `"١٢٣".isdigit()` are true in Python, and `int()` takes the second) and known keys only, so
nothing unknown is echoed into a new button.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar

if TYPE_CHECKING:
    from domain.messages import Incoming

P = TypeVar("P", bound="Payload")
MAX_BYTES = 64  # Telegram's callback_data limit; the web chat keeps the same
MAX_ID = 2**31 - 1  # a PostgreSQL INTEGER; larger ids exist nowhere in the database
MAX_DIGITS = 10
MAX_INPUT = 4096  # Telegram's longest message; nobody's answer to a question is longer
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHAPE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-.")


def ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 (not "²", not "١٢٣", not "1e3")."""
    return bool(text) and text.isascii() and text.isdigit()


def as_int(text: str, *, maximum: int = MAX_ID) -> int | None:
    """`text` (stripped) as a whole number 0..maximum, or None."""
    text = text.strip()
    if not ascii_digits(text) or len(text) > MAX_DIGITS:
        return None
    value = int(text)
    return value if value <= maximum else None


def as_id(text: str) -> int | None:
    """A database id (1..MAX_ID) or None."""
    value = as_int(text)
    return value if value else None


def part(payload: str, index: int) -> str:
    """The `index`-th ":"-separated part of a payload, "" where there is none."""
    parts = payload.split(":")
    return parts[index] if 0 <= index < len(parts) else ""


def id_at(payload: str, index: int) -> int | None:
    """The id in part `index` of a payload, or None."""
    return as_id(part(payload, index))


def int_at(payload: str, index: int, default: int = 1) -> int:
    """The number (e.g. a page) in part `index`, or `default`."""
    value = as_int(part(payload, index))
    return default if value is None else value


def index_in(text: str, items: Sequence[object]) -> int | None:
    """`text` as an index into `items`, or None when it is not one."""
    value = as_int(text)
    return value if value is not None and value < len(items) else None


def known(text: str, allowed: Collection[str], default: str | None = None) -> str | None:
    """`text` when it is one of `allowed`, else `default`."""
    return text if text in allowed else default


def well_formed(payload: str) -> bool:
    """A payload of the bot's own shape: short printable ASCII, ids within range."""
    if not payload or len(payload) > MAX_BYTES or not _SHAPE.issuperset(payload):
        return False
    return all(
        len(piece) <= MAX_DIGITS and int(piece) <= MAX_ID
        for piece in payload.split(":") if piece.isdigit()
    )


def clean_text(text: str, limit: int = MAX_INPUT) -> str:
    """Typed text the database and every parser can take: lone surrogates (which UTF-8 cannot
    encode) become U+FFFD, NUL and other control characters (PostgreSQL refuses NUL) go, and
    the text is cut at `limit` characters."""
    text = text[:limit]
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub("", _SURROGATE.sub("\ufffd", text))


def clean_event(event: Incoming) -> Incoming:
    """The event with its text, choice and shared strings cleaned (`clean_text`)."""
    payload: dict[str, Any] = {
        key: clean_text(value, 1024) if isinstance(value, str) else value
        for key, value in event.payload.items()
    }
    return dataclasses.replace(
        event, text=clean_text(event.text), payload=payload,
        choice=None if event.choice is None else event.choice[: MAX_BYTES * 4],
    )


# --- typed payloads ------------------------------------------------------------------------------
#
# A button's payload is one small frozen dataclass per kind: a prefix and typed fields, packed as
# "prefix:field:field" and unpacked back to the same object, or to None when the text is not one
# of its kind (a forged or stale button is then an unknown answer, never a crash). The longest
# payload a kind can pack is checked when the class is defined, so no button can exceed Telegram's
# 64 bytes at run time:
#
#     @payload("kd")
#     class Signup(Payload):
#         action: Literal["start", "wait", "ok"]
#         course: int = 0
#
#     Choice(label, Signup("start", course.id).pack())     # "kd:start:17"
#     if (pressed := Signup.unpack(answer.choice)) and pressed.action == "ok": ...
#
# Field types: int (ASCII digits, 0..MAX_ID), Literal[...] of short ASCII words, and `Slug`
# (a bounded id of letters, digits, "-", "_" and "."; declare its length with `slug(n)`).

PAYLOAD_KINDS: dict[str, type[Payload]] = {}
_SLUG = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class PayloadError(ValueError):
    """A payload kind that cannot be packed safely (raised when its class is defined)."""


def slug(length: int) -> Any:
    """A field holding a bounded ASCII id (a ward slug, a topic key): `ward: str = slug(40)`."""
    return dataclasses.field(default="", metadata={"slug": length})


class Payload:
    """Base of the typed payloads; subclasses are frozen dataclasses made by `@payload(prefix)`."""

    PREFIX: ClassVar[str] = ""
    _READERS: ClassVar[tuple[tuple[str, Any], ...]] = ()

    def pack(self) -> str:
        """"prefix:field:field", leaving off the trailing fields that are at their default
        (`unpack` reads them back as the defaults), so a plain button stays "kd:ok"."""
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        kept = len(fields)
        while kept and fields[kept - 1].default is not dataclasses.MISSING and getattr(
                self, fields[kept - 1].name) == fields[kept - 1].default:
            kept -= 1
        parts = [self.PREFIX]
        for f in fields[:kept]:
            value = getattr(self, f.name)
            # an all-digit slug would read as an id to `well_formed`: it travels as ".123" (and
            # a slug that starts with "." gets one more, so reading back is exact)
            escape = "slug" in f.metadata and (value.isdigit() or value.startswith("."))
            parts.append(f".{value}" if escape else str(value))
        packed = ":".join(parts)
        if len(packed) > MAX_BYTES or not well_formed(packed):
            raise PayloadError(f"{packed!r} is not a payload the bot can send")
        return packed

    @classmethod
    def unpack(cls, text: str | None) -> Self | None:
        """The payload `text` packs, or None when it is not one of this kind (or not valid)."""
        if text == cls.PREFIX:  # every field at its default
            pieces: list[str] = []
        elif text and text.startswith(cls.PREFIX + ":"):
            pieces = text[len(cls.PREFIX) + 1:].split(":")
        else:
            return None
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        required = sum(1 for f in fields if f.default is dataclasses.MISSING)
        if not required <= len(pieces) <= len(fields):
            return None
        values: dict[str, Any] = {}
        for (name, read), piece in zip(cls._READERS, pieces, strict=False):
            value = read(piece)
            if value is None:
                return None
            values[name] = value
        return cls(**values)


def payload(prefix: str) -> Callable[[type[P]], type[P]]:
    """Make a `Payload` subclass a frozen dataclass packed under `prefix`; checks that the
    prefix is new and that its longest packing fits MAX_BYTES."""

    def make(cls: type[P]) -> type[P]:
        if prefix in PAYLOAD_KINDS or not prefix or not _SLUG.issuperset(prefix):
            raise PayloadError(f"payload prefix {prefix!r} is taken or not a plain word")
        cls = dataclasses.dataclass(frozen=True, slots=True)(cls)
        hints = typing.get_type_hints(cls)
        readers, longest = [], len(prefix)
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            read, width = _reader(cls.__name__, f, hints[f.name])
            readers.append((f.name, read))
            longest += 1 + width
        if longest > MAX_BYTES:
            raise PayloadError(f"{cls.__name__}: up to {longest} bytes, over {MAX_BYTES}")
        cls.PREFIX = prefix
        cls._READERS = tuple(readers)
        PAYLOAD_KINDS[prefix] = cls
        return cls

    return make


def _reader(owner: str, f: dataclasses.Field[Any], hint: Any) -> tuple[Callable[[str], Any], int]:
    """How to read one field back from its text, and the most bytes it can pack to."""
    if hint is int:
        return as_int, MAX_DIGITS
    if typing.get_origin(hint) is Literal:
        words = typing.get_args(hint)
        if not all(isinstance(w, str) and w and _SLUG.issuperset(w) for w in words):
            raise PayloadError(f"{owner}.{f.name}: Literal words must be plain ASCII")
        return (lambda text: text if text in words else None), max(map(len, words))
    if hint is str and "slug" in f.metadata:
        limit = f.metadata["slug"]  # "" is the field's default, packed as an empty part
        return (lambda text: _slug_value(text) if len(text) <= limit + 1 and _SLUG.issuperset(text)
                else None), limit + 1
    raise PayloadError(f"{owner}.{f.name}: a payload field is int, Literal[...] or slug(n)")


def _slug_value(text: str) -> str:
    """A slug as packed: ".123" is the all-digit slug "123" (see `Payload.pack`)."""
    return text[1:] if text.startswith(".") else text
