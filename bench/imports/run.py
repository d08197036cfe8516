"""Household import benchmark: an officer sends a 100,000-row CSV to /nhapho (SQLite).

    .venv/bin/python bench/imports/run.py [--rows 100000] [--baseline-rows 5000] [--baseline DIR]

Through the real core, as a ward officer would: the invite, /nhapho, then the file as a
document. Times the whole answer (reading, checking every row, writing all or nothing) and
checks every row arrived; then a file with one bad row at the end, which must import nothing.
With --baseline DIR (a checkout of the code before this change, e.g. from `git archive main`),
the same run is repeated there with --baseline-rows in a child process, in the same run, so
both figures come from the same machine at the same time. Target: 100,000 rows under 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT))


def csv_rows(rows: int, bad_last: bool = False) -> bytes:
    lines = ["Phường,Mã hộ,Họ tên chủ hộ,Địa chỉ,Số điện thoại,Số nhân khẩu,Phân loại,Năm,Ghi chú"]
    for n in range(rows):
        members = "0" if bad_last and n == rows - 1 else str(1 + n % 7)
        lines.append(f"Phan Rang,PR-{n:06d},Nguyễn Văn {n},{n} Lê Lợi,09{n % 10**8:08d},"
                     f"{members},{('nghèo', 'cận nghèo', 'khác')[n % 3]},2026,")
    return ("\n".join(lines) + "\n").encode("utf-8")


async def measure(rows: int) -> dict[str, float]:
    from sqlalchemy import func, select

    from db.officers.households import Household
    from domain.messages import Incoming, Kind
    from tests.support import Chat, Clock, open_app

    with tempfile.TemporaryDirectory() as folder:
        app = await open_app(f"sqlite+aiosqlite:///{folder}/bench.db", Clock(),
                             admin_ids="web:admin")
        try:
            admin = Chat(app, user="admin")
            await admin.send("/moicanbo")
            await admin.press("Phan Rang")
            await admin.press("Xong")
            await admin.press("Tạo mã")
            code = re.search(r"/canbo ([A-Z0-9]{8})", admin.text).group(1)  # type: ignore[union-attr]
            officer = Chat(app, user="officer")
            await officer.send(f"/canbo {code}")
            timings = {}
            for label, data in (("bad", csv_rows(rows, bad_last=True)), ("good", csv_rows(rows))):
                await officer.send("/nhapho")
                event = Incoming("web", "officer", "officer", Kind.DOCUMENT, update_id=label,
                                 payload={"file_id": label, "file_name": "ho.csv", "data": data})
                started = time.perf_counter()
                replies = await officer.deliver(event)
                timings[label] = time.perf_counter() - started
                async with app.core.sessions() as session:  # type: ignore[union-attr]
                    count = await session.scalar(select(func.count()).select_from(Household))
                timings[f"{label}_count"] = count
                timings[f"{label}_reply"] = replies[0].text[:80]  # type: ignore[assignment]
            await officer.send("/huy")
        finally:
            await app.close()
    timings["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(measure(args.rows))
    if args.json:
        print(json.dumps(result))
        return
    from bench.common import machine

    print(machine())
    print(f"this code: {args.rows} rows imported in {result['good']:.1f} s "
          f"({args.rows / result['good']:.0f} rows/s), all-or-nothing refusal in "
          f"{result['bad']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB; "
          f"rows stored {result['good_count']} (after the bad file: {result['bad_count']})")
    assert result["good_count"] == args.rows and result["bad_count"] == 0
    if args.baseline:
        env = {**os.environ, "BENCH_ROOT": str(args.baseline)}
        out = subprocess.run(
            [sys.executable, __file__, "--rows", str(args.baseline_rows), "--json"],
            env=env, capture_output=True, text=True, check=True, cwd=args.baseline)
        base = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"baseline ({args.baseline}): {args.baseline_rows} rows in {base['good']:.1f} s "
              f"({args.baseline_rows / base['good']:.0f} rows/s), refusal in {base['bad']:.1f} s")


if __name__ == "__main__":
    main()
