"""The outbox: messages the bot sends on its own, one row per recipient.

`enqueue` writes a row in the caller's transaction (so a reminder and the record that it is due
commit together); `claim` hands due rows to one worker at a time (row locks with SKIP LOCKED on
PostgreSQL; SQLite has one writer); `finish` records the outcome. Statuses: pending → sending →
sent | failed | blocked | skipped (the recipient opted out or was deleted).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Choice, Document, Reply
from db.models import OutboxMessage

STALE_SENDING = timedelta(minutes=10)


def reply_to_payload(reply: Reply) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": reply.text}
    if reply.choices:
        payload["choices"] = [[c.label, c.payload] for c in reply.choices]
    if reply.image is not None:
        payload["image"] = base64.b64encode(reply.image).decode()
    if reply.document is not None:
        payload["document"] = {
            "data": base64.b64encode(reply.document.data).decode(),
            "file_name": reply.document.file_name,
            "mime_type": reply.document.mime_type,
        }
    return payload


def payload_to_reply(payload: dict[str, Any]) -> Reply:
    document = payload.get("document")
    return Reply(
        payload["text"],
        tuple(Choice(label, value) for label, value in payload.get("choices", ())),
        image=base64.b64decode(payload["image"]) if payload.get("image") else None,
        document=Document(
            base64.b64decode(document["data"]), document["file_name"], document["mime_type"]
        ) if document else None,
    )


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


async def claim(session: AsyncSession, now: datetime, limit: int) -> list[OutboxMessage]:
    """Mark up to `limit` due rows as sending and return them (commit right after)."""
    await session.execute(  # a worker that died mid-send: its rows are due again
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending",
               OutboxMessage.next_attempt_at < now - STALE_SENDING)
        .values(status="pending")
    )
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
