"""Reading the answers several dialogs ask for in the same way: a person's full name and a
mobile number (typed, or shared with the channel's contact button). Each returns the value or a
`Retry` that says what is wrong and gives an example, so every dialog re-asks alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations.engine import Answer, Retry
from conversations.messages import Kind
from domain.text import parse_phone

if TYPE_CHECKING:
    from conversations.context import Ctx


def full_name(ctx: Ctx, answer: Answer) -> str | Retry:
    """2 to 100 characters with at least one letter, spaces tidied."""
    name = " ".join(answer.text.split())
    if not 2 <= len(name) <= 100 or not any(ch.isalpha() for ch in name):
        return Retry(ctx._("Please type a full name."), "Nguyễn Văn An")
    return name


def mobile_phone(ctx: Ctx, answer: Answer) -> str | Retry:
    """A Vietnamese mobile number, normalised to 0xxxxxxxxx."""
    raw = str(answer.payload.get("phone", "")) if answer.kind == Kind.CONTACT else answer.text
    phone = parse_phone(raw)
    if phone is None:
        return Retry(ctx._("That does not look like a Vietnamese mobile number."), "0912345678")
    return phone
