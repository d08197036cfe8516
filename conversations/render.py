"""Rendering a reply as plain text for channels without buttons (console, Zalo).

Choices become a numbered list under the text; the user answers with the number or the label,
which the core understands (handlers/core.py), so every button-less channel renders the same way.
Back and Cancel are not numbered: they are words to type ("quay lại", /huy), so a number typed at
a question that takes numbers (people in the household, a year) is never taken for them.
"""

from __future__ import annotations

from collections.abc import Callable

from conversations.engine import BACK, CANCEL, NAVIGATION
from domain.i18n import N_
from domain.messages import Reply

_NAV_WORDS = {
    frozenset({BACK, CANCEL}): N_('Type "quay lại" to go back, /huy to stop.'),
    frozenset({CANCEL}): N_("Type /huy to stop."),
    frozenset({BACK}): N_('Type "quay lại" to go back.'),
}


def numbered_text(
    reply: Reply, hint: str | None = None, translate: Callable[[str], str] | None = None
) -> str:
    """The reply's text, then "1. label" lines, then the hint (what a number means; the
    reply's own `typed_hint` first), then Back/Cancel as words (translated by `translate`)."""
    lines = [reply.text] if reply.text else []
    numbered = [c for c in reply.choices if c.payload not in NAVIGATION]
    nav = frozenset(c.payload for c in reply.choices if c.payload in NAVIGATION)
    if numbered:
        if lines:
            lines.append("")
        lines.extend(f"{i}. {choice.label}" for i, choice in enumerate(numbered, 1))
        if reply.typed_hint or hint:
            lines.append(reply.typed_hint or hint or "")
    if nav:
        words = _NAV_WORDS[nav]
        if lines and not numbered:
            lines.append("")
        lines.append(translate(words) if translate else words)
    return "\n".join(lines)


def numbered_choices(reply: Reply) -> list[tuple[int, str, str]]:
    """(number shown, label, payload) of the reply's numbered choices."""
    numbered = [c for c in reply.choices if c.payload not in NAVIGATION]
    return [(i, c.label, c.payload) for i, c in enumerate(numbered, 1)]


def split_text(
    text: str, limit: int, cut_line: Callable[[str, int], list[str]] | None = None
) -> list[str]:
    """Split into messages of at most `limit` characters at line boundaries; a longer line is
    cut by `cut_line` (default: at its last space before the limit). Blank text gives []."""
    cut = cut_line or cut_at_space
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in cut(line, limit):
            candidate = piece if not current else f"{current}\n{piece}"
            if len(candidate) <= limit:
                current = candidate
                continue
            if current.strip():
                chunks.append(current)
            current = piece
    if current.strip():
        chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks]


def cut_at_space(line: str, limit: int) -> list[str]:
    """Cut a line longer than `limit` at its last space before the limit (or hard, if none)."""
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    pieces.append(line)
    return pieces
