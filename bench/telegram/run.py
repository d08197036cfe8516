"""Telegram benchmark: the whole stack against a bare python-telegram-bot echo bot, in one run.

Owns the load driver and the bot processes it measures. The fake Bot API server
(tests/fakes/telegram_server.py) and the load driver run in this process; each bot runs in a
child process of its own (this script with `--serve`), so the bot has a core to itself as it
would in production and the server's own cost is not charged to it.

Scenarios, each on a fresh fake server (and, for the full stack, a fresh SQLite file):
- echo, closed loop: the baseline, the plainest PTB echo bot (PTB's default settings: one
  update at a time, default polling, no rate limiter) answering `reply_text(text)`.
- full stack, closed loop: PTB → our Telegram adapter → core → SQLite → reply, with free text
  and menu workloads (bench/common.py). Every simulated user sends its next message the moment
  the previous one is answered.
- full stack, open loop: a generator pushes updates at a steady rate round-robin over the users,
  whether or not they were answered.

Replies are not held to Telegram's ~30 messages/s (a limit on bulk notifications; the adapter
applies it to proactive sends only), so the full stack answers as fast as it can work.

Latency is measured per update: from the moment it is made available to getUpdates to the moment
the fake server receives the bot's sendMessage for that chat (replies are matched to updates per
chat, first in, first out; every message the users send is answered with exactly one message).

    python bench/telegram/run.py [--users 200] [--seconds 10] [--rate 100]

Not a test: it prints figures beside the baseline measured in the same run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python bench/telegram/run.py` from the repo root
os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB: timedelta durations, no deprecation warning

import argparse  # noqa: E402
import asyncio  # noqa: E402
import cProfile  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

from bench.common import FREE_TEXT, MENU, machine  # noqa: E402
from tests.fakes.telegram_server import FakeTelegramServer  # noqa: E402

FIRST_CHAT = 10_000
# What the simulated users send, in turn (bench/common.py): free text as households type it, or
# a walk through the menus. Each gets exactly one message back from either bot.
WORKLOADS = {"free text": FREE_TEXT, "menu": MENU}
APOLOGY = "Xin lỗi, hệ thống"  # the start of the core's "something went wrong" replies
START_TIMEOUT = 60.0
TARGET_RATIO = 1.0  # full stack at least as many updates/s as the echo bot
TARGET_P99 = 0.100  # seconds, open loop at the given rate


# -- the bots (child processes) -------------------------------------------------------------


async def _until_stdin_closes() -> None:
    """The parent closes our stdin to tell us to stop."""
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def serve_full(api: str, token: str, db: str) -> None:
    """The real App on a SQLite file, with only the Telegram channel, polling `api`."""
    from bot.app import App
    from bot.settings import load_settings

    settings = load_settings(
        _env_file=None, telegram_bot_token=token, telegram_api_base_url=api,
        database_url=f"sqlite+aiosqlite:///{db}", web_port=0,
        zalo_bot_token=None, telegram_webhook_url=None,
    )
    app = App(settings)
    await app.open()
    try:
        app.build_channels()
        await app.serve_web()
        await app.start_channels()
        print("READY", flush=True)
        await _until_stdin_closes()
    finally:
        await app.close()


async def serve_echo(api: str, token: str) -> None:
    """The baseline: the plainest python-telegram-bot echo bot, with PTB's default settings
    (updates handled one at a time, default polling, no rate limiter): what PTB's own echo
    example does, answering with `reply_text`."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application = Application.builder().token(token).base_url(api).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling()
        print("READY", flush=True)
        await _until_stdin_closes()
        await application.updater.stop()
        await application.stop()


