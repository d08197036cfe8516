"""Vocational courses through the core: browse, sign up, the waitlist, cancelling, reminders,
imports and exports, as a household and an admin would use them."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.delivery import Delivery
from db import courses as repo
from db.courses import Course, CourseRegistration
from db.models import AuditLog, OutboxMessage
from domain.messages import Incoming, Kind
from domain.tables import read_table
from handlers.courses import queue_reminders
from tests.support import Chat, open_app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "domain" / "data" / "courses_example.csv"
ADMIN = "admin-1"
CODE = re.compile(r"KH-[2-9A-HJKMNP-Z]{4}")


@pytest.fixture
async def app(database_url, clock):  # type: ignore[no-untyped-def]
    application = await open_app(database_url, clock, admin_ids=f"web:{ADMIN}")
    yield application
    await application.close()


async def add_course(app, **overrides) -> int:  # type: ignore[no-untyped-def]
    values = dict(
        code="MAY-01", title="May công nghiệp", trade="May", level="duoi_3_thang",
        starts_on="2026-12-07", ends_on="2027-02-26", schedule="Thứ 2 đến thứ 6, 7:30-11:00",
        place="Nhà văn hóa khu phố 3", ward="phường Phan Rang", capacity=2,
        deadline="2026-12-01", audience="Lao động thuộc hộ nghèo, cận nghèo",
        support="Hỗ trợ học phí tối đa 3.000.000 đ (hộ nghèo); tiền ăn 30.000 đ/ngày",
        support_source="QĐ 46/2015/QĐ-TTg", contact="Phòng LĐ-TB&XH", status="open",
    )
    values.update(overrides)
    async with app.core.sessions() as session, session.begin():
        row = await repo.add_course(session, values, None, app.core.services.clock())
        return row.id


async def fill_in(chat: Chat, name: str = "Nguyễn Thị Lan", phone: str = "0912345678") -> None:
    """From the first question of the sign-up to the consent question."""
    await chat.send(name)
    await chat.send("1990")
    await chat.send(phone)
    await chat.send("Phan Rang")
    await chat.press("Hộ nghèo")


async def sign_up(chat: Chat, title: str, button: str = "📝 Đăng ký", **person: str) -> str:
    await chat.send("/khoahoc")
    await chat.press(title)
    await chat.press(button)
    await chat.press("Bắt đầu" if button == "📝 Đăng ký" else "Vào danh sách chờ")
    await fill_in(chat, **person)
    await chat.press("Đồng ý, đăng ký")
    return chat.text


async def statuses(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        rows = (await session.execute(select(CourseRegistration))).scalars()
        return {row.full_name: row.status for row in rows}


async def count(app, model) -> int:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def deliver_all(app) -> None:  # type: ignore[no-untyped-def]
    delivery = Delivery(app.core, {"web": 1000.0})
    while await delivery.run_once():
        pass


async def test_browse_sign_up_with_bad_answers_re_asked_and_duplicate_refused(app) -> None:  # type: ignore[no-untyped-def]
    course_id = await add_course(app)
    chat = Chat(app, user="household-1")
    await chat.send("/khoahoc")
    assert "1. May công nghiệp — phường Phan Rang, từ 07/12/2026; còn 2 chỗ" in chat.text
    await chat.press("May công nghiệp")
    assert "Hỗ trợ: Hỗ trợ học phí tối đa 3.000.000 đ" in chat.text
    assert "(nguồn: QĐ 46/2015/QĐ-TTg)" in chat.text
    assert "hỏi cán bộ lao động, việc làm để chắc chắn" in chat.text
    await chat.press("📝 Đăng ký")
    assert "Đăng ký khóa học May công nghiệp, bắt đầu ngày 07/12/2026." in chat.text
    await chat.press("Bắt đầu")
    await chat.send("Nguyễn Thị Lan")
    await chat.send("1890")
    assert "Năm sinh phải từ 1946 đến 2011." in chat.text
    await chat.send("2020")
    assert "Năm sinh phải từ" in chat.text
    await chat.send("1990")
    await chat.send("12345")
    assert "Số này không giống số di động Việt Nam." in chat.text
    assert "Ví dụ: 0912345678" in chat.text
    await chat.send("+84 912 345 678")
    await chat.send("phan rang")
    await chat.press("Hộ nghèo")
    assert "Năm sinh: 1990\nĐiện thoại: 0912345678\nPhường/xã: phường Phan Rang" in chat.text
    await chat.press("Đồng ý, đăng ký")
    assert "Đã đăng ký khóa học May công nghiệp! Mã của bạn: KH-" in chat.text
    code = CODE.search(chat.text)
    assert code is not None

    await chat.send("/khoahoc")
    assert "còn 1 chỗ" in chat.text
    await chat.press("May công nghiệp")
    assert f"Bạn đã đăng ký (mã {code.group()})." in chat.text
    assert "📝 Đăng ký" not in chat.labels
    await chat.deliver(Incoming("web", "household-1", "household-1", Kind.CHOICE, choice=f"kh:join:{course_id}"))
    assert f"Bạn đã đăng ký khóa học May công nghiệp rồi (mã {code.group()})" in chat.text
    assert await statuses(app) == {"Nguyễn Thị Lan": "registered"}


async def test_same_phone_from_another_account_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    await add_course(app)
    await sign_up(Chat(app, user="household-1"), "May công nghiệp")
    other = Chat(app, user="household-1-zalo")
    text = await sign_up(other, "May công nghiệp", name="Lan")
    assert "Bạn đã đăng ký khóa học May công nghiệp rồi" in text
    assert await statuses(app) == {"Nguyễn Thị Lan": "registered"}


async def test_full_course_offers_waitlist_and_cancel_promotes_the_first(app) -> None:  # type: ignore[no-untyped-def]
    await add_course(app, capacity=1)
    first, second, third = (Chat(app, user=f"household-{n}") for n in (1, 2, 3))
    assert "Đã đăng ký khóa học" in await sign_up(first, "May công nghiệp")

    await second.send("/khoahoc")
    assert "hết chỗ, còn nhận danh sách chờ" in second.text
    await second.press("May công nghiệp")
    await second.press("Vào danh sách chờ")
    assert "đã đủ 1 chỗ" in second.text and "danh sách chờ, số thứ tự 1" in second.text
    await second.press("Vào danh sách chờ")
    await fill_in(second, name="Trần Văn Bình", phone="0987654321")
    await second.press("Đồng ý, đăng ký")
    assert "Bạn đã vào danh sách chờ khóa học May công nghiệp, số thứ tự 1." in second.text
    text = await sign_up(third, "May công nghiệp", "Vào danh sách chờ", name="Lê Thị Cúc",
                         phone="0977000111")
    assert "số thứ tự 2" in text

    await first.send("/huydangky")
    assert "Hủy đăng ký khóa học May công nghiệp (mã KH-" in first.text
    await first.press("Có, hủy")
    assert "Đã hủy đăng ký khóa học May công nghiệp." in first.text
    assert await statuses(app) == {"Nguyễn Thị Lan": "cancelled", "Trần Văn Bình": "registered",
                                   "Lê Thị Cúc": "waitlist"}
    await deliver_all(app)
    [notice] = await app.web_channel.take("household-2")
    assert notice.text.startswith("Tin vui: đã có chỗ cho bạn trong khóa học May công nghiệp")
    assert await app.web_channel.take("household-3") == []

    await first.send("/huydangky")
    assert "Bạn chưa đăng ký khóa học nào." in first.text


async def test_two_sign_ups_for_the_last_place_at_once(app) -> None:  # type: ignore[no-untyped-def]
    await add_course(app, capacity=1)
    chats = [Chat(app, user="race-a"), Chat(app, user="race-b")]
    for chat, phone in zip(chats, ("0912000001", "0912000002"), strict=True):
        await chat.send("/khoahoc")
        await chat.press("May công nghiệp")
        await chat.press("📝 Đăng ký")
        await chat.press("Bắt đầu")
        await fill_in(chat, name=chat.user, phone=phone)
    await asyncio.gather(*(chat.press("Đồng ý, đăng ký") for chat in chats))
    assert sorted((await statuses(app)).values()) == ["registered", "waitlist"]
    texts = " ".join(chat.text for chat in chats)
    assert "Đã đăng ký khóa học" in texts and "danh sách chờ" in texts


async def test_reminder_once_at_local_time_and_not_again_after_a_restart(  # type: ignore[no-untyped-def]
    app, database_url, clock
) -> None:
    await add_course(app, capacity=1)
    await sign_up(Chat(app, user="household-1"), "May công nghiệp")
    await sign_up(Chat(app, user="household-2"), "May công nghiệp", "Vào danh sách chờ",
                  name="Trần Văn Bình", phone="0987654321")
    assert app.core.registry.jobs["course-reminders"].minutes == 5
    async with app.core.sessions() as session, session.begin():  # closed to sign-ups, still runs
        course = (await session.execute(select(Course))).scalar_one()
        await repo.update_course(session, course, {"status": "closed"}, None, clock())

    clock.now = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 08:00 two days before: too early
    assert await queue_reminders(app.core) == 0
    clock.now = datetime(2026, 12, 6, 0, 55, tzinfo=UTC)  # 07:55 local the day before
    assert await queue_reminders(app.core) == 0
    clock.now = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)  # 08:00 local
    assert await queue_reminders(app.core) == 1
    clock.advance(minutes=5)
    assert await queue_reminders(app.core) == 0
    await deliver_all(app)
    [reminder] = await app.web_channel.take("household-1")
    assert reminder.text.startswith("Nhắc lịch: ngày mai, 07/12/2026, khóa học May công nghiệp")
    assert await app.web_channel.take("household-2") == []  # waiting, not reminded

    await app.close()
    restarted = await open_app(database_url, clock, admin_ids=f"web:{ADMIN}")
    try:
        clock.advance(hours=3)
        assert await queue_reminders(restarted.core) == 0
        assert await Delivery(restarted.core, {"web": 1000.0}).run_once() == 0
        assert await count(restarted, OutboxMessage) == 1
    finally:
        await restarted.close()


def _document_event(user: str, path_or_name: str, data: bytes) -> Incoming:
    return Incoming("web", user, user, Kind.DOCUMENT,
                    payload={"file_name": path_or_name, "data": data})


BAD_ROWS = (
    "Mã khóa học,Tên khóa học,Nghề,Trình độ,Ngày bắt đầu,Ngày kết thúc,Lịch học,Địa điểm,"
    "Phường/xã,Số chỗ,Hạn đăng ký,Đối tượng,Hỗ trợ,Nguồn hỗ trợ,Liên hệ\n"
    "HAN-01,Hàn điện,Hàn,sơ cấp,04/01/2027,04/04/2027,Sáng thứ 2-6,Xưởng A,Đông Hải,20,,"
    "Hộ nghèo,Miễn học phí,QĐ 46/2015,Phòng LĐ-TB&XH\n"
    "HAN-02,Hàn điện 2,Hàn,sơ cấp,31/02/2027,04/04/2027,Sáng thứ 2-6,Xưởng A,Sao Hỏa,20,,"
    "Hộ nghèo,Miễn học phí,QĐ 46/2015,Phòng LĐ-TB&XH\n"
)


async def test_import_with_a_bad_row_imports_nothing_then_the_example_file(app) -> None:  # type: ignore[no-untyped-def]
    admin = Chat(app, user=ADMIN)
    await admin.send("/khoahocmoi")
    await admin.press("Gửi tệp")
    await admin.deliver(_document_event(ADMIN, "khoahoc.csv", BAD_ROWS.encode()))
    assert "Chưa nhập gì: có 1 dòng cần sửa." in admin.text
    assert "Dòng 3: ngay_bat_dau: Chưa đúng dạng ngày" in admin.text
    assert 'phuong_xa: Không có phường/xã nào tên "Sao Hỏa"' in admin.text
    assert await count(app, Course) == 0

    household = Chat(app, user="household-1")
    await household.send("/khoahoc")  # the example file is not loaded until an admin imports it
    assert "Hiện chưa có khóa học nào đang nhận đăng ký." in household.text

    await admin.deliver(_document_event(ADMIN, "courses_example.csv", EXAMPLE.read_bytes()))
    assert "Nhập 3 khóa học?" in admin.text
    await admin.press("Xác nhận")
    assert "Đã nhập 3 khóa học." in admin.text
    async with app.core.sessions() as session:
        titles = [c.title for c in await repo.courses(session)]
        audits = (await session.execute(select(func.count()).select_from(AuditLog))).scalar_one()
    assert len(titles) == 3 and all(title.endswith("(ví dụ)") for title in titles)
    assert audits == 3
    await household.send("/khoahoc")
    assert "May công nghiệp (ví dụ)" in household.text

    result = await app.core.registry.importers["courses"].run(  # the same file again
        app.core, read_table(EXAMPLE.read_bytes(), EXAMPLE.name), app.catalogs["vi"], None)
    assert result.imported == 0
    assert [n for n, _ in result.errors] == [2, 3, 4]
    assert "mã VIDU-MAY-01 đã có rồi" in result.errors[0][1]


async def test_exports_as_csv_and_xlsx_keep_vietnamese(app) -> None:  # type: ignore[no-untyped-def]
    await add_course(app, capacity=1)
    await sign_up(Chat(app, user="household-1"), "May công nghiệp")
    await sign_up(Chat(app, user="household-2"), "May công nghiệp", "Vào danh sách chờ",
                  name="Trần Văn Bình", phone="0987654321")
    admin = Chat(app, user=ADMIN)
    await admin.send("/dangkykhoahoc")
    assert "1. May công nghiệp (MAY-01, đang nhận đăng ký): 1/1 có chỗ, 1 đang chờ" in admin.text
    await admin.press("May công nghiệp")
    assert "Nguyễn Thị Lan, 1990, 0912345678, phường Phan Rang, Hộ nghèo — KH-" in admin.text
    assert "Trần Văn Bình" in admin.text and "(chờ, số thứ tự 1)" in admin.text

    await admin.press("Xuất CSV")
    document = admin.replies[0].document
    assert document is not None and document.file_name.endswith(".csv")
    assert document.data.startswith(b"\xef\xbb\xbf")
    rows = read_table(document.data, document.file_name)
    assert [(r.cells["ho_va_ten"], r.cells["trang_thai"], r.cells["thu_tu_cho"]) for r in rows] \
        == [("Nguyễn Thị Lan", "có chỗ", ""), ("Trần Văn Bình", "đang chờ", "1")]
    assert rows[0].cells["dien_ho"] == "Hộ nghèo"

    await admin.send("/dangkykhoahoc")
    await admin.press("Xuất Excel")
    document = admin.replies[0].document
    assert document is not None and document.file_name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(document.data)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:6] == ["Mã đăng ký", "Mã khóa học", "Khóa học", "Ngày bắt đầu",
                             "Họ và tên", "Năm sinh"]
    assert values[1][2] == "May công nghiệp" and values[1][4] == "Nguyễn Thị Lan"


async def test_a_household_cannot_use_admin_commands_or_buttons(app) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(app, user="household-1")
    for command in ("/khoahocmoi", "/dangkykhoahoc"):
        await chat.send(command)
        assert "Lệnh này chỉ dành cho cán bộ phường/xã và cán bộ lao động, việc làm" in chat.text
    await chat.deliver(Incoming("web", "household-1", "household-1", Kind.CHOICE, choice="kq:export:csv"))
    assert "Lệnh này chỉ dành cho cán bộ" in chat.text
    assert all(reply.document is None for reply in chat.replies)
    assert "Khóa học nghề" in " ".join(chat.labels)  # the household's own menu entry


async def test_admin_adds_a_course_then_moves_and_cancels_it_registrants_told(app) -> None:  # type: ignore[no-untyped-def]
    admin = Chat(app, user=ADMIN)
    await admin.send("/khoahocmoi")
    await admin.press("Nhập từng mục")
    for answer in ("dien-01", "Sửa chữa điện dân dụng", "Điện dân dụng"):
        await admin.send(answer)
    await admin.press("sơ cấp")
    await admin.send("14/12/2026")
    await admin.send("13/03/2027")
    for answer in ("Thứ 2, 4, 6, 13:30-16:30", "Nhà văn hóa khu phố 5"):
        await admin.send(answer)
    await admin.press("Đông Hải")
    await admin.send("nhiều")
    assert "Số chỗ phải là số nguyên từ 1 đến 1000." in admin.text
    await admin.send("25")
    await admin.send("không")
    for answer in ("Hộ nghèo, cận nghèo", "Tiền ăn 30.000 đ/ngày", "QĐ 46/2015/QĐ-TTg",
                   "Phòng LĐ-TB&XH"):
        await admin.send(answer)
    assert "Mã: DIEN-01" in admin.text and "Ngày kết thúc: 13/03/2027" in admin.text
    assert "Hạn đăng ký: —" in admin.text
    await admin.press("Xác nhận")
    assert "Đã lưu: Sửa chữa điện dân dụng (DIEN-01)." in admin.text

    household = Chat(app, user="household-1")
    await sign_up(household, "Sửa chữa điện")
    await admin.send("/dangkykhoahoc")
    await admin.press("Sửa chữa điện")
    await admin.press("Sửa")
    await admin.press("Sửa")
    await admin.press("Ngày bắt đầu")
    await admin.send("21/12/2026")
    await admin.press("Xác nhận")
    assert "Đã lưu thay đổi của khóa học Sửa chữa điện dân dụng. Đã báo cho 1 người" in admin.text

    await admin.send("/dangkykhoahoc")
    await admin.press("Sửa chữa điện")
    await admin.press("Hủy khóa học")
    assert "Tôi sẽ báo cho 1 người đã đăng ký." in admin.text
    await admin.press("Xác nhận")
    assert "Sửa chữa điện dân dụng: đã hủy." in admin.text
    await deliver_all(app)
    moved, cancelled = await app.web_channel.take("household-1")
    assert moved.text.startswith("Thay đổi khóa học Sửa chữa điện dân dụng: nay học từ "
                                 "21/12/2026 đến 13/03/2027.")
    assert "đã bị hủy" in cancelled.text
    async with app.core.sessions() as session:
        actions = (await session.execute(select(AuditLog.action).order_by(AuditLog.id))).all()
    assert [a for (a,) in actions] == ["course.add", "course.edit", "course.edit"]


async def test_sign_ups_are_shown_and_deleted_with_the_personal_data(app) -> None:  # type: ignore[no-untyped-def]
    await add_course(app, capacity=1)
    first = Chat(app, user="household-1")
    await sign_up(first, "May công nghiệp")
    await sign_up(Chat(app, user="household-2"), "May công nghiệp", "Vào danh sách chờ",
                  name="Trần Văn Bình", phone="0987654321")
    await first.send("/dulieucuatoi")
    assert "• Đăng ký khóa học May công nghiệp (KH-" in first.text
    assert "Nguyễn Thị Lan, sinh năm 1990, điện thoại 0912345678" in first.text
    await first.send("/xoadulieu")
    await first.press("Có, xóa hết")
    assert "đăng ký khóa học: 1" in first.text
    assert await statuses(app) == {"Trần Văn Bình": "registered"}
    await deliver_all(app)
    assert "Tin vui" in (await app.web_channel.take("household-2"))[0].text


async def test_filter_by_trade_and_ward_and_pages_of_eight(app) -> None:  # type: ignore[no-untyped-def]
    for n in range(1, 10):
        await add_course(app, code=f"MAY-{n:02}", title=f"May lớp {n}",
                         starts_on=f"2026-12-{n + 10:02}")
    await add_course(app, code="HAN-01", title="Hàn điện", trade="Hàn",
                     ward="phường Ninh Chử", starts_on="2026-12-30")
    chat = Chat(app, user="household-1")
    await chat.send("/khoahoc")
    assert "8. May lớp 8" in chat.text and "Trang 1/2" in chat.text
    assert "May lớp 9" not in chat.text
    await chat.press("Trang sau")
    assert "9. May lớp 9" in chat.text and "10. Hàn điện" in chat.text
    await chat.press("Theo nghề")
    assert chat.labels[:2] == ["Hàn", "May"]
    await chat.press("Hàn")
    assert "1. Hàn điện — phường Ninh Chử" in chat.text and "May lớp" not in chat.text
    await chat.press("Theo phường/xã")
    await chat.press("phường Phan Rang")
    assert "Hàn điện" not in chat.text and "1. May lớp 1" in chat.text


async def test_phone_shared_with_the_contact_button(app) -> None:  # type: ignore[no-untyped-def]
    await add_course(app)
    chat = Chat(app, user="household-1", channel="telegram")  # a channel with a contact button
    await chat.send("/khoahoc")
    await chat.press("May công nghiệp")
    await chat.press("📝 Đăng ký")
    await chat.press("Bắt đầu")
    await chat.send("Nguyễn Thị Lan")
    await chat.send("1990")
    assert chat.replies[-1].request == "phone"
    await chat.deliver(Incoming("telegram", "household-1", "household-1", Kind.CONTACT,
                                payload={"phone": "84912345678"}))
    assert "Bạn sống ở phường/xã nào?" in chat.text
    await chat.press("Không biết / ở nơi khác")
    await chat.press("Không biết")
    assert "Điện thoại: 0912345678\nPhường/xã: —\nDiện hộ: Không biết" in chat.text
