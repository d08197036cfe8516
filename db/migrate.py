"""Schema migrations through Alembic, run from code (`giamngheo db upgrade`, and on `run`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, optionally on an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Bring the schema up to `revision` (idempotent). "heads": features developed side by side
    may each add a revision on the same parent; all of them are applied. Several processes
    starting at once on PostgreSQL take turns (an advisory lock held to the end of the
    migration's transaction): the first migrates, the others find the schema current."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            from db.coordination import lock_key

            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": lock_key("migrations")})
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
