"""SQLAlchemy's aiosqlite driver with one thread hop per statement instead of four.

aiosqlite runs sqlite3 on a thread of its own; every call the event loop makes (create a
cursor, execute, fetch the rows, close the cursor) is queued to that thread and its answer sent
back through the loop's self-pipe. SQLAlchemy's adapter makes four such calls per statement, and
`BEGIN` is a statement of its own: about 17 hops for an event that reads the user, records the
delivery, saves the dialog state and commits (the profile in docs/benchmarks.md).

Here a statement is one function (execute, read the description, the rows, rowcount and
lastrowid, close), and `BEGIN IMMEDIATE` travels with the transaction's first statement. An
ordinary statement (a user, a delivery, a dialog state: tens of microseconds) runs right on the
event loop's thread, which costs less than the hop to another thread and back (issue 17:
bench/telegram's p99 at a steady 100 updates/s went from 185 to 53 ms). Work that can take long
goes to aiosqlite's thread, so the loop keeps serving everyone else meanwhile:
- a transaction whose write lock another process holds (the CLI importing a file, a second
  process on the same file): the loop tries `BEGIN IMMEDIATE` without waiting (busy_timeout 0);
  when SQLite answers "locked", the statement is run again on the thread, which waits up to
  `BUSY_TIMEOUT_MS` for the lock;
- bulk statements (executemany, or more than BULK_PARAMETERS parameters: a broadcast's outbox
  rows);
- anything run inside `off_loop()` (the ward reports, exports).
Everything else (the dialect, type handling, pooling) is SQLAlchemy's own; the engine gets this
through `create_engine(..., module=dbapi())`. The connection is made with check_same_thread off:
the two threads never use it at once (one statement at a time, under `_execute_mutex`).
"""

from __future__ import annotations

import collections
import contextlib
import sqlite3
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

BEGIN = "BEGIN IMMEDIATE"
BUSY_TIMEOUT_MS = 30_000  # how long a statement on the thread waits for another writer
BULK_PARAMETERS = 100
_OFF_LOOP: ContextVar[bool] = ContextVar("sqlite_off_loop", default=False)


@contextlib.contextmanager
def off_loop() -> Iterator[None]:
    """Statements inside run on SQLite's thread, not the event loop (long reads: reports)."""
    token = _OFF_LOOP.set(True)
    try:
        yield
    finally:
        _OFF_LOOP.reset(token)


def _locked(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _bulk(parameters: Any, many: bool) -> bool:
    return many or (parameters is not None and len(parameters) > BULK_PARAMETERS)


def _run_waiting(
    wrapper: aiosqlite.Connection, begin: bool, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any] | None, int, int | None]:
    """`_run` on aiosqlite's thread, waiting for another writer's lock as long as it takes."""
    connection = wrapper._conn
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return _run(wrapper, begin, operation, parameters, many)
    finally:
        connection.execute("PRAGMA busy_timeout=0")


def _run(
    wrapper: aiosqlite.Connection, begin: bool, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any] | None, int, int | None]:
    """On aiosqlite's thread: (BEGIN and) one statement, everything read before returning."""
    connection = wrapper._conn
    cursor = connection.cursor()
    try:
        if begin:
            cursor.execute(BEGIN)
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose `execute` is one call on the connection's thread."""

    __slots__ = ("_description", "_rowcount", "_lastrowid")

    def __init__(self, adapt_connection: OneHopConnection) -> None:  # no aiosqlite cursor
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return None  # nothing open on the other thread

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._one(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._one(operation, seq_of_parameters, many=True)

    async def _one(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapt = self._adapt_connection
        async with adapt._execute_mutex:
            begin = adapt._begin_pending
            result = None
            if not (_OFF_LOOP.get() or _bulk(parameters, many)):
                try:
                    result = _run(self._connection, begin, operation, parameters, many)
                except sqlite3.OperationalError as error:
                    if not _locked(error):
                        raise
            if result is None:
                result = await self._connection._execute(
                    _run_waiting, self._connection, begin, operation, parameters, many)
            description, rows, rowcount, lastrowid = result
            adapt._begin_pending = False
        self._description, self._rowcount, self._lastrowid = description, rowcount, lastrowid
        self._rows = collections.deque(rows or ())

    def nextset(self) -> None:
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """Holds `BEGIN IMMEDIATE` until the first statement (see `begin_deferred`)."""

    __slots__ = ("_begin_pending",)
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._begin_pending = False

    def begin_deferred(self) -> None:
        self._begin_pending = True

    def commit(self) -> None:
        if self._begin_pending:  # nothing was executed: there is no transaction to end
            self._begin_pending = False
            return
        self._connection._conn.commit()  # WAL: the write lock is held, nothing to wait for

    def rollback(self) -> None:
        if self._begin_pending:
            self._begin_pending = False
            return
        self._connection._conn.rollback()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneHopConnection(self, await_(connection))


def dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)

