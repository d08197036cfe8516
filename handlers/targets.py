"""The year's targets: /chitieu lets an admin set them (a dialog, kept in the database with who
set them), and `targets_for` gives /baocao the year's targets: the admin's, else targets.yaml."""

from __future__ import annotations

from conversations import targets as dialog
from conversations.context import Ctx
from db import targets as repo
from domain.i18n import N_
from domain.messages import Reply
from domain.roles import ADMINS
from domain.targets import TargetBook, YearTargets, for_year
from handlers.registry import Command, Registry


async def targets_for(ctx: Ctx, year: int) -> YearTargets | None:
    book: TargetBook | None = ctx.services.content.get("targets")
    return for_year(await repo.load_year(ctx.session, year), book, year)


async def set_targets(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, dialog.DIALOG.name)


def register(registry: Registry) -> None:
    registry.dialog(dialog.DIALOG)
    registry.command(Command("chitieu", N_("Set the year's poverty-reduction targets"),
                             set_targets, ADMINS))
