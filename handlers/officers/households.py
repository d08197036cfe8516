"""Households: adding one (/themho) or a list (/nhapho), both dialogs; finding one (/ho) and its
card; logging a visit (/thamho, a dialog or one line); and the households' import and export
for `giamngheo admin import|export households`."""

from __future__ import annotations

from typing import Any

from conversations import paging
from conversations.context import Ctx
from conversations.officers import (
    KIND_LABELS,
    PROPOSAL_LABELS,
    city_wards,
    household_line,
    scope,
)
from conversations.officers.household import file_fields, household_summary
from conversations.officers.imports import import_rows
from conversations.officers.visit import parse_quick_visit
from db.models import User
from db.officers import households as repo
from db.officers import roster as roster_repo
from db.officers import visits as visits_repo
from domain.formatting import format_datetime
from domain.i18n import Translator
from domain.localities import Localities
from domain.messages import Choice, Reply
from domain.tables import ImportResult
from handlers.menu import main_menu
from handlers.officers.buttons import OfficerButton, SearchPage


async def add_household(ctx: Ctx, _args: str) -> list[Reply]:
    return await ctx.dialogs.start(ctx, "off_household")


async def import_households(ctx: Ctx, _args: str) -> list[Reply]:
    return await ctx.dialogs.start(ctx, "off_import")


async def find(ctx: Ctx, args: str, page: int = 0) -> list[Reply]:
    """/ho TEXT: households in the user's wards whose code, name or phone match."""
    wards = await scope(ctx)
    query = args.strip()
    found, total = await repo.search_households(
        ctx.session, wards, query, paging.PAGE_SIZE, page * paging.PAGE_SIZE
    )
    if not total:
        text = ctx._("No household in your wards matches \"{text}\". Type /ho and a code, "
                     "name or phone, e.g. /ho HGD001.", text=query[:40]) if query else ctx._(
            "Your wards have no households yet. Add one with /themho or import the list with "
            "/nhapho.")
        return [main_menu(ctx, text)]
    pages = -(-total // paging.PAGE_SIZE)
    head = ctx.ngettext("{n} household found, page {page}/{pages}:",
                        "{n} households found, page {page}/{pages}:", total,
                        page=page + 1, pages=pages)
    buttons = [Choice(household_line(ctx, h), OfficerButton("hh", h.id).pack()) for h in found]
    buttons += paging.page_buttons(ctx, lambda n: SearchPage.of(query, n).pack(), page, pages,
                                   first=0)
    return [Reply(head, tuple(buttons))]


async def household_card(ctx: Ctx, household_id: int) -> list[Reply]:
    """One household: its details, its last visits, and what to do next."""
    household = await repo.get_household(ctx.session, household_id, await scope(ctx))
    if household is None:
        return [main_menu(ctx, ctx._("I cannot find that household in your wards."))]
    lines = [household_summary(ctx, household)]
    visits = await visits_repo.last_visits(ctx.session, household.id, 3)
    if visits:
        lines.append(ctx._("Last visits:"))
    for visit in visits:
        when = format_datetime(visit.visited_at, ctx.settings.timezone)
        extra = " 📷" if visit.photo_file_id else ""
        if visit.proposed_category:
            extra += " — " + ctx._(PROPOSAL_LABELS[visit.proposed_category])
        lines.append(f"• {when} — {ctx._(KIND_LABELS[visit.kind])}: {visit.note[:80]}{extra}")
    buttons = (Choice(ctx._("📝 Log a visit"), OfficerButton("vs", household.id).pack()),
               Choice(ctx._("🔁 Change the list"), OfficerButton("cat", household.id).pack()))
    return [Reply("\n".join(lines), buttons)]


async def start_on(ctx: Ctx, dialog: str, household_id: int) -> list[Reply]:
    """A household card's button: `dialog` about that household, if it is in the person's
    wards (a payload can name any id)."""
    if await repo.get_household(ctx.session, household_id, await scope(ctx)) is None:
        return [main_menu(ctx, ctx._("I cannot find that household in your wards."))]
    return await ctx.dialogs.start(ctx, dialog, {"household_id": household_id})


async def visit(ctx: Ctx, args: str) -> list[Reply]:
    """/thamho: the dialog; with text, the one-line form (straight to "save")."""
    if not args.strip():
        return await ctx.dialogs.start(ctx, "off_visit")
    quick = parse_quick_visit(args, ctx.local_now.date())
    if quick is None:
        example = "/thamho HGD001 sinh kế: đã hướng dẫn nuôi dê hẹn 15/12"
        return [main_menu(ctx, ctx._("I could not read that. Write: /thamho CODE kind note "
                                     "[hẹn dd/mm], e.g. {example}", example=example))]
    found = await repo.find_by_code(ctx.session, await scope(ctx), quick.code)
    if len(found) != 1:
        return [main_menu(ctx, ctx._("No household in your wards has the code {code}.",
                                     code=quick.code))]
    data = {"quick": True, "household_id": found[0].id, "kind": quick.kind, "note": quick.note,
            "proposed_category": None,
            "follow_up_on": quick.follow_up_on.isoformat() if quick.follow_up_on else None}
    return await ctx.dialogs.start(ctx, "off_visit", data)


async def run_import(
    core: Any, rows: list[Any], translator: Translator, actor_user_id: int | None
) -> ImportResult:
    """`giamngheo admin import households FILE` (and the same rules as /nhapho)."""
    loc: Localities = core.services.content["localities"]
    now = core.services.clock()
    async with core.sessions() as session, session.begin():
        actor = await session.get(User, actor_user_id) if actor_user_id is not None else None
        wards = city_wards(loc)
        if actor is not None and actor.role != "admin":
            wards = await roster_repo.wards_of(session, actor.id)
        count, errors = await import_rows(
            session, rows, translator, loc, wards, now.astimezone(core.settings.tz).year,
            actor, now,
        )
    return ImportResult(count, errors)


async def run_export(core: Any, translator: Translator) -> tuple[list[str], list[list[Any]]]:
    """Every household, in the import's own columns (so the file can be edited and re-imported):
    the household record's file fields."""
    loc: Localities = core.services.content["localities"]
    async with core.sessions() as session:
        households = await repo.all_households(session, None)
    fields = file_fields()
    return [f.sheet for f in fields], [[f.exported(h, loc) for f in fields] for h in households]
