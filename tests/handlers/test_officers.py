"""Ward officers: invite → join → households → visits → reminders → figures, within their wards."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.delivery import Delivery
from db.models import AuditLog, OutboxMessage, SharedAssessment, User
from db.officers.households import (
    CategoryChange,
    Household,
    add_household,
    all_households,
    change_category,
)
from db.officers.reports import report
from db.officers.roster import OfficerWard, create_invite
from db.officers.visits import HouseholdVisit, OfficerReminder
from domain.messages import Incoming, Kind
from domain.tables import Row
from handlers.officers.reminders import run_reminders
from handlers.officers.report import report_periods
from tests.support import Chat, Clock, open_app

ADMIN = "web:admin"
CSV_HEADER = "Phường,Mã hộ,Họ tên chủ hộ,Địa chỉ,Số điện thoại,Số nhân khẩu,Phân loại,Năm\n"


async def _count(app, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return (await session.execute(query)).scalar_one()


async def _join(app, admin: Chat, user: str, *wards: str) -> Chat:  # type: ignore[no-untyped-def]
    """The admin invites, the new officer joins with the code."""
    await admin.send("/moicanbo")
    for ward in wards:
        await admin.press(ward)
    await admin.press("Xong")
    await admin.press("Tạo mã")
    code = re.search(r"/canbo ([A-Z0-9]{8})", admin.text).group(1)  # type: ignore[union-attr]
    officer = Chat(app, user=user)
    await officer.send(f"/canbo {code}")
    assert "Chào mừng" in officer.text
    return officer


async def _add_household(officer: Chat, code: str, name: str, category: str = "Nghèo") -> None:
    await officer.send("/themho")
    await officer.send(code)
    await officer.send(name)
    await officer.send("12 Lê Lợi, khu phố 3")
    await officer.send("0912 345 678")
    await officer.send("4")
    await officer.press(category)
    await officer.press("2026")
    await officer.press("Không có ghi chú")
    assert "Lưu hộ này?" in officer.text
    await officer.press("Lưu")
    assert f"Đã lưu: {code}" in officer.text


async def _photo(chat: Chat, file_id: str) -> None:
    await chat.deliver(Incoming(chat.channel, chat.user, chat.user, Kind.PHOTO,
                                payload={"file_id": file_id, "file_name": None, "data": b"x"},
                                update_id=f"photo-{file_id}"))


async def _location(chat: Chat) -> None:
    await chat.deliver(Incoming(chat.channel, chat.user, chat.user, Kind.LOCATION,
                                payload={"latitude": 11.5672, "longitude": 108.9886},
                                update_id=f"loc-{chat.user}"))


async def _reminder_rows(app) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "officer_reminder")
        return list((await session.execute(query)).scalars())


async def test_invite_join_household_visit_reminder_once_and_audit(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    admin = Chat(app, user="admin")
    officer = await _join(app, admin, "officer-a", "Phan Rang")
    assert "phường Phan Rang" in officer.text

    await officer.send("/canbo AAAA2222")
    assert "Mã này không đúng" in officer.text
    await _add_household(officer, "HGD001", "Nguyễn Văn An")

    # The visit: household, kind, note, proposal, photo + location, "Tiếp", a date, save.
    await officer.send("/thamho")
    await officer.send("nguyen van an")  # not visited yet: found by typing, no diacritics
    assert "Lần thăm thuộc loại nào?" in officer.text
    await officer.press("Hướng dẫn sinh kế")
    await officer.send("Đã hướng dẫn nuôi dê, hộ muốn vay vốn")
    await officer.press("Đề nghị thoát nghèo")
    await _photo(officer, "AgACAgIAAxkBAAIB")
    assert "Đã nhận ảnh" in officer.text
    await _location(officer)
    assert "Đã nhận vị trí" in officer.text
    await officer.press("Tiếp")
    await officer.send("2/12")
    assert "Hẹn thăm lại: 02/12/2026" in officer.text
    assert "Ảnh: có · Vị trí: có" in officer.text
    await officer.press("Lưu")
    assert "Đã lưu lần thăm" in officer.text
    assert "Tôi sẽ nhắc bạn ngày 02/12/2026" in officer.text
    async with app.core.sessions() as session:
        visit = (await session.execute(select(HouseholdVisit))).scalar_one()
    assert (visit.kind, visit.proposed_category) == ("livelihood", "escaped")
    assert visit.photo_file_id == "AgACAgIAAxkBAAIB"
    assert (visit.latitude, visit.longitude) == (11.5672, 108.9886)
    assert visit.follow_up_on == date(2026, 12, 2)

    # 2/12/2026 is a Wednesday: only the follow-up is due, at 07:30 local (00:30 UTC).
    clock.now = datetime(2026, 12, 2, 0, 29, tzinfo=UTC)
    await run_reminders(app.core)
    assert await _reminder_rows(app) == []
    clock.advance(minutes=1)
    await run_reminders(app.core)
    await run_reminders(app.core)
    assert len(await _reminder_rows(app)) == 1

    await app.close()  # a restart: the reminder is not sent again
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    clock.advance(minutes=10)
    await run_reminders(app.core)
    rows = await _reminder_rows(app)
    assert len(rows) == 1
    delivery = Delivery(app.core, {})
    assert await delivery.run_once() == 1
    assert await delivery.run_once() == 0
    inbox = await app.web_channel.take("officer-a")
    assert len(inbox) == 1
    assert "Đến hẹn thăm lại hôm nay: HGD001 · Nguyễn Văn An" in inbox[0].text

    officer = Chat(app, user="officer-a")
    await officer.send("/nhacviec")
    assert "1. 07:30 02/12/2026 — Thăm lại: HGD001 · Nguyễn Văn An" in officer.text
    await officer.press("Để mai 1")
    assert "Tôi sẽ nhắc lại lúc 07:40 03/12/2026" in officer.text
    await officer.press("Xong 1")
    assert "Đã đánh dấu xong" in officer.text
    assert "Bạn không có lời nhắc nào" in officer.text

    actions = {}
    async with app.core.sessions() as session:
        for row in (await session.execute(select(AuditLog))).scalars():
            actions[row.action] = row
    assert {"invite.create", "officer.join", "household.add", "visit.add", "reminder.snooze",
            "reminder.done"} <= set(actions)
    assert actions["officer.join"].before == {"role": "citizen", "wards": []}
    assert actions["officer.join"].after == {"role": "officer", "wards": ["Phan Rang"]}
    assert actions["household.add"].after["code"] == "HGD001"
    assert actions["visit.add"].after["photo_file_id"] == "AgACAgIAAxkBAAIB"
    assert actions["reminder.done"].before == {"status": "pending"}
    await app.close()


async def test_the_report_equals_a_hand_count(database_url) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(datetime(2023, 6, 20, 3, 0, tzinfo=UTC))
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    admin = Chat(app, user="admin")
    officer = await _join(app, admin, "officer-a", "Phan Rang")
    people = {"Phan Rang": ["poor"] * 5 + ["near_poor"] * 3 + ["escaped", "other"],
              "Đông Hải": ["poor"] * 2 + ["near_poor"] * 4}
    async with app.core.sessions() as session, session.begin():
        start = datetime(2023, 1, 1, tzinfo=UTC)
        ids = {}
        for ward, categories in people.items():
            for n, category in enumerate(categories):
                household = await add_household(session, {
                    "ward": ward, "code": f"{ward[:2].upper()}{n}", "head_name": f"Hộ {n}",
                    "address": "", "phone": None, "members": 3, "category": category,
                    "category_year": 2022}, None, start)
                ids[(ward, n)] = household
        user = (await session.execute(select(User).where(User.external_id == "officer-a"))
                ).scalar_one()
        visits = [(("Phan Rang", 0), 2), (("Phan Rang", 1), 10), (("Phan Rang", 2), 45),
                  (("Phan Rang", 2), 60), (("Đông Hải", 0), 5)]  # (household, days ago)
        for key, days in visits:
            session.add(HouseholdVisit(
                household_id=ids[key].id, ward=key[0], officer_user_id=user.id, kind="checkin",
                note="", visited_at=clock.now - timedelta(days=days)))
        # This year's review moved two poor households out, one near-poor down to poor.
        await change_category(session, ids[("Phan Rang", 0)], "escaped", 2023, None,
                                   clock.now)
        await change_category(session, ids[("Phan Rang", 1)], "near_poor", 2023, None,
                                   clock.now)
        await change_category(session, ids[("Phan Rang", 5)], "poor", 2023, None, clock.now)

    async with app.core.sessions() as session:
        periods = report_periods(clock.now, app.settings.tz)
        figures = await report(session, ["Phan Rang", "Đông Hải"], **periods)
        households = await all_households(session, None)
        all_visits = list((await session.execute(select(HouseholdVisit))).scalars())
    for row in figures:  # the hand count, row by row in Python
        mine = [h for h in households if h.ward == row.ward]
        assert row.by_category == {c: sum(h.category == c for h in mine)
                                   for c in {h.category for h in mine}}
        assert row.visits_this_month == sum(
            v.ward == row.ward and v.visited_at >= periods["month_start"] for v in all_visits)
        recent = {v.household_id for v in all_visits if v.visited_at >= periods["cutoff"]}
        assert row.not_visited == sum(h.id not in recent for h in mine)
    phan_rang = figures[0]
    assert phan_rang.by_category == {"poor": 4, "near_poor": 3, "escaped": 2, "other": 1}
    assert (phan_rang.visits_this_month, phan_rang.not_visited) == (2, 8)

    await officer.send("/baocao")
    assert "📍 phường Phan Rang: 10 hộ — nghèo 4, cận nghèo 3, mới thoát nghèo 2, khác 1" \
        in officer.text
    assert "Lượt thăm tháng này: 2 · chưa thăm trong 30 ngày: 8" in officer.text
    assert "Từ 1/1: nghèo 5 → 4 (−1), cận nghèo 3 → 3 (0)" in officer.text
    assert "Đông Hải" not in officer.replies[0].text
    assert officer.replies[1].image is not None and officer.replies[1].image[:4] == b"\x89PNG"

    await admin.send("/baocao")
    assert "📍 Toàn thành phố: 16 hộ — nghèo 6, cận nghèo 7, mới thoát nghèo 2, khác 1" \
        in admin.text
    assert "🎯 Chỉ tiêu 2023" in admin.text
    assert "giảm 71 hộ (1,30% → 1,15%); đến nay −1" in admin.text
    assert "giảm 95 hộ (3,11% → 2,91%); đến nay 0" in admin.text
    assert "13 căn" in admin.text
    await admin.press("Tệp Excel")
    document = admin.replies[0].document
    assert document is not None and document.file_name == "baocao-2023-06-20.xlsx"
    from domain.tables import read_table
    sheet = read_table(document.data, document.file_name)
    assert [r.cells["phuong_xa"] for r in sheet][:2] == ["Phan Rang", "Đông Hải"]
    assert sheet[0].cells["ho_ngheo"] == "4" and sheet[-1].cells["tong"] == "16"
    await app.close()


async def test_an_officer_of_ward_a_cannot_see_or_change_ward_b(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    admin = Chat(app, user="admin")
    ward_a = await _join(app, admin, "officer-a", "Phan Rang")
    ward_b = await _join(app, admin, "officer-b", "Đông Hải")
    await _add_household(ward_b, "DH001", "Trần Thị Bình")
    async with app.core.sessions() as session:
        other = (await session.execute(select(Household))).scalar_one()

    await ward_a.send("/ho DH001")
    assert "Không có hộ nào trong phường của bạn khớp với \"DH001\"" in ward_a.text
    await ward_a.send("/ho tran thi binh")
    assert "Trần Thị Bình" not in ward_a.text
    await ward_b.send("/ho tran thi binh")  # without diacritics, in their own ward
    assert ward_b.labels[0] == "DH001 · Trần Thị Bình (Hộ nghèo)"
    for payload in (f"off:hh:{other.id}", f"off:vs:{other.id}", f"off:cat:{other.id}"):
        await ward_a.deliver(Incoming("web", "officer-a", "officer-a", Kind.CHOICE,
                                      choice=payload, update_id=f"x-{payload}"))
        assert "Tôi không tìm thấy hộ đó trong phường của bạn" in ward_a.text
    await ward_a.send("/thamho DH001 thăm hỏi: ghé nhà")
    assert "Không có hộ nào trong phường của bạn có mã DH001" in ward_a.text
    rows = [Row(2, {"phuong": "Đông Hải", "ma_ho": "DH002", "ho_ten_chu_ho": "Lê Văn C",
                    "so_nhan_khau": "3", "phan_loai": "nghèo"})]
    importer = app.core.registry.importers["households"]
    async with app.core.sessions() as session:
        officer_a = (await session.execute(select(User).where(User.external_id == "officer-a"))
                     ).scalar_one()
    result = await importer.run(app.core, rows, app.catalogs["vi"], officer_a.id)
    assert result.errors == [(2, "bạn không phải cán bộ của Đông Hải")]
    await ward_a.send("/baocao")
    assert "Đông Hải" not in ward_a.replies[0].text
    assert await _count(app, HouseholdVisit) == 0
    await app.close()


async def test_a_household_cannot_use_officer_commands(app, chat: Chat) -> None:  # type: ignore[no-untyped-def]
    for command in ("/thamho", "/themho", "/baocao", "/ho HGD001", "/nhacviec", "/hangdoi",
                    "/moicanbo", "/dscanbo", "/nhapho"):
        await chat.send(command)
        assert "Lệnh này chỉ dành cho cán bộ phường/xã" in chat.text, command
    await chat.deliver(Incoming("web", "u1", "u1", Kind.CHOICE, choice="off:rx", update_id="rx"))
    assert "Lệnh này chỉ dành cho cán bộ phường/xã" in chat.text
    assert chat.replies[0].document is None
    await chat.send("/menu")
    assert not any("Ghi lần thăm" in label for label in chat.labels)


async def test_an_officer_cannot_invite_and_an_admin_revokes(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    admin = Chat(app, user="admin")
    officer = await _join(app, admin, "officer-a", "Phan Rang", "Đông Hải")
    await officer.send("/moicanbo")
    assert "Lệnh này chỉ dành cho" in officer.text
    await admin.send("/dscanbo")
    assert "phường Phan Rang, phường Đông Hải" in admin.text or \
        "phường Đông Hải, phường Phan Rang" in admin.text
    await admin.press("Thu hồi #")
    await admin.press("Thu hồi")
    assert "Đã thu hồi cán bộ" in admin.text
    await officer.send("/thamho")
    assert "Lệnh này chỉ dành cho" in officer.text
    assert await _count(app, AuditLog, AuditLog.action == "officer.revoke") == 1
    await app.close()


async def test_the_one_line_visit_form(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
    await _add_household(officer, "HGD001", "Nguyễn Văn An")
    await officer.send("/thamho hgd001 kiểm tra vốn: đã trả lãi đúng hạn hẹn 15/12")
    assert "Loại: Kiểm tra vốn vay" in officer.text
    assert "Ghi chú: đã trả lãi đúng hạn" in officer.text
    assert "Hẹn thăm lại: 15/12/2026" in officer.text
    await officer.press("Lưu")  # one tap
    assert "Đã lưu lần thăm" in officer.text
    await officer.send("/thamho")  # now a recent household, one tap away
    assert any("HGD001" in label for label in officer.labels)
    await officer.send("/thamho HGD001")
    assert "Tôi chưa đọc được" in officer.text
    await app.close()


async def test_an_import_with_bad_rows_imports_nothing(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
    bad = (CSV_HEADER
           + "Phan Rang,HGD001,Nguyễn Văn An,12 Lê Lợi,0912345678,4,nghèo,2025\n"
           + "Phan Rang,HGD002,Trần Thị B,3 Ngô Quyền,12345,0,giàu,2025\n"
           + "Đông Hải,HGD003,Lê Văn C,,,3,cận nghèo,2025\n"
           + "Phan Rang,HGD001,Nguyễn Văn An,12 Lê Lợi,,4,nghèo,2025\n")
    await officer.send("/nhapho")
    await officer.deliver(Incoming("web", "officer-a", "officer-a", Kind.DOCUMENT,
                                   payload={"file_name": "ds.csv", "data": bad.encode()},
                                   update_id="doc-1"))
    assert "Chưa nhập gì: có 3 dòng cần sửa." in officer.text
    assert "Dòng 3: số điện thoại không phải số di động; số người phải từ 1 đến 30; " \
        "không rõ diện \"giàu\"" in officer.text
    assert "Dòng 4: bạn không phải cán bộ của Đông Hải" in officer.text
    assert "Dòng 5: mã HGD001 xuất hiện hai lần" in officer.text
    assert await _count(app, Household) == 0

    good = (CSV_HEADER
            + "phan rang,HGD001,Nguyễn Văn An,12 Lê Lợi,0912345678,4,Hộ nghèo,2025\n"
            + "Phường Phan Rang,HGD002,Trần Thị B,3 Ngô Quyền,,2,can ngheo,\n")
    await officer.deliver(Incoming("web", "officer-a", "officer-a", Kind.DOCUMENT,
                                   payload={"file_name": "ds.csv", "data": good.encode()},
                                   update_id="doc-2"))
    assert "Đã nhập 2 hộ." in officer.text
    assert await _count(app, AuditLog, AuditLog.action == "household.add") == 2

    # Re-importing after the review updates the list and counts the change.
    again = CSV_HEADER + "Phan Rang,HGD001,Nguyễn Văn An,12 Lê Lợi,,4,mới thoát nghèo,2026\n"
    result = await app.core.registry.importers["households"].run(
        app.core, [Row(2, {"phuong": "Phan Rang", "ma_ho": "HGD001",
                           "ho_ten_chu_ho": "Nguyễn Văn An", "so_nhan_khau": "4",
                           "phan_loai": "mới thoát nghèo", "nam": "2026"})],
        app.catalogs["vi"], None)
    assert (result.imported, result.errors) == (1, [])
    assert again  # the same row as a CSV line, for the reader
    assert await _count(app, CategoryChange) == 1
    await app.close()


async def test_shared_self_assessments_reach_their_wards_officers(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
    async with app.core.sessions() as session, session.begin():
        household = User(channel="web", external_id="h1", chat_id="h1", role="citizen",
                         created_at=clock.now)
        session.add(household)
        await session.flush()
        common = dict(user_id=household.id, members=4, area="urban", monthly_income=4_000_000,
                      answered_standard_id="2022-2025", standard_id="2022-2025")
        session.add(SharedAssessment(ward="phường Phan Rang", name="Phạm Thị Dung",
                                     phone="0987654321", category="near_poor",
                                     shared_at=clock.now - timedelta(days=1),
                                     previous_category="poor", previous_standard_id="2022-2025",
                                     reassessed_at=clock.now, **common))
        session.add(SharedAssessment(ward="phường Đông Hải", name="Võ Văn Em",
                                     phone="0977777777", category="poor", shared_at=clock.now,
                                     **common))
    await officer.send("/hangdoi")
    assert "Phạm Thị Dung · 0987654321 · 4 người" in officer.text
    assert "Đã đổi từ hộ nghèo sang hộ cận nghèo" in officer.text
    assert "Võ Văn Em" not in officer.text
    await officer.press("Đã liên hệ 1")
    assert "Không có kết quả tự đánh giá nào đang chờ" in officer.text
    await app.close()


async def test_an_officer_deleting_their_data_leaves_the_wards_records(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
    await _add_household(officer, "HGD001", "Nguyễn Văn An")
    await officer.send("/thamho HGD001 thăm hỏi: ghé nhà hẹn 15/12")
    await officer.press("Lưu")
    await officer.send("/dulieucuatoi")
    assert "• Cán bộ của: phường Phan Rang; lời nhắc đang mở: 1" in officer.text
    await officer.send("/xoadulieu")
    await officer.press("Có, xóa hết")
    assert "vai trò cán bộ phường/xã: 2" in officer.text  # the ward and the reminder
    async with app.core.sessions() as session:
        household = (await session.execute(select(Household))).scalar_one()
        visit = (await session.execute(select(HouseholdVisit))).scalar_one()
    assert (household.officer_user_id, visit.officer_user_id) == (None, None)
    assert await _count(app, OfficerReminder) == 0
    assert await _count(app, OfficerWard) == 0
    await app.close()


async def test_digest_report_and_review_reminders_come_once_per_period(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
    await _add_household(officer, "HGD001", "Nguyễn Văn An")
    clock.now = datetime(2026, 12, 7, 0, 29, tzinfo=UTC)  # Monday 07:29, a week before 14/12
    await run_reminders(app.core)
    assert await _reminder_rows(app) == []
    clock.now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 08:00: digest and both review notes
    await run_reminders(app.core)
    clock.advance(hours=5)
    await run_reminders(app.core)
    texts = sorted(row.payload["text"] for row in await _reminder_rows(app))
    assert len(texts) == 3
    assert "📋 Tóm tắt tuần: 1 hộ trong phường chưa được thăm trong 30 ngày" in texts[0]
    assert "Đợt rà soát hộ nghèo, hộ cận nghèo năm nay diễn ra từ 1/9 đến 14/12" in texts[1]
    assert "Đợt rà soát năm kết thúc ngày 14/12/2026" in texts[2]
    clock.now = datetime(2026, 12, 25, 1, 0, tzinfo=UTC)  # the 25th, after the review
    await run_reminders(app.core)
    await run_reminders(app.core)
    texts = [row.payload["text"] for row in await _reminder_rows(app)]
    assert len(texts) == 4 and "Đến kỳ báo cáo tháng (12/2026)" in texts[-1]
    await officer.send("/nhacviec")  # the digest needs no "done"; the others wait for it
    assert officer.text.count("— ") == 3
    await app.close()


async def test_the_visit_offers_what_the_channel_can_send_and_takes_a_typed_address(
    database_url, clock
) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=ADMIN)
    zalo = Chat(app, user="officer-zalo", channel="zalo")
    async with app.core.sessions() as session, session.begin():
        invite = await create_invite(session, ["phường Phan Rang"], None, clock.now, 7)
    await zalo.send(f"/canbo {invite.code}")
    await _add_household(zalo, "HGD001", "Nguyễn Văn Bình")
    await zalo.send("/thamho")
    await zalo.send("HGD001")
    assert "Lần thăm thuộc loại nào?" in zalo.text, zalo.text
    await zalo.send("1")
    await zalo.send("Gia đình khỏe, con đã đi học lại")
    await zalo.press("Không đề nghị")
    assert "nhập địa chỉ" in zalo.text and "📍" not in zalo.text  # Zalo has no location button
    assert zalo.replies[-1].request is None
    await zalo.send("Hẻm 12 Lê Lợi, sau chợ")  # a typed address instead of a location
    assert "📍 Đã ghi địa chỉ: Hẻm 12 Lê Lợi, sau chợ" in zalo.text
    await zalo.deliver(Incoming("zalo", zalo.user, zalo.user, Kind.PHOTO,
                                payload={"url": "https://zalo.example/p/1.jpg"},
                                update_id="zalo-photo-1"))
    assert "📷 Đã nhận ảnh." in zalo.text
    await zalo.press("Tiếp")
    await zalo.press("Không hẹn")
    assert "Địa chỉ: Hẻm 12 Lê Lợi, sau chợ" in zalo.text
    await zalo.press("Lưu")
    assert "Đã lưu lần thăm" in zalo.text
    await app.close()
