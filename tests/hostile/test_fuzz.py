"""Hostile input through the core, from every dialog step: a bounded sample in the suite
(`make fuzz` runs the same with HOSTILE_EVENTS=100000 or more)."""

from __future__ import annotations

import asyncio
import os

from hypothesis import HealthCheck, given, settings

from tests.hostile.harness import Fuzzer, plans

EVENTS = int(os.environ.get("HOSTILE_EVENTS", "1500"))
STEPS = 12  # events after each dialog start


def test_hostile_events_from_every_dialog_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.new_event_loop()
    folder = os.environ.get("HOSTILE_DB_DIR") or tmp_path  # `make fuzz`: a RAM disk
    fuzzer = Fuzzer(loop, f"sqlite+aiosqlite:///{folder}/fuzz-{os.getpid()}.db")
    try:
        @settings(max_examples=max(1, EVENTS // (STEPS + 1)), deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(plans(STEPS))
        def run(plan) -> None:  # type: ignore[no-untyped-def]
            fuzzer.run_example(plan)

        run()
    finally:
        fuzzer.close()
        loop.close()
    failures = fuzzer.failures
    print(f"hostile events: {failures.events} in {failures.seconds:.1f} s, "
          f"slowest {failures.slowest * 1000:.0f} ms ({failures.slowest_event})")
    heaviest = sorted(failures.by_kind.items(), key=lambda kv: -kv[1])[:12]
    print("heaviest:", ", ".join(f"{k} {v:.1f}s" for k, v in heaviest))
    assert failures.events >= EVENTS * 0.9
    assert not failures.items, "\n".join(failures.items)
