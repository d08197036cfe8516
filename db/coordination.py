"""Coordination between several bot processes on one database, with the database's own means.

A `Lease` is a named, exclusive role one process holds until it gives it up or dies: the
delivery leader (the one process that sends the outbox, so the platforms' send budget is global),
the Telegram poller (two pollers fight over getUpdates), a scheduled job while it runs.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection the lease
  keeps open. The server releases it when that connection ends, so a process killed with
  kill -9 loses its leases at once: its socket is closed by the kernel. `notify`/`listen` use
  LISTEN/NOTIFY on the same connection to wake the leader when another process queued something.
- SQLite: an exclusive `flock` on a file beside the database (`<db>.<name>.lock`); the kernel
  releases it when the process dies. Processes sharing one SQLite file share its folder.
- An in-memory SQLite database exists in one process only: the lease is a set in this module.

Keys: the lease's name hashed to a signed 64-bit advisory lock key (blake2b), so processes agree
without a table of names.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("giamngheo.coordination")

NOTIFY_CHANNEL = "giamngheo_outbox"
_IN_PROCESS: set[str] = set()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                          signed=True)


class Lease:
    """`await lease.try_acquire()` → True when this process now holds `name`."""

    def __init__(self, engine: AsyncEngine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.held = False
        self._connection: AsyncConnection | None = None
        self._file: int | None = None
        url = make_url(str(engine.url))
        self._postgres = url.get_backend_name() == "postgresql"
        database = url.database or ""
        self._path: Path | None = None
        if not self._postgres and database and database != ":memory:" \
                and not database.startswith("file:"):
            self._path = Path(f"{database}.{name}.lock")

    async def try_acquire(self) -> bool:
        if self.held:
            return True
        if self._postgres:
            self.held = await self._try_postgres()
        elif self._path is not None:
            self.held = self._try_file(self._path)
        else:
            self.held = self.name not in _IN_PROCESS
            if self.held:
                _IN_PROCESS.add(self.name)
        return self.held

    async def _try_postgres(self) -> bool:
        connection = await self.engine.connect()
        try:
            got = (await connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(self.name)}
            )).scalar()
            await connection.commit()  # the lock is the session's, not the transaction's
        except Exception:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    @staticmethod
    def _open_locked(path: Path) -> int | None:
        import fcntl

        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return fd

    def _try_file(self, path: Path) -> bool:
        self._file = self._open_locked(path)
        return self._file is not None

    async def alive(self) -> bool:
        """Still held? (PostgreSQL: the lock's connection still answers.)"""
        if not self.held:
            return False
        if self._connection is None:
            return True
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
            return True
        except Exception:  # noqa: BLE001 - a dead connection means the lock is gone
            log.warning("lease %s lost: its database connection failed", self.name)
            await self._drop()
            return False

    async def listen(self, callback: Callable[[], None]) -> bool:
        """PostgreSQL: call `callback` on every NOTIFY to the outbox channel (True if set up)."""
        if self._connection is None:
            return False
        raw = await self._connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.add_listener(NOTIFY_CHANNEL, lambda *_: callback())
        return True

    async def release(self) -> None:
        if not self.held:
            return
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(self.name)})
                await self._connection.commit()
        await self._drop()

    async def _drop(self) -> None:
        self.held = False
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(Exception):
                await connection.close()
        if self._file is not None:
            os.close(self._file)  # closing the descriptor releases the flock
            self._file = None
        _IN_PROCESS.discard(self.name)


async def notify(engine: AsyncEngine) -> None:
    """PostgreSQL: wake the delivery leader, whichever process it is (no-op elsewhere)."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as connection:
        await connection.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
        await connection.commit()


def spawn_notify(engine: AsyncEngine) -> None:
    """Fire-and-forget `notify` (callers are synchronous `wake` hooks)."""
    task = asyncio.get_running_loop().create_task(notify(engine))
    _PENDING.add(task)
    task.add_done_callback(_notified)


_PENDING: set[asyncio.Task[None]] = set()


def _notified(task: asyncio.Task[None]) -> None:
    _PENDING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("outbox notify failed: %s", type(task.exception()).__name__)
