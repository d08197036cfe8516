"""What people signed up for a course are told on the bot's own initiative: the reminder the day
before, a place freed for them from the waiting list, and a course moved, closed or cancelled.
Each message is queued in the outbox in the caller's transaction (sent after it commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from db import courses as repo
from db import outbox
from db.models import User
from domain.formatting import format_date
from domain.i18n import Translator
from domain.messages import Reply

if TYPE_CHECKING:
    from conversations.context import Ctx

def notice(
    t: Translator, kind: str, course: repo.Course, reg: repo.CourseRegistration
) -> Reply:
    """The message for `kind`: reminder, promoted, moved, closed or cancelled."""
    _ = t.gettext
    values = dict(title=course.title, code=reg.code, date=format_date(course.starts_on),
                  end=format_date(course.ends_on), schedule=course.schedule, place=course.place)
    if kind == "reminder":
        text = _("Reminder: {title} starts tomorrow, {date}. Schedule: {schedule}. Place: "
                 "{place}. Your code: {code}. If you cannot come, please cancel with /huydangky "
                 "so someone else can have the place.")
    elif kind == "promoted":
        text = _("Good news: a place is free for you on {title}, starting {date} at {place}. "
                 "Your code: {code}. If you cannot come, cancel with /huydangky.")
    elif kind == "moved":
        text = _("Change to {title}: it now runs from {date} to {end}. Schedule: {schedule}. "
                 "Place: {place}. Your code: {code}. If you cannot come, cancel with "
                 "/huydangky.")
    elif kind == "closed" and reg.status == repo.WAITLIST:
        text = _("Sign-ups for {title} are closed and no place became free for you (code "
                 "{code}). Sorry! Type /khoahoc to see other courses.")
    elif kind == "closed":
        text = _("Sign-ups for {title} are closed. Your place is kept (code {code}).")
    else:
        text = _("Sorry, the course {title} (starting {date}) has been cancelled, so your "
                 "sign-up (code {code}) is void. Type /khoahoc to see other courses.")
    return Reply(text.format(**values))


async def queue_notice(
    session: AsyncSession, user: User, reply: Reply, kind: str, now: datetime,
    dedup_key: str | None = None,
) -> bool:
    """Queue one message to `user` in the caller's transaction (False: queued before)."""
    return await outbox.enqueue(
        session, channel=user.channel, chat_id=user.chat_id, reply=reply,
        kind=f"course-{kind}", now=now, user_id=user.id, dedup_key=dedup_key,
    )


async def notify_registrants(ctx: Ctx, course: repo.Course, kind: str) -> int:
    """Tell everyone signed up (or waiting) for `course` about a change; returns how many."""
    rows = await repo.with_recipients(ctx.session, course.id)
    for reg, _course, user in rows:
        await queue_notice(ctx.session, user, notice(ctx.translator, kind, course, reg), kind,
                           ctx.now)
    if rows:
        ctx.services.wake_delivery()
    return len(rows)


async def notify_promoted(ctx: Ctx, promoted: Sequence[repo.CourseRegistration]) -> None:
    """Tell each person moved up from the waitlist that they have a place."""
    for reg in promoted:
        user = await ctx.session.get(User, reg.user_id)
        course = await repo.course(ctx.session, reg.course_id)
        if user is not None and course is not None:
            await queue_notice(ctx.session, user, notice(ctx.translator, "promoted", course, reg),
                               "promoted", ctx.now)
    if promoted:
        ctx.services.wake_delivery()
