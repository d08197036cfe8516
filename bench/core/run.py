"""The core alone: events straight into `Core.handle`, sequential, on a fresh SQLite file.

No channel, no HTTP: what one event costs in our own code, SQLAlchemy and SQLite. Three
workloads, each on its own users: free text (what households type), menu navigation (/menu, a
typed number, back to the menu) and policy questions (a search). The baseline in the same run
is the cheapest possible event: the same loop calling a coroutine that returns one reply.

    python bench/core/run.py [--events 1000] [--users 50] [--rounds 3] [--profile FILE]

Not a test: it prints wall and CPU milliseconds per event beside the baseline, each the best of
`--rounds` rounds (the workloads take turns, so a busy moment of a shared machine hits them
alike and the best round is the least disturbed).
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
import cProfile  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from bench.common import FREE_TEXT, MENU, machine  # noqa: E402
from domain.messages import Incoming, Kind, Reply  # noqa: E402

QUESTIONS = ("vay vốn hộ nghèo", "học bổng cho con", "hỗ trợ tiền điện hộ cận nghèo")
WORKLOADS = {"free text": FREE_TEXT, "menu": MENU, "policy question": QUESTIONS}


async def _baseline(event: Incoming) -> list[Reply]:
    return [Reply(event.text)]


async def run(args: argparse.Namespace) -> None:
    from bot.app import App
    from bot.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-core-") as folder:
        settings = load_settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{folder}/b.db",
                                 telegram_bot_token=None, zalo_bot_token=None,
                                 flood_burst=0)  # a few users send every event: no flood limit
        app = App(settings)
        await app.open()
        assert app.core is not None
        ids = itertools.count(1)
        best: dict[str, tuple[float, float]] = {}
        plan = [("baseline: a coroutine returning one reply", FREE_TEXT), *WORKLOADS.items()]
        try:
            for round_ in range(args.rounds):
                for name, inputs in plan:
                    handle = _baseline if name.startswith("baseline") else app.core.handle
                    users = [f"{name[:4]}{round_}-{n}" for n in range(args.users)]
                    for user in users:  # warm-up: every user exists
                        await handle(_event(user, "/start", next(ids)))
                    profiler = cProfile.Profile() if args.profile and handle is not _baseline \
                        else None
                    wall, cpu = time.perf_counter(), time.process_time()
                    if profiler:
                        profiler.enable()
                    for n in range(args.events):
                        user = users[n % len(users)]
                        text = inputs[(n // len(users)) % len(inputs)]
                        replies = await handle(_event(user, text, next(ids)))
                        assert len(replies) == 1, f"{name}: {len(replies)} replies to {text!r}"
                    if profiler:
                        profiler.disable()
                        profiler.dump_stats(f"{args.profile}.{name.replace(' ', '-')}")
                    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                    wall_ms, cpu_ms = wall / args.events * 1000, cpu / args.events * 1000
                    old = best.get(name, (math.inf, math.inf))
                    best[name] = (min(old[0], wall_ms), min(old[1], cpu_ms))
        finally:
            await app.close()
    print(f"\nCore alone, sequential, SQLite — {machine()}")
    print("| workload | events × rounds | best wall ms/event | best CPU ms/event |")
    print("|---|---|---|---|")
    for name, (wall_ms, cpu_ms) in best.items():
        print(f"| {name} | {args.events} × {args.rounds} | {wall_ms:.2f} | {cpu_ms:.2f} |")


def _event(user: str, text: str, n: int) -> Incoming:
    if text.startswith("/"):
        return Incoming("web", user, user, Kind.COMMAND, "", text[1:], update_id=f"b{n}")
    return Incoming("web", user, user, Kind.TEXT, text, update_id=f"b{n}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000, help="events per workload")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile each workload to FILE.<workload>")
    return parser.parse_args(argv)


if __name__ == "__main__":
    from bot.cli import run_async

    run_async(run(parse_args()))
