"""Scale-out benchmark: 1, 2 and 4 bot processes on one PostgreSQL database, webhook mode.

Each bot process is what `giamngheo run` runs (tests/app_process.py) with the Telegram channel
in webhook mode against the fake Bot API server (tests/fakes/telegram_server.py), which runs in
this process with the simulated users. Like Telegram, the users' updates are POSTed to the
webhook, spread over the processes round-robin (one update to the next process, as a load
balancer would), and a person sends their next message when the previous one was answered
(the webhook answers after handling: bot/telegram/). Closed loop: `--users` people at once.
The same on SQLite with one process (SQLite has one writer: it does not scale out).

Reported per scenario: updates/s, latency percentiles (POST to its 200, which comes after the
replies were sent), the bot processes' CPU (all of them together, % of one core) and CPU ms per
update, and this process's CPU (fake server + users): when it nears 100 % it is the bottleneck.

    python bench/scale/run.py [--database-url postgresql://postgres@127.0.0.1:5432/bench_scale]
                              [--users 200] [--seconds 10] [--processes 1 2 4]

The PostgreSQL database is emptied before each scenario; give one nobody else uses. Not a test.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

import argparse  # noqa: E402
import asyncio  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import aiohttp  # noqa: E402

from bench.common import FREE_TEXT, machine  # noqa: E402
from tests.fakes.telegram_server import FakeTelegramServer  # noqa: E402

SECRET = "bench-scale-secret"
FIRST_CHAT = 10_000
START_TIMEOUT = 120.0


class LeanServer(FakeTelegramServer):
    """The fake server without its records: a benchmark runs for minutes."""

    async def _m_sendMessage(self, params: dict[str, str], files: Any) -> Any:
        result = await super()._m_sendMessage(params, files)
        self.requests.clear()
        self.messages.clear()
        return result


class Bot:
    def __init__(self, options: dict[str, Any], log: Path) -> None:
        self.options, self.log = options, log
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> Bot:
        with self.log.open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.app_process", json.dumps(self.options),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log,
                cwd=ROOT)
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), START_TIMEOUT)
        if not line.startswith(b"READY "):
            raise RuntimeError(f"bot did not start, see {self.log}")
        self.url = line.split()[1].decode().rstrip("/") + "/telegram/webhook"
        return self

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()


@dataclass
class Result:
    scenario: str
    processes: int
    seconds: float
    updates: int
    latencies: list[float]
    errors: int
    bot_cpu: float  # CPU seconds per second, all bot processes
    driver_cpu: float

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def percentile(self, p: float) -> float:
        values = sorted(self.latencies)
        if not values:
            return math.nan
        return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


async def _empty_postgres(url: str) -> None:
    """An empty database for the scenario (created first when the server has none by that name:
    the bench needs no set-up beyond a PostgreSQL server)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from db.engine import create_engine

    target = make_url(url)
    server = create_engine(target.set(database="postgres").render_as_string(hide_password=False))
    async with server.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")  # CREATE DATABASE needs it
        exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": target.database})
        if not exists:
            await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    await server.dispose()
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def scenario(name: str, database_url: str, processes: int, args: argparse.Namespace,
                   folder: Path) -> Result:
    async with LeanServer() as server:
        options = {
            "database_url": database_url, "telegram_bot_token": server.token,
            "telegram_api_base_url": server.base_url,
            "telegram_webhook_url": "https://bot.example.org/telegram/webhook",
            "telegram_webhook_secret": SECRET, "web_host": "127.0.0.1", "web_port": 0,
            "zalo_bot_token": None,
        }
        first = await Bot(options, folder / f"{name}-0.log").start()  # migrates
        bots = [first, *await asyncio.gather(*(
            Bot(options, folder / f"{name}-{n}.log").start() for n in range(1, processes)))]
        targets = itertools.cycle([bot.url for bot in bots])
        latencies: list[float] = []
        errors = 0
        window = [math.inf, math.inf]
        answered = 0
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def post(update: dict[str, Any]) -> None:
                nonlocal errors, answered
                pushed = time.perf_counter()
                async with http.post(next(targets), json=update, headers={
                        "X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                    if response.status != 200:
                        errors += 1
                done = time.perf_counter()
                if window[0] <= pushed < window[1]:
                    latencies.append(done - pushed)
                if window[0] <= done < window[1]:
                    answered += 1

            async def person(chat: int) -> None:
                nonlocal warmed
                await post(server.command_update(chat, "start"))  # warm-up
                warmed += 1
                await warm.wait()
                for n in itertools.count():
                    if time.perf_counter() >= window[1]:
                        return
                    await post(server.text_update(chat, FREE_TEXT[(chat + n) % len(FREE_TEXT)]))

            warm, warmed = asyncio.Event(), 0
            people = [asyncio.create_task(person(FIRST_CHAT + n)) for n in range(args.users)]
            deadline = time.perf_counter() + START_TIMEOUT
            while warmed < args.users and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)  # every person answered once: users and connections exist
            cpu_before = sum(bot.cpu_seconds() for bot in bots)
            driver_before = time.process_time()
            start = time.perf_counter()
            window[:] = [start, start + args.seconds]
            warm.set()
            await asyncio.sleep(args.seconds)
            bot_cpu = (sum(bot.cpu_seconds() for bot in bots) - cpu_before) / args.seconds
            driver_cpu = (time.process_time() - driver_before) / args.seconds
            await asyncio.wait_for(asyncio.gather(*people, return_exceptions=True), 60)
        await asyncio.gather(*(bot.stop() for bot in bots))
    return Result(name, processes, args.seconds, answered, latencies, errors, bot_cpu,
                  driver_cpu)


def table(results: Sequence[Result]) -> str:
    one = next((r for r in results if r.processes == 1 and "PostgreSQL" in r.scenario), None)
    lines = ["| scenario | processes | updates | updates/s | × 1 process | p50 ms | p99 ms "
             "| bot CPU % (all) | CPU ms/update | driver CPU % | errors |",
             "|" + "---|" * 11]
    for r in results:
        ratio = f"{r.rate / one.rate:.2f}" if one and "PostgreSQL" in r.scenario else "—"
        lines.append(
            f"| {r.scenario} | {r.processes} | {r.updates} | {r.rate:.1f} | {ratio} "
            f"| {r.percentile(50) * 1000:.1f} | {r.percentile(99) * 1000:.1f} "
            f"| {r.bot_cpu * 100:.0f} | {r.bot_cpu * r.seconds / max(1, r.updates) * 1000:.1f} "
            f"| {r.driver_cpu * 100:.0f} | {r.errors} |")
    return "\n".join(lines)


async def bench(args: argparse.Namespace) -> None:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as name:
        folder = Path(name)
        for processes in args.processes:
            label = f"PostgreSQL, {processes} process{'es' if processes > 1 else ''}"
            print(f"running: {label} ...", flush=True)
            await _empty_postgres(args.database_url)
            results.append(await scenario(label, args.database_url, processes, args, folder))
        print("running: SQLite, 1 process ...", flush=True)
        results.append(await scenario("SQLite, 1 process", f"sqlite+aiosqlite:///{name}/b.db",
                                      1, args, folder))
    print(f"\nScale-out, webhook, closed loop {args.users} users, free text, "
          f"{args.seconds:g} s per scenario — {machine()}")
    print(table(results))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url",
                        default="postgresql+asyncpg://postgres@127.0.0.1:5432/bench_scale")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(bench(parse_args()))
