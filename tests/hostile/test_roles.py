"""Roles are checked when something is written, not only when a dialog starts: an officer who
lost a ward cannot save into it; someone removed from ADMIN_IDS is no admin after a restart,
even in the middle of a dialog; an admin made in the app can be revoked in the app; all audited.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from db.models import AuditLog, User
from db.officers.households import Household
from db.officers.roster import OfficerWard
from tests.handlers.test_officers import _join
from tests.support import Chat, open_app


async def _user(app, external_id: str) -> User:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        query = select(User).where(User.external_id == external_id)
        return (await session.execute(query)).scalar_one()


async def _actions(app, user: User) -> list[tuple[str, dict | None]]:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        rows = await session.execute(select(AuditLog.action, AuditLog.after).where(
            AuditLog.entity == "user", AuditLog.entity_id == str(user.id)).order_by(AuditLog.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_an_officer_who_lost_a_ward_cannot_save_into_it(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids="web:admin")
    try:
        officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang", "Đông Hải")
        await officer.send("/themho")
        await officer.press("Đông Hải")
        for answer in ("DH-001", "Trần Văn Bình", "5 Ngô Quyền", "0912 345 678", "4"):
            await officer.send(answer)
        await officer.press("Nghèo")
        await officer.press("2026")
        await officer.press("Không có ghi chú")
        assert "Lưu hộ này?" in officer.text
        me = await _user(app, "officer-a")
        async with app.core.sessions() as session, session.begin():  # moved to one ward
            await session.execute(delete(OfficerWard).where(
                OfficerWard.user_id == me.id,
                OfficerWard.ward == "Đông Hải"))
        await officer.press("Lưu")
        assert "không còn là cán bộ phường/xã của phường này" in officer.text
        async with app.core.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(
                Household))
        assert count == 0
    finally:
        await app.close()


async def test_removed_from_admin_ids_means_no_admin_after_a_restart(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids="web:boss,web:other")
    boss = Chat(app, user="boss")
    await boss.send("/thongbao")
    assert "thông báo" in boss.text.lower()
    await Chat(app, user="other").send("/menu")
    await app.close()

    app = await open_app(database_url, clock, admin_ids="web:other")
    try:
        user = await _user(app, "boss")
        assert user.role == "citizen"  # demoted at start-up, before writing again
        assert ("admin.demote", {"role": "citizen", "reason": "not in ADMIN_IDS"}) in (
            await _actions(app, user))
        assert (await _user(app, "other")).role == "admin"
        boss = Chat(app, user="boss")
        await boss.send("Họp dân tối nay")  # the broadcast dialog left open before the restart
        assert "không còn quyền" in boss.text
        await boss.send("/thongbao")
        assert "chỉ dành cho" in boss.text
    finally:
        await app.close()


async def test_an_admin_made_in_the_app_is_revoked_in_the_app(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids="web:boss")
    try:
        boss = Chat(app, user="boss")
        helper = await _join(app, boss, "helper", "Phan Rang")
        me = await _user(app, "helper")
        async with app.core.sessions() as session, session.begin():  # as an admin invite does
            stored = await session.get(User, me.id)
            stored.role = "admin"  # type: ignore[union-attr]
            session.add(AuditLog(actor_user_id=None, action="admin.invite", entity="user",
                                 entity_id=str(me.id), before={"role": "officer"},
                                 after={"role": "admin"}, at=clock()))
        await helper.send("/menu")
        assert (await _user(app, "helper")).role == "admin"  # not in ADMIN_IDS, still admin
        await boss.send("/dscanbo")
        assert "ADMIN_IDS" in boss.text
        assert [label for label in boss.labels if "#" in label] == [f"🚫 Thu hồi #{me.id}"]
        await boss.press(f"#{me.id}")
        await boss.press("Thu hồi")
        assert (await _user(app, "helper")).role == "citizen"
        assert [a for a, _ in await _actions(app, me)][-1] == "officer.revoke"
    finally:
        await app.close()
