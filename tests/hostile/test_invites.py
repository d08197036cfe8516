"""Guessing invite codes: wrong codes are audited, a person is locked out after a few, and
everyone waits a few minutes when many wrong codes come from many accounts."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from db.models import AuditLog
from tests.support import Chat, open_app


async def _code(admin: Chat) -> str:
    await admin.send("/moicanbo")
    await admin.press("Phan Rang")
    await admin.press("Xong")
    await admin.press("Tạo mã")
    return re.search(r"/canbo ([A-Z0-9]{8})", admin.text).group(1)  # type: ignore[union-attr]


async def _audited(app, action: str) -> int:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        return await session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == action))


async def test_wrong_codes_lock_the_person_out_then_everyone(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids="web:admin")
    try:
        code = await _code(Chat(app, user="admin"))
        guesser = Chat(app, user="guesser")
        for n in range(5):
            await guesser.send(f"/canbo ZZZZZZ{n}{n}")
            assert "không đúng" in guesser.text
        await guesser.send(f"/canbo {code}")  # even the right code: locked for an hour
        assert "sai mã quá nhiều lần" in guesser.text
        assert await _audited(app, "invite.wrong") == 5
        assert await _audited(app, "invite.refused") == 1
        async with app.core.sessions() as session:
            rows = (await session.execute(select(AuditLog.after).where(
                AuditLog.action == "invite.wrong"))).scalars().all()
        assert all("ZZZ" not in str(after) for after in rows)  # the typed code is not kept

        clock.advance(hours=1, minutes=1)
        for person in range(10):  # many accounts, three guesses each, in ten minutes
            for n in range(3):
                await Chat(app, user=f"bot-{person}").send(f"/canbo YYYYYY{n}{person}")
        newcomer = Chat(app, user="newcomer")
        await newcomer.send(f"/canbo {code}")
        assert "tạm dừng" in newcomer.text
        clock.advance(minutes=11)
        await newcomer.send(f"/canbo {code}")
        assert "Chào mừng" in newcomer.text
    finally:
        await app.close()
