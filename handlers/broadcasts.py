"""Subscriptions and broadcasts: /theodoi (opt in, see, change), /huytheodoi and “dừng” (opt out),
/thongbao (compose, admins), /huythongbao (cancel a scheduled or running broadcast), and the job
that starts scheduled broadcasts and reports progress and the final count to the sender.

Delivery itself is the outbox worker's (bot/delivery.py): rate, 429, 403, retries, resuming.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import broadcasts as composer
from conversations import paging
from conversations import subscriptions as dialogs
from conversations.context import Ctx
from conversations.payloads import Payload, payload
from db import broadcasts as repo
from db import outbox
from db import users as users_repo
from db.models import User
from domain.formatting import format_datetime
from domain.i18n import N_, Translator, pick_locale
from domain.messages import Choice, Reply
from domain.roles import ADMINS
from handlers.menu import main_menu
from handlers.registry import (
    Command,
    Job,
    MenuItem,
    PersonalData,
    Registry,
    TextRoute,
)

if TYPE_CHECKING:
    from handlers.core import Core

QUARTERS = 4  # progress is reported at 25, 50 and 75 %
# "dừng" from a subscriber means stop, whatever else it resembles (search scores are 0-100).
STOP_SCORE = 1000.0


@payload("bc")
class CancelButton(Payload):
    """/huythongbao's buttons: cancel broadcast #`broadcast` (asks first), yes cancel it, or
    keep it."""

    action: Literal["cancel", "cancelyes", "keep"]
    broadcast: int = 0


# -- households ------------------------------------------------------------------------------


async def _subscribe(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, "subscribe")


async def _subscribe_menu(ctx: Ctx) -> list[Reply]:
    return await _subscribe(ctx)


async def unsubscribe(ctx: Ctx, _args: str = "") -> list[Reply]:
    """Opts out at once (no question: stopping must be easy) and says how to come back."""
    removed = await repo.unsubscribe(ctx.session, ctx.user.id)
    consent = await users_repo.active_consent(ctx.session, ctx.user, dialogs.CONSENT_PURPOSE)
    if consent is not None:
        consent.withdrawn_at = ctx.now
    if not removed:
        return [main_menu(ctx, ctx._("You were not receiving any notices. To subscribe: "
                                     "/theodoi."))]
    return [main_menu(ctx, ctx._("Done: I will not send you notices any more. To subscribe "
                                 "again: /theodoi."))]


async def _match_stop(ctx: Ctx, text: str) -> float:
    if not dialogs.is_stop(text):
        return 0.0
    subscribed = await repo.subscription(ctx.session, ctx.user.id) is not None
    return STOP_SCORE if subscribed else 0.0


async def _stop_route(ctx: Ctx, text: str) -> list[Reply]:
    return await unsubscribe(ctx)


async def _show_subscription(ctx: Ctx) -> list[str]:
    mine = await repo.subscription(ctx.session, ctx.user.id)
    if mine is None:
        return []
    lines = [ctx._("• Notices you subscribed to: {topics}; ward: {ward}",
                   topics=dialogs.topics_line(ctx, mine.topics),
                   ward=mine.ward or ctx._("whole city only"))]
    if mine.category:
        lines.append(ctx._("• Household category you told us: {category}",
                           category=ctx._(dialogs.CATEGORY_LABELS[mine.category])))
    return lines


async def _delete_subscription(ctx: Ctx) -> int:
    return await repo.unsubscribe(ctx.session, ctx.user.id)


# -- admins: compose and cancel ------------------------------------------------------------------


async def _compose(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, "broadcast")


async def _open_list(ctx: Ctx, _args: str = "") -> list[Reply]:
    """Scheduled and running broadcasts, each with a cancel button (the first page)."""
    items = await repo.open_broadcasts(ctx.session)
    if not items:
        return [main_menu(ctx, ctx._("No broadcast is scheduled or running."))]
    lines = [ctx._("Scheduled or running broadcasts. Press one to cancel it:")]
    choices = []
    shown, _, _ = paging.page_of(items, 1)
    for b in shown:
        lines.append(_summary(ctx, b))
        choices.append(Choice(ctx._("✖️ Cancel #{id}", id=b.id),
                              CancelButton("cancel", b.id).pack()))
    if len(items) > len(shown):
        lines.append(ctx._("(and {n} more: cancel these first)", n=len(items) - len(shown)))
    return [Reply("\n".join(lines), tuple(choices))]


def _summary(ctx: Ctx, b: repo.Broadcast) -> str:
    status = ctx._("running") if b.status == "running" else ctx._(
        "scheduled for {when}", when=format_datetime(b.scheduled_at, ctx.settings.timezone))
    preview = b.text if len(b.text) <= 40 else b.text[:39] + "…"
    return f"#{b.id} · {status} · {preview}"


async def on_choice(ctx: Ctx, payload: str) -> list[Reply]:
    """A `CancelButton`: "cancel" asks to confirm, "cancelyes" cancels, "keep" keeps it."""
    if ctx.user.role not in ADMINS:
        return [main_menu(ctx, ctx._("This command is only for ward officers and the labour "
                                     "office."))]
    pressed = CancelButton.unpack(payload)
    if pressed is None:
        return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]
    broadcast = await repo.get(ctx.session, pressed.broadcast) if pressed.broadcast else None
    if pressed.action == "keep" or broadcast is None or broadcast.status not in ("scheduled",
                                                                         "running"):
        return [main_menu(ctx, ctx._("Nothing was cancelled."))]
    if pressed.action == "cancel":
        return [Reply(
            ctx._("Cancel this broadcast? Messages not sent yet will not be sent.") + "\n"
            + _summary(ctx, broadcast),
            (Choice(ctx._("✖️ Yes, cancel it"), CancelButton("cancelyes", broadcast.id).pack()),
             Choice(ctx._("No, keep it"), CancelButton("keep").pack())))]
    before = broadcast.status
    skipped = await repo.cancel(ctx.session, broadcast, ctx.now)
    await users_repo.audit(ctx.session, ctx.user, "cancel", "broadcast", broadcast.id, ctx.now,
                           before={"status": before}, after={"status": "cancelled",
                                                             "skipped": skipped})
    return [main_menu(ctx, ctx.ngettext(
        "Broadcast #{id} is cancelled; {n} message was not sent.",
        "Broadcast #{id} is cancelled; {n} messages were not sent.", skipped, id=broadcast.id))]


# -- the job: start what is due, report progress --------------------------------------------------


async def tick(core: Core) -> None:
    """Starts due broadcasts, then reports each running one's progress (each quarter once) and,
    when nothing is left to send, its final report. Idempotent: starting claims the row, and
    every message to the sender has a dedup key."""
    now = core.services.clock()
    async with core.sessions() as session, session.begin():
        for broadcast in await repo.due(session, now):
            await repo.start(session, broadcast, now)
        for broadcast in await repo.running(session):
            await _report_progress(core, session, broadcast, now)
    core.services.wake_delivery()


async def _report_progress(
    core: Core, session: AsyncSession, broadcast: repo.Broadcast, now: datetime
) -> None:
    counts = await repo.report(session, broadcast.id)
    sender = await session.get(User, broadcast.sender_user_id) if broadcast.sender_user_id \
        else None
    t = _translator(core, sender)
    if counts.waiting == 0:
        if await repo.finish(session, broadcast, now) and sender is not None:
            await _tell(session, sender, broadcast, final_report(t, broadcast.id, counts),
                        "report", now)
        return
    total = max(1, broadcast.recipients)
    step = min(QUARTERS - 1, counts.handled * QUARTERS // total)
    if step > broadcast.progress_step:
        broadcast.progress_step = step
        if sender is not None:
            text = t.gettext("Broadcast #{id}: {done} of {total} handled ({percent}%).").format(
                id=broadcast.id, done=counts.handled, total=broadcast.recipients,
                percent=counts.handled * 100 // total)
            await _tell(session, sender, broadcast, text, f"progress:{step}", now)


def final_report(t: Translator, broadcast_id: int, counts: repo.Report) -> str:
    _ = t.gettext
    return "\n".join([
        _("Broadcast #{id} is finished.").format(id=broadcast_id),
        _("✅ Sent: {n}").format(n=counts.sent),
        _("⚠️ Failed: {n}").format(n=counts.failed),
        _("⛔ Blocked the bot: {n}").format(n=counts.blocked),
        _("🔕 Opted out before it reached them: {n}").format(n=counts.opted_out),
    ] + ([_("✖️ Cancelled: {n}").format(n=counts.cancelled)] if counts.cancelled else []))


async def _tell(
    session: AsyncSession, sender: User, broadcast: repo.Broadcast, text: str, key: str,
    now: datetime,
) -> None:
    # Sorted ahead of the broadcast's own rows, so progress is not queued behind them.
    await outbox.enqueue(
        session, channel=sender.channel, chat_id=sender.chat_id, reply=Reply(text),
        kind="broadcast_report", now=now, user_id=sender.id,
        dedup_key=f"bc:{broadcast.id}:{key}",
        not_before=repo.before(broadcast.started_at or now),
    )


def _translator(core: Core, user: User | None) -> Translator:
    locale = pick_locale(user.locale if user else None, None, core.settings.locale,
                         set(core.catalogs))
    return core.catalogs[locale]


def register(registry: Registry) -> None:
    registry.dialog(dialogs.SUBSCRIBE)
    registry.dialog(composer.COMPOSE)
    registry.command(Command("theodoi", N_("Choose the notices you receive (jobs, courses, "
                                           "policies)"), _subscribe))
    registry.command(Command("huytheodoi", N_("Stop receiving notices"), unsubscribe))
    registry.command(Command("thongbao", N_("Send a broadcast"), _compose, roles=ADMINS))
    registry.command(Command("huythongbao", N_("Cancel a scheduled or running broadcast"),
                             _open_list, roles=ADMINS))
    registry.menu_item(MenuItem("subscribe", N_("🔔 Notices I receive"), _subscribe_menu,
                                order=60))
    registry.choice_prefix(CancelButton.PREFIX, on_choice)
    registry.text_routes.append(TextRoute("unsubscribe", _match_stop, _stop_route))
    registry.job(Job("broadcasts", tick, minutes=1))
    registry.personal_data.append(PersonalData(
        N_("notice subscriptions"), _show_subscription, _delete_subscription))
