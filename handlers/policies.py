"""Support policies for households: browse by category, search in their own words, "what can my
household get", and the admins' list of expired entries.

Every list and entry is a stateless page (handlers/policy_pages.py) behind a `pol:` or `pe:`
button (conversations/policy_buttons.py lists them), so it works from anywhere (a
self-assessment result, an old message, after a restart) and a typed number picks the button.
Free text that asks about support is searched here, or read as "what can I get".
"""

from __future__ import annotations

import asyncio

from conversations.context import Ctx
from conversations.policy_buttons import FROM_CATEGORY, PolicyEntry, PolicyList
from domain.folding import fold_plain
from domain.i18n import N_
from domain.messages import Reply
from domain.policy_search import index_of, read_question, search
from domain.roles import ADMINS
from domain.text import is_greeting
from handlers.menu import main_menu
from handlers.policy_pages import (
    all_groups_button,
    ask_household_reply,
    catalogue_of,
    categories_reply,
    category_page,
    entry_buttons,
    entry_page,
    expired_page,
    expired_reply,
    household_page,
    menu_button,
    start_assessment,
    today,
)
from handlers.registry import Command, MenuItem, Registry, TextRoute

SEARCH_LIMIT = 8
# Below any real search score: taken only when no other route wants a policy-like question.
FALLBACK_SCORE = 1.0
MAX_QUOTED_QUERY = 60

PERSONAL_SCORE = 90.0
# "What can I get" questions: the words that ask, the household phrases (longest first) and the
# filler such a question may hold, all folded.
_PERSONAL_ASKS = frozenset({"gi", "nao"})
_PERSONAL_VERBS = frozenset({"duoc", "nhan", "huong", "tro", "giup", "sach"})
_HOUSEHOLD_PHRASES = (
    ("ho moi thoat ngheo", "newly_escaped"),
    ("moi thoat ngheo", "newly_escaped"),
    ("ho can ngheo", "near_poor"),
    ("can ngheo", "near_poor"),
    ("ho co muc song trung binh", "average"),
    ("muc song trung binh", "average"),
    ("ho ngheo", "poor"),
)
_PERSONAL_WORDS = frozenset({
    "toi", "minh", "em", "nha", "gia", "dinh", "ho", "chung", "cua", "duoc", "nhan", "huong",
    "tro", "giup", "chinh", "sach", "se", "co", "the", "thi", "la", "nhung", "cai", "gi", "nao",
    "a", "vay", "oi", "nhi", "khong", "ko", "cho", "danh", "ve", "voi",
})


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTED_QUERY else text[: MAX_QUOTED_QUERY - 1] + "…"


# --- search --------------------------------------------------------------------------------------


async def search_replies(ctx: Ctx, query: str) -> list[Reply]:
    """The policies matching a question, best first; none: say so and offer the categories."""
    # searching is pure CPU (~10 ms): in a thread, so a flood of questions cannot hold the loop
    found = await asyncio.to_thread(search, catalogue_of(ctx), query, today(ctx), SEARCH_LIMIT)
    if not found:
        note = ctx._(
            "I found no policy for \"{query}\". Try other words (for example: vay vốn, bảo "
            "hiểm y tế), or choose a group:",
            query=_quoted(query),
        )
        return [categories_reply(ctx, heading=note)]
    text = ctx.ngettext(
        "I found {n} policy for \"{query}\". Choose it to see the details:",
        "I found {n} policies for \"{query}\", best match first. Choose one or type its number:",
        len(found),
        query=_quoted(query),
    )
    buttons = entry_buttons([policy for policy, _ in found], FROM_CATEGORY)
    buttons += [all_groups_button(ctx, ctx._("📚 All groups")), menu_button(ctx)]
    return [Reply(text, tuple(buttons))]


