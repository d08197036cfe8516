"""Rendering a reply as plain text for channels without buttons (console, Zalo).

Choices become a numbered list under the text; the user answers with the number or the label,
which the core understands (handlers/core.py), so every button-less channel renders the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from conversations.messages import Reply


def numbered_text(reply: Reply, hint: str | None = None) -> str:
    """The reply's text, then "1. label" lines, then the hint (e.g. how to answer)."""
    lines = [reply.text] if reply.text else []
    if reply.choices:
        if lines:
            lines.append("")
        lines.extend(f"{i}. {choice.label}" for i, choice in enumerate(reply.choices, 1))
        if hint:
            lines.append(hint)
    return "\n".join(lines)


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
