"""Broadcasts through the whole app on Telegram: the real core, outbox worker and Telegram adapter
(python-telegram-bot) against the fake Bot API server with its rate limit enforced, some
recipients blocked (403) and some failing once with 500. Every subscribed, unblocked recipient
gets exactly one copy; a broadcast interrupted by stopping the app resumes without duplicates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.delivery import Delivery
from db import broadcasts as repo
from db import users as users_repo
from db.models import OutboxMessage, User
from handlers.broadcasts import tick
from tests.fakes.botapi_spec import check_requests
from tests.fakes.telegram_server import FakeTelegramServer, RecordedRequest
from tests.support import open_app

SERVER_LIMIT = 30  # messages per second the fake server accepts, then 429
SEND_RATE = 20.0  # TELEGRAM_SEND_RATE: the outbox's pace, under the limit
ADMIN = 777
FIRST = 20_000


@pytest.fixture
async def tg(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramServer]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with FakeTelegramServer(rate_limit_per_second=SERVER_LIMIT) as server:
        yield server
    assert check_requests(server.requests) == []  # every request matches the Bot API spec


async def _running(url: str, tg: FakeTelegramServer, clock) -> App:  # type: ignore[no-untyped-def]
    app = await open_app(url, clock, web_port=0, telegram_bot_token=tg.token,
                         telegram_api_base_url=tg.base_url, admin_ids=f"telegram:{ADMIN}",
                         telegram_send_rate=SEND_RATE)
    app.build_channels()
    await app.serve_web()
    await app.start_channels()
    return app


async def _people(app: App, chats: range, *, subscribed: bool) -> None:
    """Telegram users who wrote to the bot before; the subscribed ones opted in to jobs."""
    now = app.core.services.clock()  # type: ignore[union-attr]
    async with app.core.sessions() as session, session.begin():  # type: ignore[union-attr]
        for chat in chats:
            user, _ = await users_repo.get_or_create_user(
                session, "telegram", str(chat), str(chat), "citizen", now)
            await session.flush()
            if subscribed:
                await repo.subscribe(session, user, ["jobs"], None, None, now)


def _max_per_second(requests: list[RecordedRequest]) -> int:
    """The most messages the server accepted within any one second."""
    times = sorted(r.at for r in requests if r.method.startswith("send") and r.status == 200)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_broadcast_reaches_each_subscriber_once_under_the_limit(tg, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _running(sqlite_url, tg, clock)
    try:
        subscribed, others = range(FIRST, FIRST + 45), range(FIRST + 100, FIRST + 110)
        await _people(app, subscribed, subscribed=True)
        await _people(app, others, subscribed=False)
        blocked, flaky = list(subscribed[:3]), list(subscribed[3:6])
        for chat in blocked:
            tg.fail_next(chat, 1, "403")
        for chat in flaky:
            tg.fail_next(chat, 1, "500")

        # The labour office composes it in Telegram.
        tg.push_command(ADMIN, "thongbao")
        await tg.wait_for_messages(ADMIN, 1)
        for step, (action, value) in enumerate([
            ("text", "Hội chợ việc làm sáng 5/12 tại nhà văn hóa phường Đông Hải."),
            ("press", "Không đính kèm"), ("press", "Người đăng ký: 💼 Việc làm"),
            ("press", "➡️ Xong"), ("press", "Mọi hộ đã đăng ký"), ("press", "🚀 Gửi ngay"),
        ], start=2):
            tg.push_text(ADMIN, value) if action == "text" else tg.press_button(ADMIN, value)
            await tg.wait_for_messages(ADMIN, step)
        preview = tg.sent(ADMIN)[-1].body
        assert "Người nhận: đúng 45 người." in preview
        tg.press_button(ADMIN, "✅ Gửi ngay")
        confirmation = await tg.wait_for_messages(ADMIN, 8)
        assert "Thông báo #1 đang được gửi tới 45 người." in confirmation[-1].body

        reachable = [c for c in subscribed if c not in blocked]
        await tg.wait_until(lambda: all(tg.sent(c) for c in reachable)
                            and all(tg.pending_faults(c) == 0 for c in blocked), timeout=30)
        await app.delivery.stop()  # type: ignore[union-attr]  # records what is under way

        assert all(len(tg.sent(c)) == 1 for c in reachable)
        assert tg.sent(reachable[0])[0].body.startswith("Hội chợ việc làm sáng 5/12")
        assert all(tg.sent(c) == [] for c in [*blocked, *others])
        assert tg.rate_limited == 0 and _max_per_second(tg.requests) <= SERVER_LIMIT
        async with app.core.sessions() as session:  # type: ignore[union-attr]
            marked = (await session.execute(select(User.external_id).where(
                User.blocked_at.is_not(None)))).scalars().all()
        assert sorted(marked) == [str(c) for c in blocked]

        await tick(app.core)  # the final report to the sender
        await Delivery(app.core, {"telegram": SEND_RATE}).run_once()  # type: ignore[arg-type]
        report = tg.sent(ADMIN)[-1].body
        assert "Thông báo #1 đã gửi xong." in report
        assert "✅ Đã gửi: 42" in report and "⛔ Đã chặn bot: 3" in report
        assert "⚠️ Không gửi được: 0" in report
    finally:
        await app.close()


async def test_broadcast_stopped_midway_resumes_without_duplicates(tg, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _running(sqlite_url, tg, clock)
    subscribed = range(FIRST, FIRST + 60)
    try:
        await _people(app, subscribed, subscribed=True)
        await _people(app, range(ADMIN, ADMIN + 1), subscribed=False)
        async with app.core.sessions() as session, session.begin():  # type: ignore[union-attr]
            admin = (await session.execute(select(User).where(
                User.external_id == str(ADMIN)))).scalar_one()
            broadcast = await repo.create_broadcast(
                session, sender=admin, text="Lớp may công nghiệp khai giảng 1/12.",
                media_id=None, audience=repo.Audience(topic="jobs"),
                scheduled_at=datetime(2026, 11, 27, 2, 0, tzinfo=UTC), now=clock())
        await tick(app.core)  # due: starts it, and wakes delivery
        await tg.wait_until(lambda: _delivered(tg, subscribed) >= 20, timeout=10)
    finally:
        await app.close()  # stopping the app mid-way
    before = _delivered(tg, subscribed)
    assert before < len(subscribed)
    async with _open(sqlite_url, clock) as check:
        assert await _count(check, "sending") == 0  # nothing left in limbo

    app = await _running(sqlite_url, tg, clock)  # the restart resumes it
    try:
        await tg.wait_until(lambda: _delivered(tg, subscribed) == len(subscribed), timeout=15)
        await app.delivery.stop()  # type: ignore[union-attr]
        assert all(len(tg.sent(c)) == 1 for c in subscribed)  # nobody got it twice
        assert await _count(app, "sent") == len(subscribed)
        assert tg.rate_limited == 0 and _max_per_second(tg.requests) <= SERVER_LIMIT
        assert broadcast.id == 1
    finally:
        await app.close()


def _delivered(tg: FakeTelegramServer, chats: range) -> int:
    return sum(1 for c in chats if tg.sent(c))


async def _count(app: App, status: str) -> int:
    async with app.core.sessions() as session:  # type: ignore[union-attr]
        query = select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == status)
        return (await session.execute(query)).scalar_one()


class _open:
    """The app on the same database without channels, to look at it between runs."""

    def __init__(self, url: str, clock) -> None:  # type: ignore[no-untyped-def]
        self.url, self.clock = url, clock

    async def __aenter__(self) -> App:
        self.app = await open_app(self.url, self.clock)
        return self.app

    async def __aexit__(self, *exc: object) -> None:
        await self.app.close()