def personal_question(text: str) -> str | None:
    """"Tôi được hỗ trợ gì?" → "" (ask the household category); "hộ cận nghèo được hưởng gì"
    → "near_poor"; None when the text asks anything else (then it is searched).

    Only a question made of nothing but these words counts, so "vay vốn được hỗ trợ gì" is
    still searched.
    """
    words = fold_plain(text).split()
    if not (_PERSONAL_ASKS & set(words) and _PERSONAL_VERBS & set(words)):
        return None
    joined = f" {' '.join(words)} "
    household = ""
    for phrase, category in _HOUSEHOLD_PHRASES:
        if f" {phrase} " in joined:
            joined = joined.replace(f" {phrase} ", " ", 1)
            household = category
            break
    return household if set(joined.split()) <= _PERSONAL_WORDS else None


async def answer_question(ctx: Ctx, text: str) -> list[Reply]:
    """Free text: the personal view for "what can I get", else the search."""
    household = personal_question(text)
    if household == "":
        return [ask_household_reply(ctx)]
    if household is not None:
        return [household_page(ctx, household)]
    return await search_replies(ctx, text)


async def match_question(ctx: Ctx, text: str) -> float:
    """How strongly free text asks about policies: high for "what can I get", else the best
    search score (0-100); a small fallback score when it uses the catalogue's words without
    matching an entry (so the answer can say so and offer the categories); 0 for greetings and
    unrelated text."""
    if is_greeting(text):
        return 0.0
    if personal_question(text) is not None:
        return PERSONAL_SCORE
    catalogue = catalogue_of(ctx)
    found = await asyncio.to_thread(search, catalogue, text, today(ctx), 1)
    if found:
        return found[0][1]
    return FALLBACK_SCORE if read_question(text, index_of(catalogue)) else 0.0


# --- wiring --------------------------------------------------------------------------------------


async def on_list(ctx: Ctx, payload: str) -> list[Reply]:
    """A `pol:` button, pressed or typed, from anywhere: a list page or a plain button."""
    pressed = PolicyList.unpack(payload)
    if pressed is None:
        return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]
    if pressed.view == "cats":
        return [categories_reply(ctx, pressed.page)]
    if pressed.view == "cat":
        return [category_page(ctx, pressed.key, pressed.page)]
    if pressed.view == "for":
        return [household_page(ctx, pressed.key, pressed.page)]
    if pressed.view == "expired":
        return [expired_page(ctx, pressed.page)]
    if pressed.view == "assess":
        return await start_assessment(ctx)
    return [main_menu(ctx)]


async def on_entry(ctx: Ctx, payload: str) -> list[Reply]:
    """A `pe:` button: an entry's first screen or the rest of it."""
    pressed = PolicyEntry.unpack(payload)
    if pressed is None:
        return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]
    return [entry_page(ctx, pressed)]


async def _policies_command(ctx: Ctx, args: str) -> list[Reply]:
    """/chinhsach browses; /chinhsach <words> searches directly."""
    if args.strip():
        return await search_replies(ctx, args)
    return [categories_reply(ctx)]


async def _expired_command(ctx: Ctx, _args: str) -> list[Reply]:
    return [expired_reply(ctx)]


async def _browse_menu(ctx: Ctx) -> list[Reply]:
    return [categories_reply(ctx)]


async def _personal_menu(ctx: Ctx) -> list[Reply]:
    return [ask_household_reply(ctx)]


def register(registry: Registry) -> None:
    """Commands, menu buttons, the `pol` and `pe` buttons and the free-text search."""
    registry.command(Command(
        "chinhsach", N_("Support policies (add words to search, e.g. /chinhsach vay vốn)"),
        _policies_command,
    ))
    registry.command(Command(
        "chinhsachhethan", N_("Expired policies, hidden from households"), _expired_command,
        roles=ADMINS,
    ))
    registry.menu_item(MenuItem("policies", N_("📚 Support policies"), _browse_menu, order=20))
    registry.menu_item(MenuItem("mysupport", N_("🎁 What support can I get?"), _personal_menu,
                                order=25))
    registry.choice_prefix(PolicyList.PREFIX, on_list)
    registry.choice_prefix(PolicyEntry.PREFIX, on_entry)
    registry.text_routes.append(TextRoute("policies", match_question, answer_question))
