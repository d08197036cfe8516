"""The main menu, help and the basic commands every user has: /start /menu /huy /trogiup /toi.

The menu lists only what is registered for the user's role, so there is never a dead button. An
unfinished dialog is offered first ("Tiếp tục …") so nobody loses their place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations import paging
from conversations.engine import CANCEL, RESTART, RESUME
from conversations.payloads import Payload, payload, slug
from domain.i18n import N_
from domain.messages import Choice, Reply
from handlers.registry import Command, Registry

if TYPE_CHECKING:
    from conversations.context import Ctx


@payload("menu")
class MenuButton(Payload):
    """A main-menu button: "menu:<item id>", or "menu:page:<n>" for a page of the menu."""

    item: str = slug(32)
    page: int = 1


def main_menu(ctx: Ctx, text: str | None = None, page: int = 1) -> Reply:
    """The menu as one reply; `text` goes above it (default: "what would you like to do?").

    More than paging.PAGE_SIZE items (an officer's menu) are shown a page at a time.
    """
    choices: list[Choice] = []
    dialog = ctx.dialogs.active(ctx)
    if dialog is not None:
        title = ctx._(dialog.title)
        choices.append(Choice(ctx._("▶️ Continue: {title}", title=title), RESUME))
    shown, page, pages = paging.page_of(ctx.registry.menu_for(ctx.user.role), page)
    for item in shown:
        choices.append(Choice(ctx._(item.label), MenuButton(item.id).pack()))
    choices += paging.page_buttons(ctx, lambda n: MenuButton("page", n).pack(), page, pages)
    heading = ctx._("What would you like to do? Choose a button or type its number.")
    return Reply(f"{text}\n\n{heading}" if text else heading, tuple(choices))


def resume_offer(ctx: Ctx) -> list[Reply]:
    """Ask someone who comes back whether to continue their unfinished dialog."""
    dialog = ctx.dialogs.active(ctx)
    title = ctx._(dialog.title) if dialog else ""
    return [
        Reply(
            ctx._("Welcome back! You had not finished: {title}. Continue?", title=title),
            (
                Choice(ctx._("▶️ Continue"), RESUME),
                Choice(ctx._("🔄 Start again"), RESTART),
                Choice(ctx._("✖️ Cancel"), CANCEL),
            ),
        )
    ]


def cancelled(ctx: Ctx) -> list[Reply]:
    if ctx.dialogs.active(ctx) is None:
        return [main_menu(ctx, ctx._("There is nothing to cancel."))]
    ctx.dialogs.clear(ctx)
    return [main_menu(ctx, ctx._("Cancelled. Nothing was saved from that step."))]


def not_understood(ctx: Ctx) -> str:
    return ctx._("Sorry, I did not understand. You can choose from the menu below.")


async def open_item(ctx: Ctx, pressed: MenuButton | None) -> list[Reply]:
    """A menu button (None: a "menu:" payload the menu never made)."""
    if pressed is not None and pressed.item == "page":
        return [main_menu(ctx, page=pressed.page)]
    item = ctx.registry.menu.get(pressed.item) if pressed is not None else None
    if item is None or ctx.user.role not in item.roles:
        return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]
    return await item.action(ctx)


def help_text(ctx: Ctx) -> str:
    lines = [
        ctx._("I help households with the poverty-reduction programme."),
        ctx._("Press a button, or type one of these commands:"),
    ]
    for command in ctx.registry.commands_for(ctx.user.role):
        lines.append(f"/{command.name} — {ctx._(command.description)}")
    lines.append(ctx._("At any question: type 0 or \"quay lại\" to go back, /huy to cancel."))
    return "\n".join(lines)


async def _start(ctx: Ctx, _args: str) -> list[Reply]:
    greeting = ctx._(
        "Hello! I am the poverty-reduction assistant of {city}.",
        city=_city(ctx),
    )
    return [main_menu(ctx, greeting)]


def _city(ctx: Ctx) -> str:
    localities = ctx.services.content.get("localities")
    return localities.city if localities is not None else ctx._("your city")


async def _menu(ctx: Ctx, _args: str) -> list[Reply]:
    return [main_menu(ctx)]


async def _cancel(ctx: Ctx, _args: str) -> list[Reply]:
    return cancelled(ctx)


async def _help(ctx: Ctx, _args: str) -> list[Reply]:
    step = ctx.dialogs.current_step(ctx)
    if step is not None and not ctx.dialogs.paused(ctx):
        if step.zero_is_answer:  # 0 is an answer here, so it is not "back"
            nav = ctx._("Type \"quay lại\" to go back (0 is an answer here), /huy to cancel, "
                        "/menu for the main menu.")
        else:
            nav = ctx._("Type 0 or \"quay lại\" to go back, /huy to cancel, /menu for the main "
                        "menu.")
        text = f"{ctx._(step.help)}\n{nav}" if step.help else (
            ctx._("Answer the question below.") + " " + nav)
        return await ctx.dialogs.ask(ctx, [Reply(text)])
    return [main_menu(ctx, help_text(ctx))]


CHANNEL_NAMES = {
    "telegram": N_("Telegram"),
    "zalo": N_("Zalo"),
    "web": N_("web chat"),
    "console": N_("console"),
}
ROLE_NAMES = {
    "citizen": N_("resident"),
    "officer": N_("ward officer"),
    "admin": N_("labour office (admin)"),
}


async def _me(ctx: Ctx, _args: str) -> list[Reply]:
    """/toi: the person's channel, id and role, for support and for ADMIN_IDS."""
    from db.officers.roster import wards_of

    user = ctx.user
    channel = CHANNEL_NAMES.get(user.channel)
    lines = [
        ctx._("About you:"),
        ctx._("• Channel: {channel}", channel=ctx._(channel) if channel else user.channel),
        ctx._("• Your id: {id}", id=user.external_id),
        ctx._("• Role: {role}", role=ctx._(ROLE_NAMES.get(user.role, user.role))),
    ]
    wards = await wards_of(ctx.session, user.id) if user.role != "citizen" else []
    if wards:
        lines.append(ctx._("• Wards: {wards}", wards=", ".join(wards)))
    lines.append(ctx._("If the labour office asks for your id, send them: {pair}",
                       pair=f"{user.channel}:{user.external_id}"))
    return [main_menu(ctx, "\n".join(lines))]


def register(registry: Registry) -> None:
    """The basic commands, available to everyone."""
    registry.command(Command("start", N_("Start and show the main menu"), _start))
    registry.command(Command("menu", N_("Main menu"), _menu))
    registry.command(Command("huy", N_("Cancel what you are doing"), _cancel))
    registry.command(Command("trogiup", N_("Help"), _help))
    registry.command(Command("toi", N_("Your channel, id and role"), _me))
