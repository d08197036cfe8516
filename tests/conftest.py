"""Fixtures: an app on a fresh SQLite file per test, and on PostgreSQL where TEST_DATABASE_URL
is set (CI provides it), with a controllable clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.app import App
from bot.settings import normalise_database_url
from db.engine import create_engine
from db.models import Base
from tests.support import Chat, Clock, open_app

_RAW_POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
POSTGRES_URL = normalise_database_url(_RAW_POSTGRES_URL) if _RAW_POSTGRES_URL else None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite+aiosqlite:///{tmp_path}/bot.db"


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, sqlite_url) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """Storage tests run on both engines; PostgreSQL only where TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set (CI sets it)")
    await _reset_postgres(POSTGRES_URL)
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
