"""The outbox: messages the bot sends on its own, one row per recipient.

`enqueue` writes a row in the caller's transaction (so a reminder and the record that it is due
commit together); `enqueue_many` writes one row per recipient of a broadcast in a few statements;
`claim` hands due rows to one worker at a time (row locks with SKIP LOCKED on PostgreSQL; SQLite
has one writer); `mark_inflight` records, just before the platform is called, that the send has
started; `finish` records the outcome; `heartbeat` keeps a live worker's claims fresh. Statuses:
pending → sending (claimed) → inflight (handed to the platform) → sent | failed | blocked |
skipped (the recipient opted out or was deleted, or the broadcast was cancelled).

A worker that dies (kill -9) stops heartbeating: after `STALE_CLAIM` its `sending` rows are due
again (they never reached the platform), and its `inflight` rows are marked failed and never
repeated: the platform may have accepted them, and Telegram gives no way to ask, so repeating
them could send a message twice.

A photo or file sent to many people is stored once (`OutboxMedia`, `store_media`) and each row's
payload refers to it as {"media": id}; the worker loads it once (`load_media`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, LargeBinary, String, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, OutboxMessage
from domain.messages import Choice, Document, Reply

STALE_CLAIM = timedelta(seconds=45)  # a live worker heartbeats its claims every ~10 s
INTERRUPTED = "interrupted during the send: may have been delivered, not repeated"
INSERT_CHUNK = 500  # rows per multi-row INSERT (well under SQLite's bound-parameter limit)


class OutboxMedia(Base):
    """A photo ("image") or a file ("document") that many outbox rows send: stored once."""

    __tablename__ = "outbox_media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    file_name: Mapped[str | None] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


@dataclass(frozen=True, slots=True)
class Recipient:
    """One addressee of a bulk enqueue; `dedup_key` makes queueing them again a no-op."""

    channel: str
    chat_id: str
    user_id: int | None
    dedup_key: str


def reply_to_payload(reply: Reply, *, media_id: int | None = None) -> dict[str, Any]:
    """The row's JSON; with `media_id` the image or file is a reference, not inlined."""
    payload: dict[str, Any] = {"text": reply.text}
    if reply.choices:
        payload["choices"] = [[c.label, c.payload] for c in reply.choices]
    if media_id is not None:
        payload["media"] = media_id
        return payload
    if reply.image is not None:
        payload["image"] = base64.b64encode(reply.image).decode()
    if reply.document is not None:
        payload["document"] = {
            "data": base64.b64encode(reply.document.data).decode(),
            "file_name": reply.document.file_name,
            "mime_type": reply.document.mime_type,
        }
    return payload


def payload_to_reply(payload: dict[str, Any], media: OutboxMedia | None = None) -> Reply:
    """The Reply a row sends; `media`: the photo or file the row refers to (caller loads it)."""
    document = payload.get("document")
    image = base64.b64decode(payload["image"]) if payload.get("image") else None
    file = Document(
        base64.b64decode(document["data"]), document["file_name"], document["mime_type"]
    ) if document else None
    if media is not None and media.kind == "image":
        image = media.data
    elif media is not None:
        file = Document(media.data, media.file_name or "file", media.mime_type)
    return Reply(
        payload["text"],
        tuple(Choice(label, value) for label, value in payload.get("choices", ())),
        image=image,
        document=file,
    )


async def store_media(
    session: AsyncSession, *, now: datetime, image: bytes | None = None,
    document: Document | None = None,
) -> int:
    """Keep one photo or file for many rows; returns the id their payloads refer to."""
    if image is not None:
        media = OutboxMedia(kind="image", data=image, file_name=None, mime_type="image/jpeg",
                            created_at=now)
    elif document is not None:
        media = OutboxMedia(kind="document", data=document.data, file_name=document.file_name,
                            mime_type=document.mime_type, created_at=now)
    else:
        raise ValueError("store_media needs an image or a document")
    session.add(media)
    await session.flush()
    return media.id


