"""Ward report benchmark: /baocao's figures over 100,000 households and 1,000,000 visits (SQLite).

    .venv/bin/python bench/report/run.py [--households 100000] [--visits 1000000] [--repeat 5]

Builds a fresh SQLite file with the app's own migrations, fills it with synthetic households
(five wards, the four categories), visits spread over the last 400 days and this year's category
changes, in bulk with sqlite3's executemany (generation is not what is measured). Then, through
the app's own engine and `db.officers.reports.report` (the four GROUP BY queries /baocao runs), it
times:

- the baseline: a plain `SELECT COUNT(*) FROM household_visits` in the same run (SQLite counts
  the smallest index), and the same count with a condition that reads every row;
- the report of one ward (what an officer sees) and of the whole city (what an admin sees);
- rendering the chart PNG (matplotlib) for the city.

Each figure is the median of `--repeat` runs after one warm-up. Target: the report under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

WARDS = ("Phan Rang", "Đông Hải", "Ninh Chử", "Bảo An", "Đô Vinh")
CATEGORIES = (("poor", 0.15), ("near_poor", 0.35), ("escaped", 0.10), ("other", 0.40))
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
TARGET_SECONDS = 2.0


def _stamp(moment: datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def fill(path: Path, households: int, visits: int, seed: int = 7) -> None:
    """Bulk-insert the synthetic data straight through sqlite3."""
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    now = _stamp(NOW)
    officers = [(i + 1, "web", f"officer-{i}", f"officer-{i}", "officer", now)
                for i in range(len(WARDS))]
    db.executemany("INSERT INTO users (id, channel, external_id, chat_id, role, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", officers)
    db.executemany("INSERT INTO officer_wards (user_id, ward, granted_at) VALUES (?, ?, ?)",
                   [(i + 1, ward, now) for i, ward in enumerate(WARDS)])
    names, weights = zip(*CATEGORIES, strict=True)
    rows = []
    for n in range(households):
        ward = WARDS[n % len(WARDS)]
        category = rng.choices(names, weights)[0]
        rows.append((n + 1, ward, f"H{n:06d}", f"Hộ {n}", "", None, rng.randint(1, 8), category,
                     2025, (n % len(WARDS)) + 1, None, f"h{n:06d} ho {n}", now, now))
    db.executemany(
        "INSERT INTO households (id, ward, code, head_name, address, phone, members, category, "
        "category_year, officer_user_id, notes, search, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    year_start = datetime(NOW.year, 1, 1, tzinfo=UTC)
    changes = []
    for n in rng.sample(range(households), households // 50):
        changes.append((n + 1, WARDS[n % len(WARDS)], "poor", "escaped",
                        _stamp(year_start + timedelta(days=rng.randint(0, 320))), None))
    db.executemany(
        "INSERT INTO household_category_changes (household_id, ward, from_category, "
        "to_category, changed_at, actor_user_id) VALUES (?, ?, ?, ?, ?, ?)", changes)
    batch = []
    for _ in range(visits):
        household = rng.randrange(households)
        when = NOW - timedelta(seconds=rng.randrange(400 * 86400))
        batch.append((household + 1, WARDS[household % len(WARDS)], (household % len(WARDS)) + 1,
                      "checkin", "", _stamp(when)))
        if len(batch) == 100_000:
            _insert_visits(db, batch)
            batch = []
    _insert_visits(db, batch)
    db.commit()
    db.execute("ANALYZE")
    db.close()


def _insert_visits(db: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    db.executemany(
        "INSERT INTO household_visits (household_id, ward, officer_user_id, kind, note, "
        "visited_at) VALUES (?, ?, ?, ?, ?, ?)", batch)


async def measure(fn: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    result = await fn()  # warm-up (page cache, statement cache)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


async def run(args: argparse.Namespace) -> int:
    from db.engine import create_engine, session_factory
    from db.migrate import upgrade
    from db.officers import reports as repo
    from handlers.charts import BarChart, render
    from handlers.officers.report import report_periods

    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    path = folder / "report.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    started = time.perf_counter()
    fill(path, args.households, args.visits)
    generation = time.perf_counter() - started

    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    sessions = session_factory(engine)
    periods = report_periods(NOW, __import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))

    async def baseline() -> int:
        async with sessions() as session:
            return (await session.execute(text("SELECT COUNT(*) FROM household_visits"))
                    ).scalar_one()

    async def ward_report() -> list[repo.WardFigures]:
        async with sessions() as session:
            return await repo.report(session, [WARDS[0]], **periods)

    async def city_report() -> list[repo.WardFigures]:
        async with sessions() as session:
            return await repo.report(session, list(WARDS), **periods)

    async def scan() -> int:
        async with sessions() as session:
            return (await session.execute(text(
                "SELECT COUNT(*) FROM household_visits WHERE kind <> ''"))).scalar_one()

    count_s, total = await measure(baseline, args.repeat)
    scan_s, _ = await measure(scan, args.repeat)
    ward_s, _ = await measure(ward_report, args.repeat)
    city_s, city = await measure(city_report, args.repeat)
    chart = BarChart("Số hộ theo diện — Phan Rang - Tháp Chàm", list(WARDS),
                     [c for c, _ in CATEGORIES],
                     [[row.by_category.get(c, 0) for row in city] for c, _ in CATEGORIES],
                     "Số hộ")

    async def chart_png() -> bytes:
        return render(chart)

    chart_s, _ = await measure(chart_png, args.repeat)
    await engine.dispose()

    households = sum(row.households for row in city)
    assert total == args.visits and households == args.households
    print(f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {platform.machine()}, Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
          f"{args.households:,} households, {total:,} visits (generated in {generation:.1f} s); "
          f"median of {args.repeat} runs after a warm-up.")
    print()
    print("| measurement | median ms | target | result |")
    print("|---|---|---|---|")
    print(f"| baseline: SELECT COUNT(*) FROM household_visits | {count_s * 1000:.0f} | — | — |")
    print(f"| baseline: the same with WHERE kind <> '' (reads every row) | {scan_s * 1000:.0f} "
          "| — | — |")
    for name, seconds in (("ward report (1 ward, 4 GROUP BY queries)", ward_s),
                          ("city report (5 wards, 4 GROUP BY queries)", city_s)):
        verdict = "PASS" if seconds < TARGET_SECONDS else "FAIL"
        print(f"| {name} | {seconds * 1000:.0f} | < {TARGET_SECONDS * 1000:.0f} | {verdict} |")
    print(f"| chart PNG (matplotlib, 800×450) | {chart_s * 1000:.0f} | — | — |")
    for row in city:
        print(f"  {row.ward}: {row.by_category} visits this month {row.visits_this_month}, "
              f"not visited 30 d {row.not_visited}, changes {sum(c for *_, c in row.changes)}",
              file=sys.stderr)
    path.unlink(missing_ok=True)
    return 0 if max(ward_s, city_s) < TARGET_SECONDS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
