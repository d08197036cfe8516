"""SQLite statements run on the event loop (cheaper than a hop to SQLite's thread), but a
statement that meets another writer's lock, e.g. `giamngheo admin import` in another process,
waits on SQLite's thread: the loop keeps serving everyone else, and the event is answered as
soon as the lock is free, with nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3

from domain.messages import Incoming, Kind
from tests.support import open_app


async def test_another_writer_makes_the_event_wait_but_never_the_loop(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock)
    other = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        event = asyncio.create_task(app.core.handle(
            Incoming("web", "lan", "lan", Kind.TEXT, "/start", update_id="w1")))
        await asyncio.sleep(0.6)
        assert not event.done()  # the event waits for the lock...
        assert ticks >= 30  # ...and the loop went on meanwhile (not blocked in SQLite)
        other.execute("COMMIT")
        replies = await asyncio.wait_for(event, timeout=10)
        assert replies and replies[-1].choices  # the greeting and the menu, as always
        again = await app.core.handle(Incoming("web", "lan", "lan", Kind.TEXT, "/menu"))
        assert again and again[-1].choices  # and the connection is fine for what follows
    finally:
        ticker.cancel()
        other.close()
        await app.close()
