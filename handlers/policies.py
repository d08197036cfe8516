"""Support policies for households: browse by category, search in their own words, "what can my
household get", and the admins' list of expired entries.

Every list and entry is a stateless page behind a `pol:` button, so it works from anywhere (a
self-assessment result, an old message, after a restart) and a typed number picks the button:

    pol:cats:<page>                  the policy categories
    pol:cat:<category>:<page>        the entries of one category, most useful first
    pol:for                          ask which household category applies
    pol:for:<household>[:<page>]     the entries for that household category, most useful first
    pol:show:<id>[:<from>]           an entry's first screen ("📄 Xem thêm" for the rest)
    pol:more:<id>[:<from>]           the rest of the entry
    pol:assess                       start the self-assessment, where that feature is registered
    pol:expired:<page>               admins: entries past their effective-to date
    pol:menu                         the main menu

`<from>` says where "⬅️ Danh sách" returns: `c` (the entry's category), a household category
(the personal view) or `x` (the expired list). Households only ever see entries in force today
(local date); admins may open expired ones from their list.
"""

from __future__ import annotations

import asyncio
import math
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import TypeVar

from conversations import paging
from conversations.context import Ctx
from domain.formatting import format_date
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.policies import HOUSEHOLD_CATEGORIES, Benefit, Catalogue, Policy
from domain.policy_search import index_of, read_question, search
from domain.roles import ADMINS
from domain.text import fold_plain, is_greeting
from handlers.menu import main_menu
from handlers.registry import Command, MenuItem, Registry, TextRoute

PREFIX = "pol"
PAGE_SIZE = 8
SCREEN_CHARS = 600  # the first message of an entry fits a phone screen
SEARCH_LIMIT = 8
MAX_PAYLOAD_BYTES = 64
# Below any real search score: taken only when no other route wants a policy-like question.
FALLBACK_SCORE = 1.0
MAX_QUOTED_QUERY = 60
ASSESS_COMMAND = "tudanhgia"
# The household categories offered as buttons; "not_poor" is reached from the self-assessment.
ASKED_HOUSEHOLDS = ("poor", "near_poor", "newly_escaped", "average")
FROM_CATEGORY = "c"
FROM_EXPIRED = "x"

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
_UNCONFIRMED = re.compile(r"chưa xác nhận|chua xac nhan", re.IGNORECASE)

T = TypeVar("T")
PageAction = Callable[[Ctx, list[str]], Awaitable[list[Reply]]]


# --- small helpers -------------------------------------------------------------------------------


def _catalogue(ctx: Ctx) -> Catalogue:
    return ctx.services.content["policies"]


def _today(ctx: Ctx) -> date:
    """Validity is decided by the household's calendar day, not UTC's."""
    return ctx.local_now.date()


def _is_admin(ctx: Ctx) -> bool:
    return ctx.user.role in ADMINS


