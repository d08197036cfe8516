"""Housekeeping jobs of the core: forget old delivery ids (kept a week, far longer than any
platform retries a delivery)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from db import users as repo
from db import web_inbox
from handlers.registry import Job, Registry

if TYPE_CHECKING:
    from handlers.core import Core

KEEP_DELIVERIES = timedelta(days=7)
KEEP_WEB_INBOX = timedelta(days=30)
KEEP_REPLIES = timedelta(hours=1)  # a web chat retry comes within seconds


async def prune_deliveries(core: Core) -> None:
    async with core.sessions() as session, session.begin():
        await repo.prune_deliveries(session, core.services.clock() - KEEP_DELIVERIES)
        await repo.forget_replies(session, core.services.clock() - KEEP_REPLIES)
        # a browser that never came back: its waiting messages are dropped after a month
        await web_inbox.prune(session, core.services.clock() - KEEP_WEB_INBOX)


def register(registry: Registry) -> None:
    registry.job(Job("prune-deliveries", prune_deliveries, minutes=60))
