"""A flood from one person leaves everyone else's answers as fast as in a calm minute: one
notice, then the flood is dropped before any database work; the web chat API limits each IP."""

from __future__ import annotations

import asyncio
import statistics
import time

import aiohttp

from domain.messages import Incoming, Kind
from handlers.flood import TokenBuckets, Verdict
from tests.support import open_app

ROUNDS = 5  # calm and flooded rounds alternate: a busy machine weighs on both alike
FLOOD = 100  # the flooder's messages per round: 90 a second, as the probe sent them
PEOPLE = 300  # the others, taking turns
PACE = 1 / (PEOPLE * 2 * 0.8)  # at most 80% of their 2-a-second refill, however fast the machine


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def _others(core, until: asyncio.Future | float, turn: list[int]) -> list[float]:  # type: ignore[no-untyped-def]
    """Everyone else's /menu, back to back, until the flood is over (or for `until` seconds)."""
    took: list[float] = []
    deadline = time.perf_counter() + until if isinstance(until, float) else None
    while not (until.done() if deadline is None else time.perf_counter() > deadline):
        turn[0] += 1
        user = f"person-{turn[0] % PEOPLE}"
        event = Incoming("web", user, user, Kind.TEXT, "/menu", update_id=f"m{turn[0]}")
        started = time.perf_counter()
        replies = await core.handle(event)
        took.append(time.perf_counter() - started)
        assert replies and replies[-1].choices
        await asyncio.sleep(max(0.0, PACE - took[-1]))
    return took


async def _flooder(core, user: str) -> list[list]:  # type: ignore[no-untyped-def]
    answers = []
    for n in range(FLOOD):
        event = Incoming("web", user, user, Kind.TEXT, "vay vốn hộ nghèo", update_id=f"{user}-{n}")
        answers.append(await core.handle(event))
        await asyncio.sleep(0.011)
    return answers


async def test_one_flooding_person_does_not_slow_the_others(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock, flood_burst=8, flood_per_minute=120)
    core = app.core
    turn = [0]
    try:
        for n in range(PEOPLE):  # everyone has written once: no first-time costs below
            user = f"person-{n}"
            await core.handle(Incoming("web", user, user, Kind.TEXT, "/menu"))
        calm, flooded, floods = [], [], []
        for round_ in range(ROUNDS):
            calm_times = await _others(core, FLOOD * 0.011, turn)
            flood = asyncio.ensure_future(_flooder(core, f"flood-{round_}"))
            flood_times = await _others(core, flood, turn)
            calm.append(p95(calm_times))
            flooded.append(p95(flood_times))
            floods.append(await flood)
    finally:
        await app.close()
    print(f"others' p95: calm {[round(c * 1000, 1) for c in calm]} ms, "
          f"during a flood {[round(f * 1000, 1) for f in flooded]} ms "
          f"({len(calm_times)} and {len(flood_times)} answers in the last round)")
    for answers in floods:
        notices = [a for a in answers if a and "nhanh quá" in a[0].text]
        answered = [a for a in answers if a and "nhanh quá" not in a[0].text]
        assert len(notices) == 1  # told once, then dropped until calm
        assert len(answered) <= 4  # 8 tokens, a search costs 3; calm again only after 2 s
    assert statistics.median(flooded) <= 1.5 * statistics.median(calm)


def test_the_bucket_refills_and_warns_once() -> None:
    now = [0.0]
    buckets = TokenBuckets(burst=3, per_minute=60, clock=lambda: now[0])
    assert [buckets.admit("a") for _ in range(5)] == [
        Verdict.PASS, Verdict.PASS, Verdict.PASS, Verdict.NOTICE, Verdict.DROP]
    assert buckets.admit("b") is Verdict.PASS  # others are not affected
    now[0] += 1.0  # one token back: not calm yet
    assert buckets.admit("a") is Verdict.DROP
    now[0] += 1.0  # half the burst back (2 of 3 tokens): calm again
    assert [buckets.admit("a") for _ in range(3)] == [
        Verdict.PASS, Verdict.PASS, Verdict.NOTICE]  # a new flood is announced again
    now[0] += 10.0
    assert buckets.admit("a", cost=5) is Verdict.PASS  # heavy costs up to the burst
    assert TokenBuckets(burst=0, per_minute=1).admit("x") is Verdict.PASS  # 0: no limit


async def test_the_web_chat_api_limits_each_address(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock, web_port=0, web_ip_burst=5, web_ip_per_minute=6)
    try:
        base = await app.serve_web()
        async with aiohttp.ClientSession() as http:
            statuses = []
            for n in range(8):  # a different browser id each time: the address is what counts
                body = {"client_id": f"browser-{n:04d}", "text": "/start"}
                async with http.post(base + "api/chat", json=body) as response:
                    statuses.append(response.status)
    finally:
        await app.close()
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
