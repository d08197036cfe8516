"""Housekeeping jobs of the core: forget old delivery ids (kept a week, far longer than any
platform retries a delivery)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from db import users as repo
from handlers.registry import Job, Registry

if TYPE_CHECKING:
    from handlers.core import Core

KEEP_DELIVERIES = timedelta(days=7)


async def prune_deliveries(core: Core) -> None:
    async with core.sessions() as session, session.begin():
        await repo.prune_deliveries(session, core.services.clock() - KEEP_DELIVERIES)


def register(registry: Registry) -> None:
    registry.job(Job("prune-deliveries", prune_deliveries, minutes=60))
