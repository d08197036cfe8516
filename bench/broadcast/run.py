"""Broadcast benchmark: one broadcast to N subscribers through the real outbox worker
(bot/delivery.py) and the real Telegram adapter (bot/telegram/, python-telegram-bot) against
the fake Bot API server with its rate limit enforced.

Owns the measurement. The fake server runs in this process and counts, per chat, what it
accepted, every 429 it answered and when each message arrived. The bot runs in a child process
(this script with `--serve`): the real App on a fresh SQLite file, N subscribed users, one
broadcast started as the composer starts it (one outbox row per recipient), then the Delivery
worker at the configured rate until no row is left.

Scenarios: 10,000 recipients with a server limit of 200 messages/s, and a smaller audience at
Telegram's 30 messages/s. Targets: achieved rate at least 95 % of the limit, zero 429
responses, zero duplicates, nobody missed.

    python bench/broadcast/run.py [--recipients 10000] [--limit 200] [--small 600]

Not a test: it prints a table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python bench/broadcast/run.py` from the repo root
os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB: timedelta durations, no deprecation warning

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from bench.common import machine  # noqa: E402
from tests.fakes.telegram_server import FakeTelegramServer  # noqa: E402

FIRST_CHAT = 100_000
# The outbox paces a little under the server's limit: the limit is counted on arrival, and
# requests leave an evenly paced sender with a few milliseconds of jitter.
PACE_RATIO = 0.97
TARGET_RATIO = 0.95
TEXT = "Hội chợ việc làm sáng 5/12 tại nhà văn hóa phường Đông Hải: 30 doanh nghiệp, 800 chỗ."


# -- the bot (child process) ----------------------------------------------------------------


async def serve(args: argparse.Namespace) -> None:
    """Seed, start the broadcast, deliver it all, print figures as one JSON line."""
    from sqlalchemy import func, select

    from bot.app import App
    from bot.delivery import Delivery
    from bot.settings import load_settings
    from bot.telegram import TelegramChannel
    from db import broadcasts as repo
    from db.models import OutboxMessage, User

    settings = load_settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{args.db}",
                             telegram_bot_token=None, zalo_bot_token=None)
    app = App(settings)
    await app.open()
    core = app.core
    assert core is not None
    now = datetime.now(UTC)
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    async with core.sessions() as session, session.begin():
        # Users and their opt-in, in bulk (the seed is not what is measured).
        await session.execute(User.__table__.insert(), [
            {"channel": "telegram", "external_id": str(c), "chat_id": str(c), "role": "citizen",
             "created_at": now} for c in range(FIRST_CHAT, FIRST_CHAT + args.recipients)])
        ids = (await session.execute(select(User.id))).scalars().all()
        await session.execute(repo.Subscription.__table__.insert(), [
            {"user_id": i, "created_at": now, "updated_at": now} for i in ids])
        await session.execute(repo.SubscriptionTopic.__table__.insert(), [
            {"user_id": i, "topic": "jobs"} for i in ids])
        sender = User(channel="console", external_id="office", chat_id="office", role="admin",
                      created_at=now)
        session.add(sender)
        await session.flush()
    figures["seed_s"] = time.perf_counter() - started
    started = time.perf_counter()
    async with core.sessions() as session, session.begin():
        broadcast = await repo.create_broadcast(
            session, sender=sender, text=TEXT, media_id=None, audience=repo.Audience("jobs"),
            scheduled_at=now, now=now)
        figures["queued"] = await repo.start(session, broadcast, now)
    figures["enqueue_s"] = time.perf_counter() - started

    channel = TelegramChannel(token=args.token, handler=core, base_url=args.api,
                              command_menus={}, proactive_rate=args.limit)
    await channel.application.initialize()
    core.services.outbound["telegram"] = channel
    delivery = Delivery(core, {"telegram": args.limit * PACE_RATIO})
    cpu_before = time.process_time()
    started = time.perf_counter()
    delivery.start()
    key = repo.group_key(broadcast.id)
    while True:  # a bench may poll: nothing here is a test
        await asyncio.sleep(0.5)
        async with core.sessions() as session:
            waiting = (await session.execute(
                select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.group_key == key,
                    OutboxMessage.status.in_(("pending", "sending"))))).scalar_one()
        if waiting == 0:
            break
    figures["deliver_s"] = time.perf_counter() - started
    figures["cpu_s"] = time.process_time() - cpu_before
    await delivery.stop()
    async with core.sessions() as session:
        figures["report"] = (await repo.report(session, broadcast.id)).__dict__
    await channel.application.shutdown()
    await app.close()
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("FIGURES " + json.dumps(figures), flush=True)


# -- the fake server and the measurement ------------------------------------------------------


class CountingServer(FakeTelegramServer):
    """The fake server, keeping only counts and arrival times (10,000 messages would otherwise
    be kept whole)."""

    def __init__(self, limit: int) -> None:
        super().__init__(rate_limit_per_second=limit)
        self.per_chat: Counter[int] = Counter()
        self.arrivals: list[float] = []

    async def _m_sendMessage(self, params: dict[str, str], files: Any) -> Any:
        result = await super()._m_sendMessage(params, files)
        self.per_chat[int(params["chat_id"])] += 1
        self.arrivals.append(time.monotonic())
        self.requests.clear()
        self.messages.clear()
        return result


@dataclass
class Result:
    scenario: str
    limit: int
    recipients: int
    delivered: int
    duplicates: int
    missing: int
    rate_limited: int
    seconds: float
    peak_per_second: int
    figures: dict[str, Any]

    @property
    def rate(self) -> float:
        return (self.delivered - 1) / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return (self.rate >= TARGET_RATIO * self.limit and self.rate_limited == 0
                and self.duplicates == 0 and self.missing == 0)


async def run_scenario(recipients: int, limit: int) -> Result:
    async with CountingServer(limit) as server:
        with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as folder:
            command = [sys.executable, __file__, "--serve", "--api", server.base_url,
                       "--token", server.token, "--db", f"{folder}/bot.db",
                       "--recipients", str(recipients), "--limit", str(limit)]
            child = await asyncio.create_subprocess_exec(
                *command, stdout=asyncio.subprocess.PIPE, cwd=ROOT)
            out, _ = await child.communicate()
        figures: dict[str, Any] = {}
        for line in out.decode().splitlines():
            if line.startswith("FIGURES "):
                figures = json.loads(line.removeprefix("FIGURES "))
        if not figures:
            raise RuntimeError("the bot process failed (see its error above)")
        chats = range(FIRST_CHAT, FIRST_CHAT + recipients)
        arrivals = sorted(server.arrivals)
        return Result(
            scenario=f"{recipients:,} recipients, limit {limit}/s",
            limit=limit, recipients=recipients,
            delivered=sum(1 for c in chats if server.per_chat[c]),
            duplicates=sum(n - 1 for n in server.per_chat.values() if n > 1),
            missing=sum(1 for c in chats if not server.per_chat[c]),
            rate_limited=server.rate_limited,
            seconds=arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0,
            peak_per_second=_peak(arrivals), figures=figures,
        )


def _peak(times: Sequence[float]) -> int:
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def table(results: Sequence[Result]) -> str:
    lines = [
        "| scenario | delivered | duplicates | missing | 429s | seconds | achieved/s "
        "| % of limit | peak in 1 s | enqueue s | bot CPU % | bot RSS MB | result |",
        "|" + "---|" * 13,
    ]
    for r in results:
        cpu = r.figures["cpu_s"] / r.figures["deliver_s"] * 100
        lines.append(
            f"| {r.scenario} | {r.delivered:,} | {r.duplicates} | {r.missing} "
            f"| {r.rate_limited} | {r.seconds:.1f} | {r.rate:.1f} "
            f"| {r.rate / r.limit * 100:.1f} | {r.peak_per_second} "
            f"| {r.figures['enqueue_s']:.2f} | {cpu:.0f} | {r.figures['rss_mb']:.0f} "
            f"| {'PASS' if r.ok else 'FAIL'} |")
    return "\n".join(lines)


async def bench(args: argparse.Namespace) -> int:
    results = []
    for recipients, limit in ((args.recipients, args.limit), (args.small, 30)):
        print(f"running: {recipients} recipients at {limit}/s ...", flush=True)
        results.append(await run_scenario(recipients, limit))
    print()
    print(f"Broadcast through the outbox and the Telegram adapter — {machine()}")
    print(table(results))
    for r in results:
        print(f"{r.scenario}: final report {r.figures['report']}")
    return 0 if all(r.ok for r in results) else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=200, help="the server's messages/s")
    parser.add_argument("--small", type=int, default=600, help="recipients of the 30/s run")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if args.serve:
        from bot.cli import run_async  # the bot's own event loop choice (uvloop where installed)

        run_async(serve(args))
        return
    raise SystemExit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
