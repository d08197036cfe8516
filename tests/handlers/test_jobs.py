"""The job board in the web chat: posting by dialog and by file, the list (expired notices gone,
filters), job-seeker profiles with consent, export, and new notices sent to matching seekers."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot.delivery import Delivery
from bot.i18n import load_catalogs
from conversations.jobs import parse_wage, trade_by_text
from domain.messages import Incoming, Kind
from domain.tables import write_csv
from tests.support import Chat, open_app

ADMIN = "admin-0001"
HEADER = ["Tiêu đề", "Nhà tuyển dụng", "Nơi làm việc", "Phường xã", "Ngành nghề", "Mức lương",
          "Yêu cầu", "Hạn nộp", "Liên hệ"]


async def _seeker(app, user: str, trade: str, ward: str, subscribe: bool = True) -> Chat:  # type: ignore[no-untyped-def]
    chat = Chat(app, user=user)
    await chat.send("/timviec")
    await chat.press(trade)
    await chat.press(ward)
    await chat.press("Toàn thời gian")
    await chat.send("0912 345 678")
    assert "Hồ sơ của bạn:" in chat.text and "0912345678" in chat.text
    await chat.press("Tôi đồng ý")
    assert "Đã lưu." in chat.text
    if subscribe:
        await chat.send("/theodoi")
        await chat.press("Việc làm")
        await chat.press("Xong")
        await chat.press(ward)
        await chat.press("Bỏ qua")
        await chat.press("Có, gửi cho tôi")
    return chat


async def _post(admin: Chat, title: str, deadline: str = "15/12/2026") -> None:
    await admin.send("/vieclammoi")
    await admin.send(title)
    await admin.send("Công ty may Hoa Sen")
    await admin.send("12 đường Thống Nhất")
    await admin.press("Đông Hải")
    await admin.press("May mặc")
    await admin.send("5-7 triệu")
    await admin.press("Không có yêu cầu riêng")
    await admin.send(deadline)
    await admin.send("Chị Lan, 0912345678")


async def _deliver(app) -> None:  # type: ignore[no-untyped-def]
    delivery = Delivery(app.core, {"web": 1000.0})
    while await delivery.run_once():
        pass


async def test_posted_notice_goes_to_matching_subscribed_seekers(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=f"web:{ADMIN}")
    await _seeker(app, "seeker-lan", "May mặc", "Đông Hải")
    await _seeker(app, "seeker-minh", "Xây dựng", "Đông Hải")
    await _seeker(app, "seeker-hoa", "May mặc", "Đông Hải", subscribe=False)
    admin = Chat(app, user=ADMIN)
    await _post(admin, "Công nhân may")
    assert "💰 Mức lương: 5.000.000 đ – 7.000.000 đ" in admin.text
    assert "⏰ Hạn nộp hồ sơ: 15/12/2026" in admin.text
    await admin.press("Sửa")
    await admin.press("Mức lương")
    await admin.send("6 triệu - 8 triệu")
    assert "💰 Mức lương: 6.000.000 đ – 8.000.000 đ" in admin.text
    await admin.press("Đăng tin")
    assert "Đã đăng tin tuyển dụng #1; đã gửi tới 2 người nhận tin việc làm" in admin.text

    await _deliver(app)
    [notice] = await app.web_channel.take("seeker-lan")
    assert notice.text.startswith("Có việc làm mới hợp với hồ sơ tìm việc của bạn:")
    assert "💼 Công nhân may" in notice.text
    # another trade, but subscribed to Đông Hải's job notices: the post, not "fits you"
    [notice] = await app.web_channel.take("seeker-minh")
    assert notice.text.startswith("Tin tuyển dụng mới:")
    assert await app.web_channel.take("seeker-hoa") == []  # not subscribed
    await app.close()


async def _subscribe_to_jobs(app, user: str, ward: str | None) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(app, user=user)
    await chat.send("/theodoi")
    await chat.press("Việc làm")
    await chat.press("Xong")
    await chat.press(ward or "Bỏ qua: chỉ nhận tin chung")
    await chat.press("Bỏ qua")
    await chat.press("Có, gửi cho tôi")
    assert "Đã lưu" in chat.text


async def test_a_jobs_subscription_brings_each_new_post_of_its_ward_or_the_city_once(
    database_url, clock
) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=f"web:{ADMIN}")
    await _subscribe_to_jobs(app, "ward-dong-hai", "Đông Hải")  # no job-seeker profile at all
    await _subscribe_to_jobs(app, "ward-bao-an", "Bảo An")
    await _subscribe_to_jobs(app, "city-wide-only", None)
    admin = Chat(app, user=ADMIN)
    await _post(admin, "Công nhân may")  # a job in phường Đông Hải
    await admin.press("Đăng tin")
    await _deliver(app)
    [notice] = await app.web_channel.take("ward-dong-hai")
    assert notice.text.startswith("Tin tuyển dụng mới:") and "💼 Công nhân may" in notice.text
    assert await app.web_channel.take("ward-bao-an") == []  # another ward
    assert await app.web_channel.take("city-wide-only") == []  # a ward's job, not a city-wide one
    await _deliver(app)
    assert await app.web_channel.take("ward-dong-hai") == []  # once

    async with app.core.sessions() as session, session.begin():  # a city-wide job
        from conversations.jobs import post_notice
        from db import jobs as job_repo

        fields = job_repo.NoticeFields(
            title="Bảo vệ", employer="Công ty An Phát", workplace="Toàn thành phố", ward=None,
            trade="Khác", wage_min=None, wage_max=None, requirements=None,
            deadline=clock.now.date(), contact="0912345678")
        _job, queued = await post_notice(session, fields, app.core.catalogs["vi"], None,
                                         clock.now)
    assert queued == 3
    await _deliver(app)
    got = {user: [r.text for r in await app.web_channel.take(user)]
           for user in ("ward-dong-hai", "ward-bao-an", "city-wide-only")}
    assert all(len(texts) == 1 and "💼 Bảo vệ" in texts[0] for texts in got.values()), got
    await app.close()


async def test_list_hides_expired_and_filters(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=f"web:{ADMIN}")
    admin = Chat(app, user=ADMIN)
    await _post(admin, "Công nhân may ca ngày", deadline="28/11/2026")
    await admin.press("Đăng tin")
    await _post(admin, "Thợ may mẫu", deadline="20/12/2026")
    await admin.press("Đăng tin")

    chat = Chat(app, user="household")
    await chat.send("/vieclam")
    assert "1. Công nhân may ca ngày — Công ty may Hoa Sen, hạn 28/11/2026" in chat.text
    assert "2. Thợ may mẫu" in chat.text
    await chat.press("1. Công nhân may ca ngày")
    assert "📍 Nơi làm việc: 12 đường Thống Nhất (phường Đông Hải)" in chat.text
    await chat.press("Quay lại danh sách")
    assert "Tin tuyển dụng đang mở" in chat.text

    await chat.press("Theo phường")
    await chat.press("Bảo An")
    assert "Hiện chưa có tin tuyển dụng nào đang mở ở đây." in chat.text
    await chat.send("/vieclam xay dung")
    assert "Đang lọc: Xây dựng" in chat.text and "Thợ may" not in chat.text

    clock.advance(days=2)  # 28/11 has passed
    await chat.send("/vieclam")
    assert "Công nhân may ca ngày" not in chat.text and "1. Thợ may mẫu" in chat.text
    await app.close()


async def test_file_import_is_all_or_nothing(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=f"web:{ADMIN}")
    admin = Chat(app, user=ADMIN)
    good = ["Phụ hồ", "Công ty Xây dựng Số 1", "Khu đô thị mới", "Bảo An", "Xây dựng",
            "thỏa thuận", "", "31/12/2026", "Anh Tuấn 0987654321"]
    bad = ["Bán hàng", "Siêu thị A", "Chợ", "Phường Không Có", "bay lượn", "nhiều lắm", "",
           "01/01/2020", "Chị Mai"]
    await admin.send("/vieclammoi")
    await admin.deliver(_document(write_csv(HEADER, [good, bad]), "tin.csv"))
    assert "Chưa đăng tin nào." in admin.text
    assert "Dòng 3: không rõ ngành “bay lượn”" in admin.text  # the good row 2 is not posted
    await admin.deliver(_document(write_csv(HEADER, [good]), "tin.csv"))
    assert "Đã đăng 1 tin tuyển dụng." in admin.text
    chat = Chat(app, user="household")
    await chat.send("/vieclam")
    assert "1. Phụ hồ — Công ty Xây dựng Số 1" in chat.text
    await app.close()


async def test_profile_export_and_deletion(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids=f"web:{ADMIN}")
    seeker = await _seeker(app, "seeker-lan", "Giúp việc", "Ninh Chử", subscribe=False)
    assert "Muốn nhận tin việc làm mới hợp với bạn" in seeker.text
    admin = Chat(app, user=ADMIN)
    await admin.send("/xuattimviec")
    [reply] = admin.replies
    assert reply.document is not None and reply.document.file_name == "timviec.xlsx"
    rows = list(load_workbook(io.BytesIO(reply.document.data)).active.values)
    assert rows[1][:4] == ("Giúp việc, chăm sóc", "phường Ninh Chử", "Toàn thời gian",
                           "0912345678")

    await seeker.send("/dulieucuatoi")
    assert ("• Hồ sơ tìm việc: Giúp việc, chăm sóc; phường Ninh Chử; Toàn thời gian; 0912345678"
            in seeker.text)  # every field kept, availability included
    await seeker.send("/timviec")  # change or delete
    assert "Bạn đã có hồ sơ tìm việc." in seeker.text
    for _ in range(3):
        await seeker.send("1")
    await seeker.send("0912345678")
    await seeker.press("Xóa hồ sơ của tôi")
    assert "Đã xóa hồ sơ tìm việc của bạn." in seeker.text
    await admin.send("/xuattimviec")
    assert "0 hồ sơ tìm việc." in admin.text
    await app.close()


@pytest.mark.parametrize(("text", "expected"), [
    ("5-7 triệu", (5_000_000, 7_000_000)),
    ("5 triệu - 7 triệu", (5_000_000, 7_000_000)),
    ("6tr đến 8tr", (6_000_000, 8_000_000)),
    ("4500000", (4_500_000, None)),
    ("thỏa thuận", (None, None)),
    ("8-5 triệu", None),
    ("nhiều lắm", None),
])
def test_wage_ranges(text: str, expected: tuple[int | None, int | None] | None) -> None:
    assert parse_wage(text) == expected


def test_trades_by_id_english_or_vietnamese() -> None:
    vi = load_catalogs(("vi",))["vi"]
    assert [trade_by_text(t, vi) for t in ("garment", "May mặc", "xay dung", "Construction",
                                           "bay lượn")] == [
        "garment", "garment", "construction", "construction", None]


def _document(data: bytes, name: str) -> Incoming:
    return Incoming("web", ADMIN, ADMIN, Kind.DOCUMENT, update_id=f"doc-{len(data)}-{name}",
                    payload={"file_id": "f", "file_name": name, "data": data,
                             "mime_type": "text/csv"})
