"""Fixtures: an app on a fresh SQLite file per test, and on PostgreSQL where TEST_DATABASE_URL
is set (CI provides it), with a controllable clock.

Every test gets a database at the current schema without paying for the migrations each time
(they were most of the suite's time): SQLite files are copies of one template the migrations
built once per session, and PostgreSQL is migrated once per session and emptied (TRUNCATE …
RESTART IDENTITY) before each test. The app still runs its own `upgrade` on open, which finds
the schema current, so the start-up path stays the real one.
"""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import App
from bot.settings import normalise_database_url
from db.engine import create_engine
from db.migrate import upgrade
from db.models import Base
from tests.support import Chat, Clock, open_app

_RAW_POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
POSTGRES_URL = normalise_database_url(_RAW_POSTGRES_URL) if _RAW_POSTGRES_URL else None


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is imported and collected by now lives for the whole session: exempt it from the
    cyclic garbage collector, whose full passes otherwise walk it again and again (measured:
    4.6 s -> 2.7 s of collector time over test_courses.py and test_officers.py)."""
    gc.collect()
    gc.freeze()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the current schema, copied for each test."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    # Closing the last connection checkpointed the WAL into the file: the file alone is the
    # database (checked, so a copy can never miss a table).
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    shutil.copyfile(sqlite_template, tmp_path / "bot.db")
    return f"sqlite+aiosqlite:///{tmp_path}/bot.db"


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await engine.dispose()


_postgres_migrated = False


async def _fresh_postgres(url: str) -> None:
    """The first time in a session: drop everything and migrate from nothing. Then: empty
    every table and restart its ids, which leaves the schema as the migrations made it."""
    global _postgres_migrated
    if not _postgres_migrated:
        await _reset_postgres(url)
        await _migrate(url)
        _postgres_migrated = True
        return
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, sqlite_url) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """Storage tests run on both engines; PostgreSQL only where TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set (CI sets it)")
    await _fresh_postgres(POSTGRES_URL)
    yield POSTGRES_URL


@pytest.fixture
async def app(sqlite_url, clock) -> AsyncIterator[App]:  # type: ignore[no-untyped-def]
    """The whole app on a fresh SQLite file."""
    application = await open_app(sqlite_url, clock)
    yield application
    await application.close()


@pytest.fixture
def chat(app) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(app)