def serve(args: argparse.Namespace) -> None:
    """Child process: run one bot until stdin closes, then print its peak RSS."""
    if args.serve == "echo":
        job = serve_echo(args.api, args.token)
    else:
        job = serve_full(args.api, args.token, args.db)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    from bot.cli import run_async  # the bot's own event loop choice (uvloop where installed)

    run_async(job)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(Path(args.profile) / f"{args.serve}-{os.getpid()}.prof"))
    print(f"RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)


# -- the fake server and the load ------------------------------------------------------------


class BenchServer(FakeTelegramServer):
    """The fake Bot API server, telling the load driver the moment each reply arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.on_reply: Callable[[int, float, str], None] = lambda chat, at, text: None

    async def _m_sendMessage(self, params: dict[str, str], files: Any) -> Any:
        at = time.perf_counter()
        result = await super()._m_sendMessage(params, files)
        self.on_reply(int(params["chat_id"]), at, params.get("text", ""))
        # Only the timestamps matter here: keep the server's records from growing for minutes.
        self.requests.clear()
        self.messages.clear()
        return result


@dataclass
class Load:
    """Simulated users: pushes updates, matches replies to them per chat, keeps latencies."""

    server: BenchServer
    users: int
    inputs: Sequence[str]
    closed_loop: bool = False
    window: tuple[float, float] = (math.inf, math.inf)
    latencies: list[float] = field(default_factory=list)
    answered_in_window: int = 0
    apologies: int = 0
    stray: int = 0
    outstanding: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    _pending: dict[int, deque[float]] = field(default_factory=dict)
    _turn: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.server.on_reply = self.on_reply
        self._pending = {chat: deque() for chat in self.chats}
        self._turn = dict.fromkeys(self.chats, 0)
        self.idle.set()

    @property
    def chats(self) -> range:
        return range(FIRST_CHAT, FIRST_CHAT + self.users)

    def push(self, chat: int, text: str | None = None) -> None:
        if text is None:
            text = self.inputs[self._turn[chat] % len(self.inputs)]
            self._turn[chat] += 1
        if text.startswith("/"):
            self.server.push_command(chat, text[1:])
        else:
            self.server.push_text(chat, text)
        self._pending[chat].append(time.perf_counter())
        self.outstanding += 1
        self.idle.clear()

    def on_reply(self, chat: int, at: float, text: str) -> None:
        pending = self._pending.get(chat)
        if not pending:
            self.stray += 1
            return
        pushed = pending.popleft()
        self.outstanding -= 1
        start, end = self.window
        if start <= pushed < end:
            self.latencies.append(at - pushed)
        if start <= at < end:
            self.answered_in_window += 1
        if text.startswith(APOLOGY):
            self.apologies += 1
        if self.closed_loop and at < end:
            self.push(chat)
        if self.outstanding == 0:
            self.idle.set()

    async def drain(self, timeout: float) -> None:
        """Wait until every pushed update is answered, or `timeout` passes."""
        try:
            await asyncio.wait_for(self.idle.wait(), timeout)
        except TimeoutError:
            pass


@dataclass
class Result:
    scenario: str
    seconds: float
    updates: int  # answered within the measured window
    latencies: list[float]
    unanswered: int
    errors: int  # the core's apologies, and replies no update was waiting for
    rss_kb: int
    bot_cpu: float  # CPU seconds per second in the measured window (1.0 = one core busy)
    driver_cpu: float  # the same for this process: fake server and load
    target: str = ""
    verdict: str = ""

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_per_update(self) -> float:
        return self.bot_cpu * self.seconds / self.updates if self.updates else math.nan

    def percentile(self, p: float) -> float:
        """Nearest rank; an update never answered counts as infinitely late."""
        values = sorted(self.latencies) + [math.inf] * self.unanswered
        if not values:
            return math.nan
        return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


async def run_scenario(
    kind: str, scenario: str, args: argparse.Namespace, *, rate: float | None,
    inputs: Sequence[str],
) -> Result:
    """Start a fresh server and bot, warm up (one message per user), measure, stop."""
    async with BenchServer() as server, BotProcess(kind, server, args) as bot:
        load = Load(server, args.users, inputs)
        for chat in load.chats:  # warm-up: every user exists, every connection is open
            load.push(chat, "/start")
        await load.drain(START_TIMEOUT)
        if load.outstanding:
            raise RuntimeError(f"{kind} bot: {load.outstanding} warm-up messages unanswered")
        cpu_before, driver_before = bot.cpu_seconds(), time.process_time()
        start = time.perf_counter()
        load.window = (start, start + args.seconds)
        if rate is None:
            load.closed_loop = True
            for chat in load.chats:
                load.push(chat)
            await asyncio.sleep(args.seconds)
        else:
            await _generate(load, rate, args.seconds)
        bot_cpu = (bot.cpu_seconds() - cpu_before) / args.seconds
        driver_cpu = (time.process_time() - driver_before) / args.seconds
        # A saturated bot's backlog is not waited out: what is left counts as unanswered.
        await load.drain(max(5.0, 1.5 * args.seconds))
        unanswered = load.outstanding
    return Result(scenario, args.seconds, load.answered_in_window, load.latencies, unanswered,
                  load.apologies + load.stray, bot.rss_kb, bot_cpu, driver_cpu)


async def _generate(load: Load, rate: float, seconds: float) -> None:
    """Push `rate` updates a second for `seconds`, round-robin over the users, on schedule."""
    chats = itertools.cycle(load.chats)
    total = round(rate * seconds)
    start = time.perf_counter()
    sent = 0
    while sent < total:
        due = min(total, int((time.perf_counter() - start) * rate) + 1)
        for _ in range(due - sent):
            load.push(next(chats))
        sent = due
        await asyncio.sleep(1 / rate)  # pacing the generator, not waiting for a result


class BotProcess:
    """A bot child process: started until it says READY, stopped by closing its stdin."""

    def __init__(self, kind: str, server: BenchServer, args: argparse.Namespace) -> None:
        self.kind, self.server, self.args = kind, server, args
        self.rss_kb = 0
        self._dir = tempfile.TemporaryDirectory(prefix="bench-telegram-")
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> BotProcess:
        command = [sys.executable, __file__, "--serve", self.kind, "--api", self.server.base_url,
                   "--token", self.server.token, "--db", f"{self._dir.name}/bot.db"]
        if self.args.profile:
            command += ["--profile", self.args.profile]
        self._proc = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT)
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), START_TIMEOUT)
        if line.strip() != b"READY":
            raise RuntimeError(f"{self.kind} bot did not start (see its error above)")
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.close()  # communicate() without input leaves it open (3.11)
        out, _ = await asyncio.wait_for(self._proc.communicate(), 30)
        for line in out.decode().splitlines():
            if line.startswith("RSS "):
                self.rss_kb = int(line.split()[1])
        self._dir.cleanup()

    def cpu_seconds(self) -> float:
        """The bot's user + system CPU time so far (Linux /proc; 0 where it is missing)."""
        assert self._proc is not None
        try:
            fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the report ------------------------------------------------------------------------------


def judge(results: dict[str, Result], rate: float) -> None:
    echo = results["echo"]
    for key, r in results.items():
        if key.startswith("full-closed"):
            floor = TARGET_RATIO * echo.rate
            r.target = f">= {floor:.0f}/s ({TARGET_RATIO:g}× echo)"
            r.verdict = "PASS" if r.rate >= floor and not r.errors else "FAIL"
        elif key.startswith("full-open"):
            r.target = f"p99 < {TARGET_P99 * 1000:.0f} ms at {rate:g}/s"
            ok = r.percentile(99) < TARGET_P99 and r.unanswered == 0 and not r.errors
            r.verdict = "PASS" if ok else "FAIL"


def _ms(seconds: float) -> str:
    if math.isinf(seconds):
        return "unanswered"
    return f"{seconds * 1000:.1f}"


def table(results: Sequence[Result]) -> str:
    head = ("| scenario | updates | updates/s | × echo | p50 ms | p95 ms | p99 ms | bot CPU % "
            "| CPU ms/update | bot peak RSS MB | target | result |")
    lines = [head, "|" + "---|" * 12]
    echo = results[0]
    for r in results:
        lines.append(
            f"| {r.scenario} | {r.updates} | {r.rate:.1f} | {r.rate / echo.rate:.2f} "
            f"| {_ms(r.percentile(50))} "
            f"| {_ms(r.percentile(95))} | {_ms(r.percentile(99))} | {r.bot_cpu * 100:.0f} "
            f"| {r.cpu_per_update * 1000:.1f} | {r.rss_kb / 1024:.0f} "
            f"| {r.target or '—'} | {r.verdict or '—'} |")
    return "\n".join(lines)


async def bench(args: argparse.Namespace) -> None:
    users, rate = args.users, args.rate
    plan: list[tuple[str, str, str, float | None, Sequence[str]]] = [
        ("echo", "echo", f"echo bot (plain PTB), closed loop, {users} users, free text", None,
         FREE_TEXT),
    ]
    for workload in args.workloads:
        plan.append((f"full-closed {workload}", "full",
                     f"full stack, closed loop, {users} users, {workload}", None,
                     WORKLOADS[workload]))
    for workload in args.workloads:
        plan.append((f"full-open {workload}", "full",
                     f"full stack, open loop {rate:g}/s, {users} users, {workload}", rate,
                     WORKLOADS[workload]))
    results: dict[str, Result] = {}
    for key, kind, scenario, scenario_rate, inputs in plan:
        print(f"running: {scenario} ...", flush=True)
        results[key] = await run_scenario(kind, scenario, args, rate=scenario_rate,
                                          inputs=inputs)
    judge(results, rate)
    print()
    print(f"Telegram full stack, {args.seconds:g} s per scenario — {machine()}")
    print(table(list(results.values())))
    _warnings(list(results.values()))
    driver_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nbench process (fake server + load driver) peak RSS: {driver_rss:.0f} MB")


def _warnings(results: Sequence[Result]) -> None:
    loads = ", ".join(f"{r.driver_cpu * 100:.0f}%" for r in results)
    print(f"\nfake server + load driver CPU per scenario, in order: {loads}")
    for r in results:
        if r.driver_cpu > 0.9:
            print(f"WARNING: {r.scenario}: the load driver was CPU-bound; the bot may be faster")
        if r.errors:
            print(f"WARNING: {r.scenario}: {r.errors} replies were apologies or unexpected")
        if r.unanswered:
            print(f"WARNING: {r.scenario}: {r.unanswered} updates not answered in time")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per scenario")
    parser.add_argument("--rate", type=float, default=100.0, help="open loop updates/s")
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS),
                        default=list(WORKLOADS), help="full-stack workloads to run")
    parser.add_argument("--profile", metavar="DIR",
                        help="run each bot under cProfile, writing DIR/<bot>-<pid>.prof")
    # internal: this script started as one of the bots
    parser.add_argument("--serve", choices=("echo", "full"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if args.serve:
        serve(args)
        return
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
