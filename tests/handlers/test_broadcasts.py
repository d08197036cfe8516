"""Subscriptions and broadcasts in the web chat: opting in and out, composing with an exact
recipient count, scheduling and cancelling, the report, and a photo stored once."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.delivery import Delivery
from conversations.broadcasts import parse_when
from db import broadcasts as repo
from db.models import OutboxMessage
from db.outbox import OutboxMedia
from domain.messages import Incoming, Kind
from handlers.broadcasts import tick
from tests.support import Chat, open_app

ADMIN = "admin-0001"


async def _app(database_url, clock):  # type: ignore[no-untyped-def]
    return await open_app(database_url, clock, admin_ids=f"web:{ADMIN}")


async def _subscribe(app, user: str, topic: str, ward: str | None, category: str = "Bỏ qua") -> Chat:  # type: ignore[no-untyped-def]
    chat = Chat(app, user=user)
    await chat.send("/theodoi")
    await chat.press(topic)
    await chat.press("Xong")
    await chat.press(ward or "chỉ nhận tin chung")
    await chat.press(category)
    await chat.press("Có, gửi cho tôi")
    assert "Đã lưu. Tôi sẽ gửi bạn các thông báo này." in chat.text
    return chat


async def _deliver(app) -> None:  # type: ignore[no-untyped-def]
    delivery = Delivery(app.core, {"web": 1000.0})
    while await delivery.run_once():
        pass


async def _compose(admin: Chat, text: str, topic: str, wards: list[str], households: str) -> None:
    await admin.send("/thongbao")
    await admin.send(text)
    await admin.press("Không đính kèm")
    await admin.press(topic)
    for ward in wards:
        await admin.press(ward)
    await admin.press("Xong")
    await admin.press(households)


async def test_opt_in_see_change_and_opt_out_by_replying_stop(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _app(database_url, clock)
    chat = Chat(app, user="h1")
    await chat.send("/theodoi")
    assert "Bạn muốn nhận thông báo về gì?" in chat.text
    await chat.press("Xong")  # nothing ticked yet
    assert "Bạn chọn ít nhất một chủ đề nhé." in chat.text
    await chat.press("Việc làm")
    assert "✅ 💼 Việc làm" in chat.labels
    await chat.press("Khóa học nghề")
    await chat.press("Xong")
    await chat.send("dong hai")  # typed without diacritics
    await chat.press("Hộ cận nghèo")
    assert "Bạn sẽ nhận: 💼 Việc làm, 🎓 Khóa học nghề." in chat.text
    assert "Phường/xã: phường Đông Hải" in chat.text
    assert "trả lời “dừng”" in chat.text
    await chat.press("Có, gửi cho tôi")

    await chat.send("/theodoi")  # see what I receive, and change it
    assert "Bạn đang nhận: 💼 Việc làm, 🎓 Khóa học nghề." in chat.text
    await chat.press("Khóa học nghề")  # untick
    await chat.press("Xong")
    await chat.press("Đông Hải")
    await chat.press("Bỏ qua")
    await chat.press("Có, gửi cho tôi")
    async with app.core.sessions() as session:
        user_id = (await session.execute(select(repo.Subscription.user_id))).scalar_one()
        mine = await repo.subscription(session, user_id)
    assert mine == repo.MySubscription(frozenset({"jobs"}), "phường Đông Hải", None)

    await chat.send("/dulieucuatoi")
    assert "• Thông báo bạn đăng ký nhận: 💼 Việc làm; phường/xã: phường Đông Hải" in chat.text

    await chat.send("Dừng!")
    assert "Xong rồi: tôi sẽ không gửi thông báo cho bạn nữa." in chat.text
    await chat.send("/huytheodoi")
    assert "Bạn chưa đăng ký nhận thông báo nào." in chat.text
    await app.close()


async def test_targeted_broadcast_reaches_exactly_the_subscribed(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _app(database_url, clock)
    await _subscribe(app, "ho-lan-01", "Việc làm", "Đông Hải", "Hộ nghèo")
    await _subscribe(app, "ho-minh-01", "Việc làm", "Bảo An", "Hộ nghèo")
    await _subscribe(app, "ho-hoa-001", "Việc làm", "Đông Hải", "Không thuộc")
    await _subscribe(app, "ho-tuan-01", "Khóa học nghề", "Đông Hải", "Hộ nghèo")
    await Chat(app, user="ho-an-0001").send("/start")  # never subscribed
    admin = Chat(app, user=ADMIN)

    await _compose(admin, "Hội chợ việc làm sáng 5/12 tại nhà văn hóa phường.", "Việc làm",
                   ["Đông Hải"], "Hộ nghèo")
    await admin.press("Gửi ngay")  # now
    assert "Hội chợ việc làm sáng 5/12" in admin.text
    assert "Gửi tới: Người đăng ký: 💼 Việc làm · phường Đông Hải · Hộ nghèo" in admin.text
    assert "Người nhận: đúng 1 người." in admin.text
    await admin.press("✅ Gửi ngay")
    assert "Thông báo #1 đang được gửi tới 1 người." in admin.text

    await _deliver(app)
    [notice] = await app.web_channel.take("ho-lan-01")
    assert notice.text == "Hội chợ việc làm sáng 5/12 tại nhà văn hóa phường."
    for other in ("ho-minh-01", "ho-hoa-001", "ho-tuan-01", "ho-an-0001"):
        assert await app.web_channel.take(other) == []

    await tick(app.core)
    await _deliver(app)
    [report] = await app.web_channel.take(ADMIN)
    assert "Thông báo #1 đã gửi xong." in report.text
    assert "✅ Đã gửi: 1" in report.text and "⛔ Đã chặn bot: 0" in report.text
    await tick(app.core)  # the report is sent once
    await _deliver(app)
    assert await app.web_channel.take(ADMIN) == []
    await app.close()


async def test_scheduled_in_local_time_then_cancelled(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _app(database_url, clock)  # clock: 09:00 27/11/2026 in Vietnam
    await _subscribe(app, "ho-lan-01", "Chính sách hỗ trợ", None)
    admin = Chat(app, user=ADMIN)
    await _compose(admin, "Nhắc: nộp hồ sơ vay vốn trước 10/12.", "Chính sách", [],
                   "Mọi hộ đã đăng ký")
    await admin.press("Hẹn giờ")
    await admin.send("hôm qua 8h")
    assert "Thời điểm này đã qua." in admin.text
    await admin.send("mai 8h")
    assert "Gửi tới: Người đăng ký: 📜 Chính sách hỗ trợ · mọi phường" in admin.text
    assert "Thời gian gửi: 08:00 28/11/2026" in admin.text
    await admin.press("Hẹn giờ gửi")
    assert "Thông báo #1 đã được hẹn gửi lúc 08:00 28/11/2026." in admin.text

    await tick(app.core)  # not due yet
    assert await _count(app) == 0

    await admin.send("/huythongbao")
    assert "#1 · hẹn gửi lúc 08:00 28/11/2026 · Nhắc: nộp hồ sơ" in admin.text
    await admin.press("Hủy #1")
    await admin.press("Có, hủy thông báo")
    assert "Đã hủy thông báo #1" in admin.text
    clock.advance(days=1)
    await tick(app.core)
    assert await _count(app) == 0
    await admin.send("/huythongbao")
    assert "Không có thông báo nào đang hẹn giờ hoặc đang gửi." in admin.text
    await app.close()


async def test_opting_out_after_queueing_is_reported_and_nothing_is_sent(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _app(database_url, clock)
    await _subscribe(app, "ho-lan-01", "Việc làm", None)
    minh = await _subscribe(app, "ho-minh-01", "Việc làm", None)
    admin = Chat(app, user=ADMIN)
    await _compose(admin, "Tuyển 20 công nhân may, lương 6 triệu.", "Việc làm", [],
                   "Mọi hộ đã đăng ký")
    await admin.press("Gửi ngay")
    await admin.press("✅ Gửi ngay")
    await minh.send("dung")  # before delivery reached them
    await _deliver(app)
    assert len(await app.web_channel.take("ho-lan-01")) == 1
    assert await app.web_channel.take("ho-minh-01") == []
    await tick(app.core)
    await _deliver(app)
    [report] = await app.web_channel.take(ADMIN)
    assert "✅ Đã gửi: 1" in report.text
    assert "🔕 Đã hủy đăng ký trước khi nhận: 1" in report.text
    await app.close()


async def test_photo_is_stored_once_and_sent_to_each(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await _app(database_url, clock)
    for user in ("ho-lan-01", "ho-minh-01", "ho-hoa-001"):
        await _subscribe(app, user, "Khóa học nghề", None)
    admin = Chat(app, user=ADMIN)
    await admin.send("/thongbao")
    await admin.send("Khai giảng lớp điện dân dụng ngày 2/12.")
    photo = b"\x89PNG-poster"
    await admin.deliver(Incoming("web", ADMIN, ADMIN, Kind.PHOTO, update_id="photo-1",
                                 payload={"file_id": "p1", "file_name": None, "data": photo}))
    await admin.press("Khóa học nghề")
    await admin.press("Xong")
    await admin.press("Mọi hộ đã đăng ký")
    await admin.press("Gửi ngay")
    assert "📎 Kèm ảnh" in admin.text and "Người nhận: đúng 3 người." in admin.text
    await admin.press("✅ Gửi ngay")
    async with app.core.sessions() as session:
        payloads = (await session.execute(select(OutboxMessage.payload))).scalars().all()
        media = (await session.execute(select(func.count()).select_from(OutboxMedia))).scalar()
    assert media == 1 and all("image" not in p and p["media"] for p in payloads)
    await _deliver(app)
    for user in ("ho-lan-01", "ho-minh-01", "ho-hoa-001"):
        [sent] = await app.web_channel.take(user)
        assert sent.image == photo
    await app.close()


async def test_only_admins_compose(chat: Chat) -> None:
    await chat.send("/thongbao")
    assert "Lệnh này chỉ dành cho cán bộ" in chat.text


def test_times_are_read_in_local_time() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    cases = {
        "28/11 8:00": datetime(2026, 11, 28, 8, 0, tzinfo=now.tzinfo),
        "8h30 28/11/2026": datetime(2026, 11, 28, 8, 30, tzinfo=now.tzinfo),
        "mai 2h chiều": datetime(2026, 11, 28, 14, 0, tzinfo=now.tzinfo),
        "14h": datetime(2026, 11, 27, 14, 0, tzinfo=now.tzinfo),
        "ngày mai": None,
        "khi nào cũng được": None,
    }
    for text, expected in cases.items():
        assert parse_when(text, now) == expected, text


async def _count(app) -> int:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        return (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()


async def test_topics_ticked_by_several_numbers_and_by_words_and_done_says_what(app) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(app, user="multi", channel="zalo")
    await chat.send("/theodoi")
    await chat.send("1 3")  # two ticks in one message
    assert [label for label in chat.labels if label.startswith("✅")] == [
        "✅ 💼 Việc làm", "✅ 📜 Chính sách hỗ trợ"]
    await chat.send("khoa hoc nghe, viec lam")  # words: one ticked, one unticked
    assert [label for label in chat.labels if label.startswith("✅")] == [
        "✅ 🎓 Khóa học nghề", "✅ 📜 Chính sách hỗ trợ"]
    await chat.send("quay lại")  # a tick is not a question: back leaves the dialog's start
    assert "Đây là câu hỏi đầu tiên" in chat.text
    await chat.send("xong")
    assert chat.text.startswith("Bạn đã chọn: 🎓 Khóa học nghề, 📜 Chính sách hỗ trợ.")
    assert "phường/xã nào" in chat.text
