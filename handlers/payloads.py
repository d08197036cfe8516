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
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conversations.messages import Incoming

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
