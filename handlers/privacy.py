"""Personal data by design: /dulieucuatoi shows what the bot holds about the user, /xoadulieu
deletes it after a confirmation and answers with a short receipt.

Every feature that stores personal data registers a `PersonalData` section (how its rows are
shown and deleted), so these two commands stay complete as features are added. The account
section registered here goes last: it removes the user row itself.
"""

from __future__ import annotations

from typing import Any

from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Outcome, Retry, Step
from db import users as repo
from db.models import DialogState
from domain.formatting import format_datetime
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.text import parse_yes_no
from handlers.menu import main_menu
from handlers.registry import Command, MenuItem, PersonalData, Registry

PURPOSES = {
    "share_with_officers": N_("share my details with my ward's officers"),
    "course_registration": N_("register for vocational courses"),
    "job_notices": N_("receive notices I subscribed to"),
    "job_seeker": N_("show my job-seeker profile to the labour office"),
}


async def show_my_data(ctx: Ctx, _args: str = "") -> list[Reply]:
    """Lists every section's lines, or says there is nothing."""
    lines: list[str] = []
    for section in ctx.registry.personal_data:
        lines.extend(await section.show(ctx))
    header = ctx._("This is what I keep about you:")
    footer = ctx._("To delete all of it, type /xoadulieu.")
    return [main_menu(ctx, "\n".join([header, *lines, "", footer]))]


async def _account_lines(ctx: Ctx) -> list[str]:
    user = ctx.user
    lines = [
        ctx._("• Account: {channel}, since {date}", channel=user.channel,
              date=format_datetime(user.created_at, ctx.settings.timezone)),
    ]
    if user.ward:
        lines.append(ctx._("• Ward: {ward}", ward=user.ward))
    for consent in await repo.consents(ctx.session, user):
        purpose = ctx._(PURPOSES.get(consent.purpose, consent.purpose))
        when = format_datetime(consent.granted_at, ctx.settings.timezone)
        if consent.withdrawn_at is None:
            lines.append(ctx._("• You agreed to {purpose} on {when}", purpose=purpose, when=when))
    if ctx.state.dialog:
        lines.append(ctx._("• Answers of an unfinished step (deleted when you finish or cancel)"))
    return lines


async def _delete_account(ctx: Ctx) -> int:
    await repo.delete_user(ctx.session, ctx.user)
    ctx.state = DialogState(data={}, stack=[], offered=[], updated_at=ctx.now)
    return 1


def _ask_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: really delete everything?"""
    return Reply(
        ctx._(
            "Delete everything I keep about you? This cannot be undone. Registrations and "
            "shared results are deleted too."
        ),
        (Choice(ctx._("🗑️ Yes, delete"), "erase:yes"), Choice(ctx._("No, keep"), "erase:no")),
    )


async def _accept_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Deletes every section on yes; keeps everything on no."""
    typed = parse_yes_no(answer.text) if answer.choice is None else None
    yes = answer.choice == "erase:yes" or typed is True
    no = answer.choice == "erase:no" or typed is False
    if no:
        return Done(menu=ctx._("Nothing was deleted."))
    if not yes:
        return Retry(ctx._("Please answer yes or no."), ctx._("yes"))
    counts = []
    for section in ctx.registry.personal_data:
        removed = await section.delete(ctx)
        if removed:
            counts.append(f"{ctx._(section.name)}: {removed}")
    when = format_datetime(ctx.now, ctx.settings.timezone)
    receipt = ctx._("Deleted at {when}. What was removed:", when=when)
    kept = ctx._("What stays: a household on a ward's list that a ward officer entered is the "
                 "ward's own record for the yearly poverty review, not your account, so it is "
                 "kept. To correct it, ask your ward office.")
    bye = ctx._("If you write again, I will start fresh. Thank you!")
    # forget_history: the web chat clears the transcript on screen and in the browser too
    return Done([Reply("\n".join([receipt, *counts, kept, bye]), forget_history=True)])


ERASE = Dialog(
    loose=True, name="erase",
    title=N_("Delete my data"),
    steps=[Step("confirm", _ask_confirm, _accept_confirm)],
)


async def _erase(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, "erase")


async def _erase_menu(ctx: Ctx) -> list[Reply]:
    return await _erase(ctx)


async def _show_menu(ctx: Ctx) -> list[Reply]:
    return await show_my_data(ctx)


def register(registry: Registry) -> None:
    registry.dialog(ERASE)
    registry.command(Command("dulieucuatoi", N_("See what the bot keeps about you"), show_my_data))
    registry.command(Command("xoadulieu", N_("Delete your data"), _erase))
    registry.menu_item(MenuItem("mydata", N_("🔒 My data"), _show_menu, order=900))


def register_account_section(registry: Registry) -> None:
    """Registered last by the composition root: deleting the account must come after the rest."""
    registry.personal_data.append(PersonalData(N_("messages and records"), _no_lines, _traces))
    registry.personal_data.append(
        PersonalData(N_("account"), _account_lines, _delete_account)
    )


async def _no_lines(_ctx: Ctx) -> list[str]:
    return []  # shown by the sections they belong to


async def _traces(ctx: Ctx) -> int:
    return await repo.delete_traces(ctx.session, ctx.user)
