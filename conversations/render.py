"""Rendering a reply as plain text for channels without buttons (console, Zalo).

Choices become a numbered list under the text; the user answers with the number or the label,
which the core understands (handlers/core.py), so every button-less channel renders the same way.
"""

from __future__ import annotations

from conversations.messages import Reply


def numbered_text(reply: Reply, hint: str | None = None) -> str:
    """The reply's text, then "1. label" lines, then the hint (e.g. how to answer)."""
    lines = [reply.text] if reply.text else []
    if reply.choices:
        lines.append("")
        lines.extend(f"{i}. {choice.label}" for i, choice in enumerate(reply.choices, 1))
        if hint:
            lines.append(hint)
    return "\n".join(lines)


def split_text(text: str, limit: int) -> list[str]:
    """Split at line boundaries into parts of at most `limit` characters (a longer line is cut)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts
