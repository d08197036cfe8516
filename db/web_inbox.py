"""The web chat's inbox: what the bot sends a browser on its own waits here until the page polls
for it (bot/web.py), so a restart in between loses nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import WebInboxMessage


async def put(session: AsyncSession, chat_id: str, payload: dict[str, Any], now: datetime,
              keep: int) -> None:
    """Add a message for this browser; of its messages only the newest `keep` stay."""
    session.add(WebInboxMessage(chat_id=chat_id, payload=payload, created_at=now))
    await session.flush()
    newest = (
        select(WebInboxMessage.id).where(WebInboxMessage.chat_id == chat_id)
        .order_by(WebInboxMessage.id.desc()).limit(keep)
    )
    await session.execute(delete(WebInboxMessage).where(
        WebInboxMessage.chat_id == chat_id, WebInboxMessage.id.not_in(newest)
    ))


async def take(session: AsyncSession, chat_id: str) -> list[dict[str, Any]]:
    """The browser's waiting messages' payloads, oldest first, removed from the inbox."""
    rows = list((await session.execute(
        select(WebInboxMessage).where(WebInboxMessage.chat_id == chat_id)
        .order_by(WebInboxMessage.id).with_for_update()
    )).scalars())
    if rows:
        await session.execute(
            delete(WebInboxMessage).where(WebInboxMessage.id.in_([r.id for r in rows]))
        )
    return [row.payload for row in rows]


async def prune(session: AsyncSession, before: datetime) -> None:
    """Drop the messages waiting since before `before` (a browser that never came back)."""
    await session.execute(delete(WebInboxMessage).where(WebInboxMessage.created_at < before))
