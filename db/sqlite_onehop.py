"""SQLAlchemy's aiosqlite driver with one thread hop per statement instead of four.

aiosqlite runs sqlite3 on a thread of its own; every call the event loop makes (create a
cursor, execute, fetch the rows, close the cursor) is queued to that thread and its answer sent
back through the loop's self-pipe. SQLAlchemy's adapter makes four such calls per statement, and
`BEGIN` is a statement of its own: about 17 hops for an event that reads the user, records the
delivery, saves the dialog state and commits (the profile in docs/benchmarks.md).

Here a statement is one function run on aiosqlite's thread (execute, read the description, the
rows, rowcount and lastrowid, close), and `BEGIN IMMEDIATE` travels with the transaction's first
statement: 5 hops for that event. Everything else (the dialect, type handling, pooling,
server-side cursors) is SQLAlchemy's own; the engine gets this through `create_engine(...,
module=dbapi())`.
"""

from __future__ import annotations

import collections
import sqlite3
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
            description, rows, rowcount, lastrowid = await self._connection._execute(
                _run, self._connection, begin, operation, parameters, many)
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
        super().commit()

    def rollback(self) -> None:
        if self._begin_pending:
            self._begin_pending = False
            return
        super().rollback()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneHopConnection(self, await_(connection))


def dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)

