"""/hangdoi: the self-assessments households shared with the officer's wards, newest first, each
with "Contacted"; a result the household's answers changed since comes back."""

from __future__ import annotations

from datetime import datetime

from conversations import paging
from conversations.context import Ctx
from conversations.officers import localities, scope, ward_label
from db.models import SharedAssessment
from db.officers import queue as repo
from domain.formatting import format_datetime
from domain.localities import Localities
from domain.messages import Choice, Reply
from domain.poverty import CATEGORY_NAMES
from handlers.menu import main_menu
from handlers.officers.buttons import OfficerButton

QUEUE_PER_PAGE = 4

async def queue(ctx: Ctx, _args: str = "", page: int = 0) -> list[Reply]:
    """/hangdoi: results households shared with the officer's wards, newest first."""
    wards = await scope(ctx)
    loc = localities(ctx)
    names = None if wards is None else _shared_ward_names(loc, wards)
    rows, total = await repo.assessment_queue(
        ctx.session, names, QUEUE_PER_PAGE, page * QUEUE_PER_PAGE
    )
    if not total:
        return [main_menu(ctx, ctx._("No shared self-assessments are waiting."))]
    pages = -(-total // QUEUE_PER_PAGE)
    lines = [ctx.ngettext("{n} shared self-assessment waiting, page {page}/{pages}:",
                          "{n} shared self-assessments waiting, page {page}/{pages}:", total,
                          page=page + 1, pages=pages)]
    buttons = []
    for number, (shared, handled_at) in enumerate(rows, start=page * QUEUE_PER_PAGE + 1):
        lines.append(_shared_lines(ctx, number, shared, handled_at, show_ward=wards is None))
        buttons.append(Choice(ctx._("✔️ Contacted {number}", number=number),
                              OfficerButton("qh", shared.id).pack()))
    buttons += paging.page_buttons(ctx, lambda n: OfficerButton("q", n).pack(), page, pages,
                                   first=0)
    return [Reply("\n".join(lines), tuple(buttons))]


def _shared_ward_names(loc: Localities, wards: list[str]) -> list[str]:
    """How households' chosen wards are stored ("phường Phan Rang"), plus bare names."""
    return [*(ward_label(loc, w) for w in wards), *wards]


def _shared_lines(
    ctx: Ctx, number: int, shared: SharedAssessment, handled_at: datetime | None,
    show_ward: bool,
) -> str:
    tz = ctx.settings.timezone
    category = ctx._(CATEGORY_NAMES.get(shared.category, shared.category))
    line = ctx._("{number}. {name} · {phone} · {members} people — {category} · shared {when}",
                 number=number, name=shared.name, phone=shared.phone, members=shared.members,
                 category=category, when=format_datetime(shared.shared_at, tz))
    if show_ward and shared.ward:
        line += f" · {shared.ward}"
    if shared.previous_category and shared.reassessed_at:
        previous = ctx._(CATEGORY_NAMES.get(shared.previous_category, shared.previous_category))
        line += "\n   " + ctx._("↻ Changed from {previous} to {category} on {when}",
                                  previous=previous, category=category,
                                  when=format_datetime(shared.reassessed_at, tz))
    return line


async def mark_contacted(ctx: Ctx, shared_id: int) -> list[Reply]:
    shared = await ctx.session.get(SharedAssessment, shared_id)
    wards = await scope(ctx)
    allowed = wards is None or (shared is not None and shared.ward in _shared_ward_names(
        localities(ctx), wards))
    if shared is None or not allowed:
        return [main_menu(ctx, ctx._("That result is no longer in your queue."))]
    await repo.mark_handled(ctx.session, shared, ctx.user, ctx.now)
    return [Reply(ctx._("Marked as contacted.")), *await queue(ctx)]
