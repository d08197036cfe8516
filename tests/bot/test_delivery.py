"""The outbox and its delivery worker: queued once, sent once, blocked recipients skipped,
retry_after honoured, and a crash mid-send resumed without losing rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.delivery import Delivery
from db import outbox
from db import users as users_repo
from db.models import OutboxMessage, User
from domain.messages import Choice, DeliveryError, Reply
from tests.support import open_app


@dataclass
class FlakyChannel:
    """An Outbound that records sends and fails as told, per chat."""

    channel: str = "telegram"
    sent: list[tuple[str, str]] = field(default_factory=list)
    faults: dict[str, list[DeliveryError]] = field(default_factory=dict)

    async def send(self, chat_id: str, reply: Reply) -> None:
        queue = self.faults.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, reply.text))


async def _queue(app, chat_id: str, text: str, key: str | None = None) -> bool:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session, session.begin():
        user, _ = await users_repo.get_or_create_user(
            session, "telegram", chat_id, chat_id, "citizen", app.core.services.clock()
        )
        await session.flush()
        return await outbox.enqueue(
            session, channel="telegram", chat_id=chat_id, reply=Reply(text), kind="test",
            now=app.core.services.clock(), user_id=user.id, dedup_key=key,
        )


async def _statuses(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars()
        return {row.chat_id: row.status for row in rows}


@pytest.fixture
async def setup(database_url, clock):  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock)
    channel = FlakyChannel()
    app.core.services.outbound["telegram"] = channel
    yield app, channel, Delivery(app.core, {"telegram": 1000.0})
    await app.close()


async def test_queued_once_delivered_once(setup) -> None:  # type: ignore[no-untyped-def]
    app, channel, delivery = setup
    assert await _queue(app, "1", "Nhắc lịch học ngày mai", key="course:7:reminder")
    assert not await _queue(app, "1", "Nhắc lịch học ngày mai", key="course:7:reminder")
    assert await _queue(app, "2", "Thông báo việc làm")
    assert await delivery.run_once() == 2
    assert await delivery.run_once() == 0
    assert sorted(channel.sent) == [("1", "Nhắc lịch học ngày mai"), ("2", "Thông báo việc làm")]
    assert await _statuses(app) == {"1": "sent", "2": "sent"}


async def test_blocked_is_marked_and_skipped_from_then_on(setup) -> None:  # type: ignore[no-untyped-def]
    app, channel, delivery = setup
    channel.faults["3"] = [DeliveryError("Forbidden: bot was blocked", permanent=True)]
    await _queue(app, "3", "first")
    await delivery.run_once()
    assert await _statuses(app) == {"3": "blocked"}
    async with app.core.sessions() as session:
        user = (await session.execute(select(User).where(User.chat_id == "3"))).scalar_one()
        assert user.blocked_at is not None
    await _queue(app, "3", "second", key="k2")
    await delivery.run_once()
    assert channel.sent == []  # not even tried


async def test_retry_after_and_backoff_then_delivered(setup, clock) -> None:  # type: ignore[no-untyped-def]
    app, channel, delivery = setup
    channel.faults["4"] = [DeliveryError("Too Many Requests", retry_after=30),
                           DeliveryError("Bad Gateway")]
    await _queue(app, "4", "tin")
    await delivery.run_once()
    assert await _statuses(app) == {"4": "pending"}
    assert await delivery.run_once() == 0  # not due before retry_after
    await _queue(app, "40", "other")  # the whole channel waits, not just that chat
    await delivery.run_once()
    assert channel.sent == []
    clock.advance(seconds=31)
    await delivery.run_once()  # 502: backoff
    clock.advance(seconds=5)
    await delivery.run_once()
    assert sorted(channel.sent) == [("4", "tin"), ("40", "other")]
    async with app.core.sessions() as session:
        row = (await session.execute(
            select(OutboxMessage).where(OutboxMessage.chat_id == "4"))).scalar_one()
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


async def test_gives_up_after_max_attempts(setup, clock) -> None:  # type: ignore[no-untyped-def]
    app, channel, delivery = setup
    channel.faults["5"] = [DeliveryError("Bad Gateway") for _ in range(10)]
    await _queue(app, "5", "tin")
    for _ in range(6):
        await delivery.run_once()
        clock.advance(minutes=10)
    assert await _statuses(app) == {"5": "failed"}
    assert len(channel.faults["5"]) == 5  # tried exactly max_attempts times


async def test_a_crash_mid_send_is_resumed(setup, clock) -> None:  # type: ignore[no-untyped-def]
    app, channel, delivery = setup
    await _queue(app, "6", "tin")
    async with app.core.sessions() as session, session.begin():
        assert len(await outbox.claim(session, clock(), 10)) == 1  # then the process dies
    assert await delivery.run_once() == 0  # in flight elsewhere: not taken twice at once
    clock.advance(minutes=11)
    assert await delivery.run_once() == 1
    assert channel.sent == [("6", "tin")]


def test_payload_round_trip() -> None:
    reply = Reply("Xin chào", (Choice("Có", "x:yes"),), image=b"\x89PNG")
    assert outbox.payload_to_reply(outbox.reply_to_payload(reply)) == reply


@dataclass
class SlowFirstChannel:
    """An Outbound whose first send to chat 7 is slow: sent concurrently, a later message to
    the same chat would overtake it."""

    channel: str = "telegram"
    sent: list[tuple[str, str]] = field(default_factory=list)
    calls: int = 0

    async def send(self, chat_id: str, reply: Reply) -> None:
        import asyncio

        if chat_id == "7":
            self.calls += 1
            if self.calls == 1:
                await asyncio.sleep(0.05)
        self.sent.append((chat_id, reply.text))


async def test_one_chats_messages_arrive_in_the_order_they_were_queued(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock)
    channel = SlowFirstChannel()
    app.core.services.outbound["telegram"] = channel
    try:
        texts = ["Khóa học đổi ngày", "Khóa học đã hủy", "Khóa học mới"]
        for text in texts:  # queued at the same moment: the clock does not move
            await _queue(app, "7", text)
        await _queue(app, "8", "Thông báo khác")
        assert await Delivery(app.core, {"telegram": 1000.0}).run_once() == 4
        assert [text for chat, text in channel.sent if chat == "7"] == texts
        assert channel.sent[0] == ("8", "Thông báo khác")  # other chats do not wait for it
    finally:
        await app.close()
