"""Paging buttons, the same on every list: "⬅️ Previous page" / "➡️ Next page" under at most
PAGE_SIZE items. Lists number their pages from 1 or from 0 as they like (`first`); the payload
for a page is whatever the list's own buttons route on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from conversations.messages import Choice

if TYPE_CHECKING:
    from conversations.context import Ctx

PAGE_SIZE = 8


def page_count(items: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-items // size))


def page_buttons(
    ctx: Ctx, payload: Callable[[int], str], page: int, pages: int, *, first: int = 1
) -> list[Choice]:
    """Previous/next buttons for `page` of `pages` (numbered from `first`)."""
    buttons = []
    if page > first:
        buttons.append(Choice(ctx._("⬅️ Previous page"), payload(page - 1)))
    if page < first + pages - 1:
        buttons.append(Choice(ctx._("➡️ Next page"), payload(page + 1)))
    return buttons
