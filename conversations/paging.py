"""Paging, the same on every list: `page_of` cuts the page, and "⬅️ Previous page" / "➡️ Next
page" go under at most PAGE_SIZE items. Lists number their pages from 1 or from 0 as they like
(`first`); the payload for a page is whatever the list's own buttons route on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from domain.messages import Choice

if TYPE_CHECKING:
    from conversations.context import Ctx

PAGE_SIZE = 8
T = TypeVar("T")


def page_of(
    items: Sequence[T], page: int, size: int = PAGE_SIZE, *, first: int = 1
) -> tuple[Sequence[T], int, int]:
    """The items of `page` (numbered from `first`, clamped into range), the page, and the page
    count (at least 1, so an empty list still has its one page)."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, first), first + pages - 1)
    start = (page - first) * size
    return items[start:start + size], page, pages


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
