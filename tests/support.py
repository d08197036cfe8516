"""Test helpers: a controllable clock, an app on a real database, and a conversation driver that
reads like the conversation (what the user sends, what the bot answers)."""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.settings import load_settings
from domain.folding import fold
from domain.messages import Incoming, Kind, Reply


@dataclass
class Clock:
    """A clock tests move by hand; aware UTC."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 27, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def open_app(database_url: str, clock: Clock, **settings: object) -> App:
    # Tests type far faster than people; the flood limit (real time) is tested on its own.
    settings.setdefault("flood_burst", 0)
    app = App(load_settings(database_url=database_url, **settings), clock=clock)
    await app.open()
    return app


def run_main(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None, stdin: str = "",
) -> subprocess.CompletedProcess[str]:
    """`giamngheo ARGS` through its real entry point (`bot.cli.main`) in this process, as a
    subprocess would run it: in `cwd`, with exactly `env` as the environment (default: this
    one's), `stdin` as its input; returns what `subprocess.run(..., text=True)` would.

    A subprocess costs the interpreter's start and every import (seconds each on a busy 2-core
    machine); the suite keeps real subprocesses where the process itself is what is tested
    (console script, signals, start-up errors) and uses this elsewhere. Not thread-safe: it
    swaps the process's environment, working folder and standard streams while it runs."""
    from bot.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["giamngheo", *args], code, out.getvalue(),
                                       err.getvalue())


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
