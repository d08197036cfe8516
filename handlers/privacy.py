"""Personal data by design: /dulieucuatoi shows what the bot holds about the user, /xoadulieu
deletes it after a confirmation and answers with a short receipt (the dialog is
conversations/privacy.py).

Every feature that stores personal data registers a `PersonalData` section (how its rows are
shown and deleted), so these two commands stay complete as features are added. The account
section registered here goes last: it removes the user row itself.
"""

from __future__ import annotations

from conversations.context import Ctx
from conversations.privacy import ERASE
from db import users as repo
from db.models import DialogState
from domain.formatting import format_datetime
from domain.i18n import N_
from domain.messages import Reply
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


async def _erase(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, ERASE.name)


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
