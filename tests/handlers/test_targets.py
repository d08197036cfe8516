"""The year's targets: /baocao says in plain words when a year has none; an admin sets them with
/chitieu (kept in the database, with who set them in the audit log) and /baocao compares the
year's figures with them."""

from __future__ import annotations

from sqlalchemy import select

from db.models import AuditLog
from db.targets import YearTargetRow
from tests.handlers.test_officers import ADMIN
from tests.support import Chat, open_app


async def test_a_year_without_targets_says_so_then_an_admin_sets_them(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)  # the clock is in 2026
    admin = Chat(app, user="admin")
    officer = Chat(app, user="household")

    await admin.send("/baocao")
    assert "🎯 Chưa có chỉ tiêu năm 2026, nên số liệu chưa so được với chỉ tiêu." in admin.text
    assert "targets.yaml" not in admin.text  # plain words, not a file name
    assert "/chitieu" in admin.text
    await officer.send("/chitieu")  # only admins set targets
    assert "Nhập chỉ tiêu" not in officer.text

    await admin.send("/chitieu")
    await admin.press("2026")
    await admin.send("Kế hoạch giảm nghèo năm 2026, số 5/KH-UBND ngày 10/3/2026")
    await admin.send("1,30 1,50 71")  # a rate that goes up is not a reduction target
    assert "không cao hơn đầu năm" in admin.text
    await admin.send("1,30 1,15 71")
    await admin.send("3,11 2,91 95")
    await admin.send("13")
    assert "• Hộ nghèo: 1,30% → 1,15%, giảm 71 hộ" in admin.text
    await admin.press("Lưu")
    assert "Đã lưu chỉ tiêu năm 2026" in admin.text

    await admin.send("/baocao")
    assert "🎯 Chỉ tiêu 2026: Kế hoạch giảm nghèo năm 2026, số 5/KH-UBND" in admin.text
    assert "giảm 71 hộ (1,30% → 1,15%)" in admin.text
    assert "giảm 95 hộ (3,11% → 2,91%)" in admin.text
    assert "13 căn" in admin.text

    async with app.core.sessions() as session:
        row = await session.get(YearTargetRow, 2026)
        assert row is not None and row.set_by_user_id is not None
        audit = (await session.scalars(
            select(AuditLog).where(AuditLog.action == "targets.set"))).one()
        assert audit.actor_user_id == row.set_by_user_id and audit.entity_id == "2026"
        assert audit.before is None and audit.after["poor_reduce_by"] == 71

    # Setting them again replaces the year's targets; the audit keeps what was there before.
    await admin.send("/chitieu")
    await admin.press("2026")
    await admin.send("Kế hoạch điều chỉnh năm 2026")
    await admin.send("1,30 1,10 80")
    await admin.send("3,11 2,91 95")
    await admin.send("không")
    await admin.press("Lưu")
    await admin.send("/baocao")
    assert "giảm 80 hộ (1,30% → 1,10%)" in admin.text and "căn" not in admin.text
    async with app.core.sessions() as session:
        audits = list(await session.scalars(
            select(AuditLog).where(AuditLog.action == "targets.set").order_by(AuditLog.id)))
        assert [a.before["poor_reduce_by"] if a.before else None for a in audits] == [None, 71]
    await app.close()