async def load_media(session: AsyncSession, ids: Sequence[int]) -> dict[int, OutboxMedia]:
    if not ids:
        return {}
    rows = await session.execute(select(OutboxMedia).where(OutboxMedia.id.in_(list(ids))))
    return {media.id: media for media in rows.scalars()}


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    reply: Reply,
    kind: str,
    now: datetime,
    user_id: int | None = None,
    dedup_key: str | None = None,
    group_key: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue one message; False when `dedup_key` was queued before (so it is never sent twice)."""
    values = dict(
        channel=channel, chat_id=chat_id, user_id=user_id, kind=kind, dedup_key=dedup_key,
        group_key=group_key, payload=reply_to_payload(reply), status="pending", attempts=0,
        next_attempt_at=not_before or now, created_at=now,
    )
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage).values(**values)
    if dedup_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"])
    result = await session.execute(statement)
    return bool(result.rowcount)


async def enqueue_many(
    session: AsyncSession,
    recipients: Sequence[Recipient],
    *,
    payload: dict[str, Any],
    kind: str,
    now: datetime,
    group_key: str | None = None,
    not_before: datetime | None = None,
) -> int:
    """Queue the same payload for many recipients in a few statements; rows whose dedup key was
    queued before are skipped. Returns how many rows were added."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    added = 0
    for start in range(0, len(recipients), INSERT_CHUNK):
        values = [
            dict(channel=r.channel, chat_id=r.chat_id, user_id=r.user_id, kind=kind,
                 dedup_key=r.dedup_key, group_key=group_key, payload=payload, status="pending",
                 attempts=0, next_attempt_at=not_before or now, created_at=now)
            for r in recipients[start:start + INSERT_CHUNK]
        ]
        statement = insert(OutboxMessage).values(values).on_conflict_do_nothing(
            index_elements=["dedup_key"])
        added += (await session.execute(statement)).rowcount or 0
    return added


async def claim(
    session: AsyncSession, now: datetime, limit: int, stale: timedelta = STALE_CLAIM
) -> list[OutboxMessage]:
    """Mark up to `limit` due rows as sending and return them (commit right after). First, the
    claims of a worker that stopped heartbeating `stale` ago are recovered (module doc)."""
    await recover(session, now - stale)
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list((await session.execute(query)).scalars())
    for row in rows:
        row.status = "sending"
        row.next_attempt_at = now
    return rows


async def recover(session: AsyncSession, before: datetime) -> int:
    """Claims not heartbeaten since `before`: never sent → pending; in flight → failed."""
    queued = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at < before)
        .values(status="pending")
    )
    interrupted = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "inflight", OutboxMessage.next_attempt_at < before)
        .values(status="failed", last_error=INTERRUPTED, attempts=OutboxMessage.attempts + 1)
    )
    return (queued.rowcount or 0) + (interrupted.rowcount or 0)


async def mark_inflight(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """The platform is about to be called for these rows (see the module doc)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(status="inflight", next_attempt_at=now)
    )


async def heartbeat(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """A live worker still holds these claims. Rows another transaction has locked right now
    are being recorded anyway, so they are skipped rather than waited for (waiting, with the
    recording transaction locking rows in another order, is a deadlock)."""
    mine = (
        select(OutboxMessage.id)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status.in_(("sending", "inflight")))
        .with_for_update(skip_locked=True)
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(mine.scalar_subquery()))
        .values(next_attempt_at=now)
    )


async def finish(
    session: AsyncSession,
    ids: Sequence[int],
    status: str,
    now: datetime,
    error: str | None = None,
    retry_at: datetime | None = None,
    *,
    count: bool = True,
) -> None:
    """Record the outcome of a send; `retry_at` puts the rows back as pending for later.
    `count=False` when nothing was attempted (the channel was paused)."""
    values: dict[str, Any] = {"status": status, "last_error": error}
    if status == "sent":
        values["sent_at"] = now
    if retry_at is not None:
        values.update(status="pending", next_attempt_at=retry_at)
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(attempts=OutboxMessage.attempts + int(count), **values)
    )


async def counts(session: AsyncSession, group_key: str) -> dict[str, int]:
    """How many rows of a group are in each status (a broadcast's progress)."""
    from sqlalchemy import func

    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.group_key == group_key)
        .group_by(OutboxMessage.status)
    )
    return {status: n for status, n in rows}