def _page_of(items: Sequence[T], page: int) -> tuple[Sequence[T], int, int]:
    """The items of `page` (clamped to the pages that exist), the page and the page count."""
    pages = max(1, math.ceil(len(items) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    return items[start : start + PAGE_SIZE], page, pages


def _page_number(index: int) -> int:
    return index // PAGE_SIZE + 1


def _page_buttons(ctx: Ctx, base: str, page: int, pages: int) -> list[Choice]:
    return paging.page_buttons(ctx, lambda n: f"{base}:{n}", page, pages)


def _page_line(ctx: Ctx, page: int, pages: int) -> str:
    return ctx._("Page {page}/{pages}", page=page, pages=pages) if pages > 1 else ""


def _menu_button(ctx: Ctx) -> Choice:
    return Choice(ctx._("🏠 Menu"), f"{PREFIX}:menu")


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _arg(args: list[str], index: int) -> str:
    return args[index] if len(args) > index else ""


def _page_arg(args: list[str], index: int) -> int:
    value = _arg(args, index)
    return int(value) if value.isascii() and value.isdigit() else 1


def _entry_payload(action: str, policy: Policy, origin: str) -> str:
    """`pol:show:<id>:<from>`; an id too long for the origin too drops the origin."""
    payload = f"{PREFIX}:{action}:{policy.id}:{origin}"
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        return f"{PREFIX}:{action}:{policy.id}"
    return payload


def _entry_buttons(policies: Sequence[Policy], origin: str) -> list[Choice]:
    return [Choice(p.title, _entry_payload("show", p, origin)) for p in policies]


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTED_QUERY else text[: MAX_QUOTED_QUERY - 1] + "…"


# --- categories and category lists --------------------------------------------------------------


def categories_reply(ctx: Ctx, page: int = 1, heading: str | None = None) -> Reply:
    """The categories that have entries in force today, as buttons with their counts."""
    catalogue = _catalogue(ctx)
    grouped = catalogue.by_category(_today(ctx))
    names = list(grouped)
    shown, page, pages = _page_of(names, page)
    buttons = [
        Choice(f"{catalogue.categories[c]} ({len(grouped[c])})", f"{PREFIX}:cat:{c}:1")
        for c in shown
    ]
    buttons += _page_buttons(ctx, f"{PREFIX}:cats", page, pages)
    buttons.append(_menu_button(ctx))
    text = heading or ctx._("📚 Support policies. Choose a group, or type its number.")
    hint = ctx._("You can also type a question, for example: vay vốn làm ăn")
    return Reply(_join(text, hint, _page_line(ctx, page, pages)), tuple(buttons))


async def _show_categories(ctx: Ctx, args: list[str]) -> list[Reply]:
    return [categories_reply(ctx, _page_arg(args, 0))]


async def _show_category(ctx: Ctx, args: list[str]) -> list[Reply]:
    """One category's entries in force today, most useful first."""
    catalogue = _catalogue(ctx)
    category = _arg(args, 0)
    entries = catalogue.by_category(_today(ctx)).get(category)
    if not entries:
        note = ctx._("This group has no policies in force right now. Please choose another.")
        return [categories_reply(ctx, heading=note)]
    shown, page, pages = _page_of(entries, _page_arg(args, 1))
    text = ctx.ngettext(
        "{name}: {n} policy. Choose one to see the details, or type its number.",
        "{name}: {n} policies. Choose one to see the details, or type its number.",
        len(entries),
        name=catalogue.categories[category],
    )
    buttons = _entry_buttons(shown, FROM_CATEGORY)
    buttons += _page_buttons(ctx, f"{PREFIX}:cat:{category}", page, pages)
    buttons += [Choice(ctx._("⬅️ All groups"), f"{PREFIX}:cats:1"), _menu_button(ctx)]
    return [Reply(_join(text, _page_line(ctx, page, pages)), tuple(buttons))]


# --- one entry -----------------------------------------------------------------------------------


def _benefit_line(ctx: Ctx, benefit: Benefit, contact: str) -> str:
    """A confirmed figure with the date it applies from; an unconfirmed one without any figure."""
    if not benefit.confirmed:
        return f"• {benefit.label}: {_unconfirmed_text(ctx, benefit.value, contact)}"
    if benefit.as_of is not None:
        return ctx._(
            "• {label}: {value} (applies from {date})",
            label=benefit.label, value=benefit.value, date=format_date(benefit.as_of),
        )
    # No sentence of a source gives the day the figure took effect: say so, never guess one.
    return ctx._("• {label}: {value} (start date: not confirmed)", label=benefit.label,
                 value=benefit.value)


def _unconfirmed_text(ctx: Ctx, value: str, contact: str) -> str:
    """Only the "chưa xác nhận — hỏi …" part of an unconfirmed item: a guessed number is never
    shown. The data promises that part (domain.policies checks it); if it is written in a form
    we cannot find, say it generically and name the entry's contact."""
    match = _UNCONFIRMED.search(unicodedata.normalize("NFC", value))
    if match is None:
        return ctx._("not confirmed yet — please ask {contact}", contact=contact)
    text = unicodedata.normalize("NFC", value)[match.start() :].strip()
    if text.count(")") > text.count("("):  # the mark sat inside a bracket of the value
        text = text.rstrip(" )")
    return text


def _validity_line(ctx: Ctx, policy: Policy) -> str:
    start, end = policy.effective_from, policy.effective_to
    if start and end:
        return ctx._("📅 In force from {start} to {end}", start=format_date(start),
                     end=format_date(end))
    if start:
        return ctx._("📅 In force from {start}", start=format_date(start))
    if end:
        return ctx._("📅 In force until {end}", end=format_date(end))
    return ctx._("📅 In force; start date: not confirmed")


def _source_text(source: str) -> str:
    return source.removeprefix("doc:").strip()


def entry_blocks(ctx: Ctx, policy: Policy) -> list[str]:
    """The entry as paragraphs, in reading order; the first is always shown."""
    catalogue = _catalogue(ctx)
    header = [f"📄 {policy.title}", policy.summary]
    if not policy.confirmed and policy.note:
        header.append(f"⚠️ {policy.note}")
    households = ", ".join(
        catalogue.household_categories[c] for c in policy.eligibility.household_categories
    )
    who = [ctx._("👥 Who qualifies: {households}", households=households)]
    who += [f"• {condition}" for condition in policy.eligibility.conditions]
    what = [ctx._("🎁 What you get:")]
    what += [_benefit_line(ctx, b, policy.apply.contact) for b in policy.benefits]
    how = [
        ctx._("📝 How to apply: {where}", where=policy.apply.where),
        ctx._("Papers to bring:"),
        *(f"• {paper}" for paper in policy.apply.papers),
        ctx._("Contact: {contact}", contact=policy.apply.contact),
    ]
    law = [ctx._("⚖️ Legal basis:"), *(f"• {basis}" for basis in policy.legal_basis)]
    dates = [
        _validity_line(ctx, policy),
        ctx._("Last reviewed: {date}", date=format_date(policy.last_reviewed)),
    ]
    sources = [ctx._("🔗 Sources:"), *(f"• {_source_text(s)}" for s in policy.sources)]
    return ["\n".join(block) for block in (header, who, what, how, law, dates, sources)]


def split_entry(blocks: list[str], limit: int = SCREEN_CHARS) -> tuple[str, str]:
    """The first screen (paragraphs, then lines of the next one, while they fit in `limit`) and
    the rest. A paragraph is cut only after its heading and at least one of its lines."""
    shown = blocks[0]
    for index, block in enumerate(blocks[1:], start=1):
        lines = block.split("\n")
        fit = 0
        while fit < len(lines) and len(f"{shown}\n\n" + "\n".join(lines[: fit + 1])) <= limit:
            fit += 1
        if fit == len(lines):
            shown = f"{shown}\n\n{block}"
            continue
        if fit < 2:
            return shown, "\n\n".join(blocks[index:])
        shown = f"{shown}\n\n" + "\n".join(lines[:fit])
        return shown, "\n\n".join(["\n".join(lines[fit:]), *blocks[index + 1 :]])
    return shown, ""


def _visible_policy(ctx: Ctx, policy_id: str) -> Policy | None:
    """The entry if this user may see it today: households only what is in force."""
    policy = _catalogue(ctx).get(policy_id)
    if policy is None or not (policy.is_visible(_today(ctx)) or _is_admin(ctx)):
        return None
    return policy


def _list_button(ctx: Ctx, policy: Policy, origin: str) -> Choice:
    """"⬅️ Danh sách" to the page of the list the entry was opened from."""
    catalogue, today = _catalogue(ctx), _today(ctx)
    if origin in HOUSEHOLD_CATEGORIES:
        entries = catalogue.for_household(origin, today)
        base = f"{PREFIX}:for:{origin}"
    elif origin == FROM_EXPIRED and _is_admin(ctx):
        entries = catalogue.expired(today)
        base = f"{PREFIX}:expired"
    else:
        entries = catalogue.by_category(today).get(policy.category, [])
        base = f"{PREFIX}:cat:{policy.category}"
    index = next((i for i, p in enumerate(entries) if p.id == policy.id), 0)
    return Choice(ctx._("⬅️ List"), f"{base}:{_page_number(index)}")


def _gone(ctx: Ctx) -> list[Reply]:
    note = ctx._("That policy is no longer in force. Here are the current ones.")
    return [categories_reply(ctx, heading=note)]


async def _show_entry(ctx: Ctx, args: list[str]) -> list[Reply]:
    """An entry's first screen, with "📄 Xem thêm" when there is more."""
    policy = _visible_policy(ctx, _arg(args, 0))
    if policy is None:
        return _gone(ctx)
    origin = _arg(args, 1) or FROM_CATEGORY
    first, rest = split_entry(entry_blocks(ctx, policy))
    buttons = [Choice(ctx._("📄 More"), _entry_payload("more", policy, origin))] if rest else []
    buttons += [_list_button(ctx, policy, origin), _menu_button(ctx)]
    return [Reply(first, tuple(buttons))]


async def _show_more(ctx: Ctx, args: list[str]) -> list[Reply]:
    """The rest of an entry, under its title so the message stands on its own."""
    policy = _visible_policy(ctx, _arg(args, 0))
    if policy is None:
        return _gone(ctx)
    origin = _arg(args, 1) or FROM_CATEGORY
    blocks = entry_blocks(ctx, policy)
    _, rest = split_entry(blocks)
    title = ctx._("📄 {title} (continued)", title=policy.title)
    text = f"{title}\n\n{rest}" if rest else "\n\n".join(blocks)
    return [Reply(text, (_list_button(ctx, policy, origin), _menu_button(ctx)))]


# --- what can my household get -------------------------------------------------------------------


def ask_household_reply(ctx: Ctx) -> Reply:
    """Asks which household category applies."""
    names = _catalogue(ctx).household_categories
    buttons = [Choice(names[c], f"{PREFIX}:for:{c}") for c in ASKED_HOUSEHOLDS]
    buttons += [Choice(ctx._("❓ I don't know"), f"{PREFIX}:for:unknown"), _menu_button(ctx)]
    text = ctx._("🎁 Which group is your household in? Choose a button or type its number.")
    return Reply(text, tuple(buttons))


async def _for_household(ctx: Ctx, args: list[str]) -> list[Reply]:
    """The entries in force for one household category, most useful first."""
    household = _arg(args, 0)
    if household == "unknown":
        return [_unknown_household(ctx)]
    if household not in HOUSEHOLD_CATEGORIES:
        return [ask_household_reply(ctx)]
    catalogue = _catalogue(ctx)
    entries = catalogue.for_household(household, _today(ctx))
    name = catalogue.household_categories[household]
    if not entries:
        note = ctx._("I have no policy listed for: {household}. You can browse all of them.",
                     household=name)
        return [categories_reply(ctx, heading=note)]
    shown, page, pages = _page_of(entries, _page_arg(args, 1))
    text = ctx.ngettext(
        "{household}: {n} policy may help you, most useful first.",
        "{household}: {n} policies may help you, most useful first.",
        len(entries),
        household=name,
    )
    caveat = ctx._("Each has its own conditions; the ward office (UBND phường/xã) decides.")
    buttons = _entry_buttons(shown, household)
    buttons += _page_buttons(ctx, f"{PREFIX}:for:{household}", page, pages)
    buttons += [Choice(ctx._("⬅️ Another group"), f"{PREFIX}:for"), _menu_button(ctx)]
    return [Reply(_join(text, caveat, _page_line(ctx, page, pages)), tuple(buttons))]


def _unknown_household(ctx: Ctx) -> Reply:
    """Suggests the self-assessment, with a button where that feature exists."""
    text = ctx._(
        "Not sure? The self-assessment /tudanhgia tells you in a few minutes which group your "
        "household is likely in. You can also browse all policies."
    )
    buttons = []
    if ASSESS_COMMAND in ctx.registry.commands:
        buttons.append(Choice(ctx._("📋 Self-assessment"), f"{PREFIX}:assess"))
    buttons += [Choice(ctx._("📚 All policies"), f"{PREFIX}:cats:1"), _menu_button(ctx)]
    return Reply(text, tuple(buttons))


async def _start_assessment(ctx: Ctx, _args: list[str]) -> list[Reply]:
    command = ctx.registry.commands.get(ASSESS_COMMAND)
    if command is None or ctx.user.role not in command.roles:
        return [categories_reply(ctx)]
    return await command.action(ctx, "")


# --- search --------------------------------------------------------------------------------------


async def search_replies(ctx: Ctx, query: str) -> list[Reply]:
    """The policies matching a question, best first; none: say so and offer the categories."""
    # searching is pure CPU (~10 ms): in a thread, so a flood of questions cannot hold the loop
    found = await asyncio.to_thread(search, _catalogue(ctx), query, _today(ctx), SEARCH_LIMIT)
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
    buttons = _entry_buttons([policy for policy, _ in found], FROM_CATEGORY)
    buttons += [Choice(ctx._("📚 All groups"), f"{PREFIX}:cats:1"), _menu_button(ctx)]
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
        return await _for_household(ctx, [household])
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
    catalogue = _catalogue(ctx)
    found = await asyncio.to_thread(search, catalogue, text, _today(ctx), 1)
    if found:
        return found[0][1]
    return FALLBACK_SCORE if read_question(text, index_of(catalogue)) else 0.0


# --- admins: expired entries ---------------------------------------------------------------------


def expired_reply(ctx: Ctx, page: int = 1) -> Reply:
    """Entries past their effective-to date, with their end and last-reviewed dates."""
    entries = _catalogue(ctx).expired(_today(ctx))
    if not entries:
        return main_menu(ctx, ctx._("No policy has expired. Households see every entry."))
    shown, page, pages = _page_of(entries, page)
    lines = [
        ctx.ngettext(
            "{n} policy has expired and is hidden from households:",
            "{n} policies have expired and are hidden from households:",
            len(entries),
        )
    ]
    first = (page - 1) * PAGE_SIZE
    for number, policy in enumerate(shown, start=first + 1):
        lines.append(ctx._(
            "{number}. {title} — ended {end}, last reviewed {reviewed}",
            number=number, title=policy.title,
            end=format_date(policy.effective_to) if policy.effective_to else "?",
            reviewed=format_date(policy.last_reviewed),
        ))
    buttons = _entry_buttons(shown, FROM_EXPIRED)
    buttons += _page_buttons(ctx, f"{PREFIX}:expired", page, pages)
    buttons.append(_menu_button(ctx))
    return Reply(_join(*lines, _page_line(ctx, page, pages)), tuple(buttons))


async def _expired_page(ctx: Ctx, args: list[str]) -> list[Reply]:
    if not _is_admin(ctx):
        return [main_menu(ctx, ctx._("This command is only for ward officers and the labour "
                                     "office."))]
    return [expired_reply(ctx, _page_arg(args, 0))]


# --- wiring --------------------------------------------------------------------------------------


async def _main_menu(ctx: Ctx, _args: list[str]) -> list[Reply]:
    return [main_menu(ctx)]


_ACTIONS: dict[str, PageAction] = {
    "cats": _show_categories,
    "cat": _show_category,
    "show": _show_entry,
    "more": _show_more,
    "for": _for_household,
    "assess": _start_assessment,
    "expired": _expired_page,
    "menu": _main_menu,
}


async def on_choice(ctx: Ctx, payload: str) -> list[Reply]:
    """Routes a `pol:<action>:<args…>` button, pressed or typed, from anywhere."""
    action, *args = payload.split(":")[1:] or ["cats"]
    handler = _ACTIONS.get(action)
    if handler is None:
        return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]
    return await handler(ctx, args)


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
    """Commands, menu buttons, the `pol` buttons and the free-text search."""
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
    registry.choice_prefix(PREFIX, on_choice)
    registry.text_routes.append(TextRoute("policies", match_question, answer_question))
