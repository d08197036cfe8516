"""Tables and queries of notices and broadcasts: opt-in subscriptions (topics, ward, household
category) and broadcasts with their audience and status (the job board is db/jobs.py).

A broadcast is delivered through the outbox (db/outbox.py): when it starts, one row per
recipient with group_key "bc:<id>" and dedup_key "bc:<id>:<user id>", written in one
transaction with the status change, so starting twice (two processes, a restart) adds nothing.
Cancelling or opting out marks the recipient's pending rows skipped, with the reason in
last_error ("cancelled" / "opted out"), which the final report counts.

Every function takes the caller's session; none commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db import outbox
from db.models import Base, OutboxMessage, User
from domain.messages import Reply

TOPICS = ("jobs", "courses", "policies")
OPTED_OUT = "opted out"
CANCELLED = "cancelled"


class Subscription(Base):
    """A household's opt-in: its ward (None: only city-wide notices) and, if it said so, its
    category on the ward's list. The topics are rows of `SubscriptionTopic`."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    ward: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SubscriptionTopic(Base):
    """One topic a household subscribed to ("jobs", "courses", "policies")."""

    __tablename__ = "subscription_topics"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class Broadcast(Base):
    """A message from the labour office to an audience, now or at `scheduled_at` (UTC).

    status: scheduled → running → done, or cancelled. `progress_step` is the last quarter
    reported to the sender (0-3), `recipients` the number of outbox rows when it started.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    media_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_media.id", ondelete="SET NULL")
    )
    audience: Mapped[dict[str, Any]]
    scheduled_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), index=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    progress_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


# -- subscriptions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MySubscription:
    topics: frozenset[str]
    ward: str | None
    category: str | None


async def subscription(session: AsyncSession, user_id: int) -> MySubscription | None:
    row = await session.get(Subscription, user_id)
    if row is None:
        return None
    topics = await session.execute(
        select(SubscriptionTopic.topic).where(SubscriptionTopic.user_id == user_id))
    return MySubscription(frozenset(topics.scalars()), row.ward, row.category)


async def subscribe(
    session: AsyncSession, user: User, topics: Sequence[str], ward: str | None,
    category: str | None, now: datetime,
) -> None:
    """Replace the user's subscription with these topics (at least one), ward and category."""
    if not topics or any(t not in TOPICS for t in topics):
        raise ValueError(f"topics must be some of {TOPICS}")
    row = await session.get(Subscription, user.id)
    if row is None:
        row = Subscription(user_id=user.id, created_at=now)
        session.add(row)
    row.ward, row.category, row.updated_at = ward, category, now
    await session.execute(delete(SubscriptionTopic).where(SubscriptionTopic.user_id == user.id))
    session.add_all(SubscriptionTopic(user_id=user.id, topic=t) for t in sorted(set(topics)))
    await session.flush()


async def unsubscribe(session: AsyncSession, user_id: int) -> int:
    """Opt out of everything: the subscription goes, and broadcasts still queued for this user
    are skipped as "opted out". Returns how many subscriptions it removed (0 or 1: its topics are
    part of it), as the deletion receipt should count them."""
    await session.execute(delete(SubscriptionTopic).where(SubscriptionTopic.user_id == user_id))
    subs = await session.execute(delete(Subscription).where(Subscription.user_id == user_id))
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.user_id == user_id, OutboxMessage.status == "pending",
               OutboxMessage.group_key.like("bc:%"))
        .values(status="skipped", last_error=OPTED_OUT)
    )
    return subs.rowcount or 0


async def is_subscribed(session: AsyncSession, user_id: int, topic: str) -> bool:
    found = await session.execute(select(SubscriptionTopic.user_id).where(
        SubscriptionTopic.user_id == user_id, SubscriptionTopic.topic == topic))
    return found.first() is not None


