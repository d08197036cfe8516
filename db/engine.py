"""The database engine and sessions: created on start-up, disposed on shutdown.

SQLite (the default) runs in WAL mode with foreign keys on; PostgreSQL through asyncpg uses the
same code. `sessions()` hands out one `AsyncSession` per incoming event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db import sqlite_onehop


def create_engine(database_url: str) -> AsyncEngine:
    """Create the engine; for SQLite, create the file's folder and set the pragmas."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # One connection: SQLite has one writer anyway, and waiting for the pool is an asyncio wait,
    # while a second connection would wait in SQLite's busy handler, which sleeps in steps of up
    # to 100 ms (the latency tail the Telegram benchmark showed).
    # Every session ends in an explicit commit or rollback, so the pool's own reset on return
    # (one more round trip to SQLite's thread per event) is not needed.
    # db/sqlite_onehop.py: a statement runs on the event loop (long or blocked ones on SQLite's
    # thread), with BEGIN sent together with the transaction's first statement.
    engine = create_async_engine(
        url, connect_args={"timeout": 0, "check_same_thread": False}, pool_size=1,
        max_overflow=0, pool_timeout=120, pool_reset_on_return=None, module=sqlite_onehop.dbapi(),
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: every event writes, and a deferred transaction
    # that reads first would fail instead of waiting when another writer holds the lock. It is
    # sent with the transaction's first statement (one hop instead of two).
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite_onehop.OneHopConnection):
        dbapi_connection.begin_deferred()
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling breaks SAVEPOINTs; SQLAlchemy's documented recipe is
    # to switch it off here and emit BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 0: the event loop never waits in SQLite's busy handler; a statement that meets another
    # writer's lock is run again on SQLite's thread, which waits (db/sqlite_onehop.py)
    cursor.execute("PRAGMA busy_timeout=0")
    # deleted rows are overwritten, not just unlinked: /xoadulieu must leave nothing in the file
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (replies are built from them)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> bool:
    """Whether the database answers (for /healthcheck); never raises."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - health is reported, not raised
        return False
    return True


# --- database URLs, as the settings accept them ---------------------------------------------

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/giamngheo.db"


def normalise_database_url(value: str) -> str:
    """Accept the usual spellings and pin the async drivers (aiosqlite, asyncpg)."""
    try:
        url = make_url(value)
    except ArgumentError as exc:
        raise ValueError(f"not a database URL: {value!r} (e.g. {DEFAULT_DATABASE_URL})") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {backend!r}; use sqlite or postgresql")


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite database URL; None for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)
