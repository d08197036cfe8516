"""The support-policy pages, each stateless behind its button (conversations/policy_buttons.py),
so it works from anywhere (a self-assessment result, an old message, after a restart): the
policy groups, one group's entries, "what can my household get" by household category, an
entry's first screen and the rest, and the admins' list of expired entries.

Households only ever see entries in force today (local date); admins may open expired ones from
their list. Every list is most useful first, PAGE_SIZE a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from conversations import paging
from conversations.context import Ctx
from conversations.policy_buttons import (
    FROM_CATEGORY,
    FROM_EXPIRED,
    PolicyEntry,
    PolicyList,
)
from domain.formatting import format_date
from domain.messages import Choice, Reply
from domain.policies import HOUSEHOLD_CATEGORIES, Catalogue, Policy
from domain.roles import ADMINS
from handlers.menu import main_menu
from handlers.policy_entry import entry_blocks, split_entry

ASSESS_COMMAND = "tudanhgia"
# The household categories offered as buttons; "not_poor" is reached from the self-assessment.
ASKED_HOUSEHOLDS = ("poor", "near_poor", "newly_escaped", "average")


# --- small helpers -------------------------------------------------------------------------------


def catalogue_of(ctx: Ctx) -> Catalogue:
    catalogue: Catalogue = ctx.services.content["policies"]
    return catalogue


def today(ctx: Ctx) -> date:
    """Validity is decided by the household's calendar day, not UTC's."""
    return ctx.local_now.date()


def _is_admin(ctx: Ctx) -> bool:
    return ctx.user.role in ADMINS


def _page_buttons(ctx: Ctx, view: PolicyList, page: int, pages: int) -> list[Choice]:
    return paging.page_buttons(
        ctx, lambda n: PolicyList(view.view, view.key, n).pack(), page, pages)


def _page_line(ctx: Ctx, page: int, pages: int) -> str:
    return ctx._("Page {page}/{pages}", page=page, pages=pages) if pages > 1 else ""


def menu_button(ctx: Ctx) -> Choice:
    return Choice(ctx._("🏠 Menu"), PolicyList("menu").pack())


def all_groups_button(ctx: Ctx, label: str) -> Choice:
    return Choice(label, PolicyList("cats").pack())


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def entry_buttons(policies: Sequence[Policy], origin: str) -> list[Choice]:
    return [Choice(p.title, PolicyEntry("show", p.id, origin).pack()) for p in policies]


# --- categories and category lists --------------------------------------------------------------


def categories_reply(ctx: Ctx, page: int = 1, heading: str | None = None) -> Reply:
    """The categories that have entries in force today, as buttons with their counts."""
    catalogue = catalogue_of(ctx)
    grouped = catalogue.by_category(today(ctx))
    names = list(grouped)
    shown, page, pages = paging.page_of(names, page)
    buttons = [
        Choice(f"{catalogue.categories[c]} ({len(grouped[c])})", PolicyList("cat", c).pack())
        for c in shown
    ]
    buttons += _page_buttons(ctx, PolicyList("cats"), page, pages)
    buttons.append(menu_button(ctx))
    text = heading or ctx._("📚 Support policies. Choose a group, or type its number.")
    hint = ctx._("You can also type a question, for example: vay vốn làm ăn")
    return Reply(_join(text, hint, _page_line(ctx, page, pages)), tuple(buttons))


def category_page(ctx: Ctx, category: str, page: int) -> Reply:
    """One category's entries in force today, most useful first."""
    catalogue = catalogue_of(ctx)
    entries = catalogue.by_category(today(ctx)).get(category)
    if not entries:
        note = ctx._("This group has no policies in force right now. Please choose another.")
        return categories_reply(ctx, heading=note)
    shown, page, pages = paging.page_of(entries, page)
    text = ctx.ngettext(
        "{name}: {n} policy. Choose one to see the details, or type its number.",
        "{name}: {n} policies. Choose one to see the details, or type its number.",
        len(entries),
        name=catalogue.categories[category],
    )
    buttons = entry_buttons(shown, FROM_CATEGORY)
    buttons += _page_buttons(ctx, PolicyList("cat", category), page, pages)
    buttons += [all_groups_button(ctx, ctx._("⬅️ All groups")), menu_button(ctx)]
    return Reply(_join(text, _page_line(ctx, page, pages)), tuple(buttons))


# --- one entry -----------------------------------------------------------------------------------


def _visible_policy(ctx: Ctx, policy_id: str) -> Policy | None:
    """The entry if this user may see it today: households only what is in force."""
    policy = catalogue_of(ctx).get(policy_id)
    if policy is None or not (policy.is_visible(today(ctx)) or _is_admin(ctx)):
        return None
    return policy


def _list_button(ctx: Ctx, policy: Policy, origin: str) -> Choice:
    """"⬅️ Danh sách" to the page of the list the entry was opened from."""
    catalogue, on = catalogue_of(ctx), today(ctx)
    if origin in HOUSEHOLD_CATEGORIES:
        entries = catalogue.for_household(origin, on)
        view = PolicyList("for", origin)
    elif origin == FROM_EXPIRED and _is_admin(ctx):
        entries = catalogue.expired(on)
        view = PolicyList("expired")
    else:
        entries = catalogue.by_category(on).get(policy.category, [])
        view = PolicyList("cat", policy.category)
    index = next((i for i, p in enumerate(entries) if p.id == policy.id), 0)
    page = index // paging.PAGE_SIZE + 1
    return Choice(ctx._("⬅️ List"), PolicyList(view.view, view.key, page).pack())


