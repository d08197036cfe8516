"""Test helpers: a controllable clock, an app on a real database, and a conversation driver that
reads like the conversation (what the user sends, what the bot answers)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.settings import load_settings
from conversations.messages import Incoming, Kind, Reply
from domain.text import fold


@dataclass
class Clock:
    """A clock tests move by hand; aware UTC."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 27, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def open_app(database_url: str, clock: Clock, **settings: object) -> App:
    app = App(load_settings(database_url=database_url, **settings), clock=clock)
    await app.open()
    return app


_ids = itertools.count(1)


@dataclass
class Chat:
    """One user talking to the core, as a channel adapter would hand their messages over."""

    app: App
    user: str = "u1"
    channel: str = "web"
    language: str | None = None
    replies: list[Reply] = field(default_factory=list)

    async def send(self, text: str) -> list[Reply]:
        return await self._deliver(Incoming(self.channel, self.user, self.user, Kind.TEXT, text,
                                            update_id=f"m{next(_ids)}", language=self.language))

    async def press(self, label: str) -> list[Reply]:
        """Press the button whose label contains `label` (folded) in the last replies."""
        choice = self.button(label)
        return await self._deliver(Incoming(self.channel, self.user, self.user, Kind.CHOICE,
                                            choice=choice.payload, update_id=f"m{next(_ids)}"))

    async def deliver(self, event: Incoming) -> list[Reply]:
        return await self._deliver(event)

    async def _deliver(self, event: Incoming) -> list[Reply]:
        assert self.app.core is not None
        self.replies = await self.app.core.handle(event)
        return self.replies

    def button(self, label: str):  # type: ignore[no-untyped-def]
        """The button labelled exactly `label` (folded), else the first whose label holds it."""
        wanted = fold(label)
        choices = [c for r in self.replies for c in r.choices]
        found = [c for c in choices if fold(c.label) == wanted]
        found += [c for c in choices if wanted in fold(c.label)]
        assert found, f"no button {label!r} in {self.labels}"
        return found[0]

    @property
    def text(self) -> str:
        """All reply texts of the last answer, joined."""
        return "\n".join(r.text for r in self.replies)

    @property
    def labels(self) -> list[str]:
        return [c.label for r in self.replies for c in r.choices]