# -- audiences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a broadcast is for: the subscribers of `topic` (in `wards`, of `categories`; empty
    means all), or every ward officer and admin (`officers`)."""

    topic: str | None = None
    officers: bool = False
    wards: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "officers": self.officers, "wards": list(self.wards),
                "categories": list(self.categories)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(data.get("topic"), bool(data.get("officers")), tuple(data.get("wards", ())),
                   tuple(data.get("categories", ())))


def _audience_query(audience: Audience) -> Any:
    """SELECT user id, channel, chat id, blocked_at of everyone in the audience."""
    columns = (User.id, User.channel, User.chat_id, User.blocked_at)
    if audience.officers:
        return select(*columns).where(User.role.in_(("officer", "admin")))
    query = (
        select(*columns)
        .join(SubscriptionTopic, SubscriptionTopic.user_id == User.id)
        .join(Subscription, Subscription.user_id == User.id)
        .where(SubscriptionTopic.topic == audience.topic)
    )
    if audience.wards:
        query = query.where(Subscription.ward.in_(audience.wards))
    if audience.categories:
        query = query.where(Subscription.category.in_(audience.categories))
    return query


@dataclass(frozen=True)
class Reach:
    recipients: int  # who will be sent the message
    blocked: int  # in the audience but they blocked the bot: skipped


async def reach(session: AsyncSession, audience: Audience) -> Reach:
    rows = (await session.execute(_audience_query(audience))).all()
    blocked = sum(1 for row in rows if row.blocked_at is not None)
    return Reach(len(rows) - blocked, blocked)


# -- broadcasts ------------------------------------------------------------------------------


def group_key(broadcast_id: int) -> str:
    return f"bc:{broadcast_id}"


async def create_broadcast(
    session: AsyncSession, *, sender: User, text: str, media_id: int | None,
    audience: Audience, scheduled_at: datetime, now: datetime,
) -> Broadcast:
    broadcast = Broadcast(
        sender_user_id=sender.id, text=text, media_id=media_id, audience=audience.to_json(),
        scheduled_at=scheduled_at, status="scheduled", recipients=0, progress_step=0,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def start(session: AsyncSession, broadcast: Broadcast, now: datetime) -> int:
    """Claim a scheduled broadcast and queue one outbox row per recipient (not blocked), in the
    caller's transaction. Returns the number queued; 0 when another process started it."""
    claimed = await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast.id, Broadcast.status == "scheduled")
        .values(status="running", started_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:
        return 0
    audience = Audience.from_json(broadcast.audience)
    rows = (await session.execute(_audience_query(audience))).all()
    recipients = [
        outbox.Recipient(row.channel, row.chat_id, row.id, f"bc:{broadcast.id}:{row.id}")
        for row in rows if row.blocked_at is None
    ]
    payload = outbox.reply_to_payload(Reply(broadcast.text), media_id=broadcast.media_id)
    await outbox.enqueue_many(session, recipients, payload=payload, kind="broadcast", now=now,
                              group_key=group_key(broadcast.id))
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast.id)
        .values(recipients=len(recipients))
        .execution_options(synchronize_session=False)
    )
    broadcast.status, broadcast.started_at, broadcast.recipients = "running", now, len(recipients)
    return len(recipients)


async def due(session: AsyncSession, now: datetime) -> list[Broadcast]:
    query = select(Broadcast).where(Broadcast.status == "scheduled",
                                    Broadcast.scheduled_at <= now).order_by(Broadcast.id)
    return list((await session.execute(query)).scalars())


async def running(session: AsyncSession) -> list[Broadcast]:
    query = select(Broadcast).where(Broadcast.status == "running").order_by(Broadcast.id)
    return list((await session.execute(query)).scalars())


async def open_broadcasts(session: AsyncSession) -> list[Broadcast]:
    """Scheduled or running: what can still be cancelled."""
    query = (select(Broadcast).where(Broadcast.status.in_(("scheduled", "running")))
             .order_by(Broadcast.scheduled_at, Broadcast.id))
    return list((await session.execute(query)).scalars())


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def cancel(session: AsyncSession, broadcast: Broadcast, now: datetime) -> int:
    """Cancel a scheduled or running broadcast: its rows not yet sent are skipped. Returns
    how many rows were skipped."""
    broadcast.status, broadcast.finished_at = "cancelled", now
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.group_key == group_key(broadcast.id),
               OutboxMessage.status == "pending")
        .values(status="skipped", last_error=CANCELLED)
    )
    return result.rowcount or 0


@dataclass(frozen=True)
class Report:
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    opted_out: int = 0
    cancelled: int = 0
    waiting: int = 0  # pending or being sent

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.blocked + self.opted_out + self.cancelled


async def report(session: AsyncSession, broadcast_id: int) -> Report:
    rows = await session.execute(
        select(OutboxMessage.status, OutboxMessage.last_error, func.count())
        .where(OutboxMessage.group_key == group_key(broadcast_id))
        .group_by(OutboxMessage.status, OutboxMessage.last_error)
    )
    counts: dict[str, int] = {}
    for status, error, n in rows:
        if status == "skipped":
            status = "cancelled" if error == CANCELLED else "opted_out"
        elif status in ("pending", "sending"):
            status = "waiting"
        counts[status] = counts.get(status, 0) + n
    return Report(**counts)


async def finish(session: AsyncSession, broadcast: Broadcast, now: datetime) -> bool:
    """Mark a running broadcast done (once); False when it was not running any more."""
    result = await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast.id, Broadcast.status == "running")
        .values(status="done", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    broadcast.status = "done"
    return bool(result.rowcount)


def before(moment: datetime) -> datetime:
    """A moment just before `moment`: a sender's progress message queued with it is sorted
    ahead of the broadcast's own rows (the outbox sends in next_attempt_at order)."""
    return moment - timedelta(seconds=1)