def entry_page(ctx: Ctx, pressed: PolicyEntry) -> Reply:
    """An entry's first screen, with "📄 Xem thêm" when there is more ("show"), or the rest of
    it under its title, so the message stands on its own ("more")."""
    policy = _visible_policy(ctx, pressed.policy)
    if policy is None:
        note = ctx._("That policy is no longer in force. Here are the current ones.")
        return categories_reply(ctx, heading=note)
    blocks = entry_blocks(ctx, policy)
    first, rest = split_entry(blocks)
    back = [_list_button(ctx, policy, pressed.origin), menu_button(ctx)]
    if pressed.action == "show":
        more = PolicyEntry("more", policy.id, pressed.origin).pack()
        buttons = [Choice(ctx._("📄 More"), more)] if rest else []
        return Reply(first, (*buttons, *back))
    title = ctx._("📄 {title} (continued)", title=policy.title)
    text = f"{title}\n\n{rest}" if rest else "\n\n".join(blocks)
    return Reply(text, tuple(back))


# --- what can my household get -------------------------------------------------------------------


def ask_household_reply(ctx: Ctx) -> Reply:
    """Asks which household category applies."""
    names = catalogue_of(ctx).household_categories
    buttons = [Choice(names[c], PolicyList("for", c).pack()) for c in ASKED_HOUSEHOLDS]
    buttons += [Choice(ctx._("❓ I don't know"), PolicyList("for", "unknown").pack()),
                menu_button(ctx)]
    text = ctx._("🎁 Which group is your household in? Choose a button or type its number.")
    return Reply(text, tuple(buttons))


def household_page(ctx: Ctx, household: str, page: int = 1) -> Reply:
    """The entries in force for one household category, most useful first."""
    if household == "unknown":
        return _unknown_household(ctx)
    if household not in HOUSEHOLD_CATEGORIES:
        return ask_household_reply(ctx)
    catalogue = catalogue_of(ctx)
    entries = catalogue.for_household(household, today(ctx))
    name = catalogue.household_categories[household]
    if not entries:
        note = ctx._("I have no policy listed for: {household}. You can browse all of them.",
                     household=name)
        return categories_reply(ctx, heading=note)
    shown, page, pages = paging.page_of(entries, page)
    text = ctx.ngettext(
        "{household}: {n} policy may help you, most useful first.",
        "{household}: {n} policies may help you, most useful first.",
        len(entries),
        household=name,
    )
    caveat = ctx._("Each has its own conditions; the ward office (UBND phường/xã) decides.")
    buttons = entry_buttons(shown, household)
    buttons += _page_buttons(ctx, PolicyList("for", household), page, pages)
    buttons += [Choice(ctx._("⬅️ Another group"), PolicyList("for").pack()), menu_button(ctx)]
    return Reply(_join(text, caveat, _page_line(ctx, page, pages)), tuple(buttons))


def _unknown_household(ctx: Ctx) -> Reply:
    """Suggests the self-assessment, with a button where that feature exists."""
    text = ctx._(
        "Not sure? The self-assessment /tudanhgia tells you in a few minutes which group your "
        "household is likely in. You can also browse all policies."
    )
    buttons = []
    if ASSESS_COMMAND in ctx.registry.commands:
        buttons.append(Choice(ctx._("📋 Self-assessment"), PolicyList("assess").pack()))
    buttons += [all_groups_button(ctx, ctx._("📚 All policies")), menu_button(ctx)]
    return Reply(text, tuple(buttons))


async def start_assessment(ctx: Ctx) -> list[Reply]:
    command = ctx.registry.commands.get(ASSESS_COMMAND)
    if command is None or ctx.user.role not in command.roles:
        return [categories_reply(ctx)]
    return await command.action(ctx, "")


# --- admins: expired entries ---------------------------------------------------------------------


def expired_reply(ctx: Ctx, page: int = 1) -> Reply:
    """Entries past their effective-to date, with their end and last-reviewed dates."""
    entries = catalogue_of(ctx).expired(today(ctx))
    if not entries:
        return main_menu(ctx, ctx._("No policy has expired. Households see every entry."))
    shown, page, pages = paging.page_of(entries, page)
    lines = [
        ctx.ngettext(
            "{n} policy has expired and is hidden from households:",
            "{n} policies have expired and are hidden from households:",
            len(entries),
        )
    ]
    first = (page - 1) * paging.PAGE_SIZE
    for number, policy in enumerate(shown, start=first + 1):
        lines.append(ctx._(
            "{number}. {title} — ended {end}, last reviewed {reviewed}",
            number=number, title=policy.title,
            end=format_date(policy.effective_to) if policy.effective_to else "?",
            reviewed=format_date(policy.last_reviewed),
        ))
    buttons = entry_buttons(shown, FROM_EXPIRED)
    buttons += _page_buttons(ctx, PolicyList("expired"), page, pages)
    buttons.append(menu_button(ctx))
    return Reply(_join(*lines, _page_line(ctx, page, pages)), tuple(buttons))


def expired_page(ctx: Ctx, page: int) -> Reply:
    if not _is_admin(ctx):
        return main_menu(ctx, ctx._("This command is only for ward officers and the labour "
                                    "office."))
    return expired_reply(ctx, page)

