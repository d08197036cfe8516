"""The household self-assessment as a household lives it: the questions, numbers typed many ways,
"không rõ" and "?", going back, editing before the result, a restart in the middle; then
privacy (anonymous by default; sharing only with consent, seen and deleted through the personal
data commands) and the re-assessment when the standard changes on 1/1/2027."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.delivery import Delivery
from conversations.messages import DeliveryError, Incoming, Kind, Reply
from db import assessments as repo
from db import users
from db.models import AssessmentTally, Consent, DialogState, SharedAssessment
from domain.poverty import Area, Household
from tests.support import Chat, Clock, open_app

# 12 answers to the 2022-2025 questions, in the data file's order: employment, dependents,
# nutrition, health_insurance, adult_education, child_schooling, housing_quality, housing_area,
# water (yes = has it), sanitation (yes = has it), telecom (yes = has it), information_assets.
NOTHING_LACKING = ["không", "không", "không", "không", "không", "không", "không", "không",
                   "có", "có", "có", "có"]
ONE_LACKING = ["có", *NOTHING_LACKING[1:]]  # employment


class CountingChat(Chat):
    """A chat that counts what the household sends."""

    sent: int = 0

    async def _deliver(self, event: Incoming) -> list[Reply]:
        self.sent += 1
        return await super()._deliver(event)


async def count(app, model) -> int:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def to_review(chat: Chat, *, members: str = "4", income: str = "6 triệu",
                    answers: list[str] = ONE_LACKING) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send(members)
    await chat.send(income)
    for answer in answers:
        await chat.send(answer)
    assert "Bạn xem lại câu trả lời nhé" in chat.text, chat.text


def payloads(chat: Chat) -> list[str]:
    return [c.payload for r in chat.replies for c in r.choices]


# --- the dialog ----------------------------------------------------------------------------------


async def test_a_typical_household_gets_its_result_in_at_most_18_messages(app) -> None:  # type: ignore[no-untyped-def]
    chat = CountingChat(app)
    await chat.send("/start")
    chat.sent = 0
    await chat.press("Tự đánh giá hộ nghèo")
    assert "Hộ của bạn ở phường/xã nào?" in chat.text
    assert "Phường Phan Rang" in chat.labels and "🤷 Không biết / ở nơi khác" in chat.labels
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.send("6 triệu")
    assert chat.text.startswith("Câu 1/12:")
    for answer in ONE_LACKING:
        await chat.send(answer)
    assert "• Thiếu hụt: Việc làm" in chat.text
    await chat.press("Đúng rồi")
    assert chat.sent <= 18
    assert "hộ của bạn có thể thuộc diện hộ cận nghèo" in chat.text
    assert "1.500.000 đ, bằng hoặc thấp hơn chuẩn 2.000.000 đ" in chat.text
    assert "Trong nhà có người ở tuổi đi làm nhưng không có việc làm ổn định." in chat.text
    assert "Hộ sẽ thuộc diện hộ nghèo nếu thiếu hụt thêm 2 chỉ số." in chat.text
    assert "UBND phường/xã sẽ xét và công nhận" in chat.text
    assert "Giấy đề nghị rà soát hộ nghèo, hộ cận nghèo" in chat.text
    assert "pol:for:near_poor" in payloads(chat)
    assert "📚 Xem hỗ trợ cho hộ cận nghèo" in chat.labels
    # 27/11/2026 is near the changeover: the 2027-2030 view is shown as well.
    assert "Chuẩn nghèo giai đoạn 2027-2030 áp dụng từ ngày 01/01/2027" in chat.text
    assert "Bạn có muốn gửi kết quả này cho cán bộ phường Phan Rang" in chat.replies[-1].text
    assert all(len(r.text) <= 600 for r in chat.replies)

    await chat.press("Không, cảm ơn")
    assert "tôi không lưu gì về bạn" in chat.text
    assert await count(app, AssessmentTally) == 1
    assert await count(app, SharedAssessment) == 0
    async with app.core.sessions() as session:
        tally = (await session.execute(select(AssessmentTally))).scalar_one()
        state = (await session.execute(select(DialogState))).scalar_one()
    assert (tally.ward, tally.day, tally.standard_id, tally.category, tally.count) == (
        "phường Phan Rang", date(2026, 11, 27), "2022-2025", "near_poor", 1
    )
    assert state.data == {} and state.dialog is None  # the answers are gone


async def test_far_from_the_changeover_only_the_standard_in_force_is_shown(sqlite_url) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, Clock(datetime(2026, 6, 1, 3, 0, tzinfo=UTC)))
    chat = Chat(app)
    await to_review(chat, income="20 triệu", answers=NOTHING_LACKING)
    await chat.press("Đúng rồi")
    assert "hộ của bạn không thuộc diện hộ nghèo hay hộ cận nghèo" in chat.text
    assert "2027-2030" not in chat.text
    assert "pol:for:not_poor" in payloads(chat)
    await app.close()


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("4500000", "4.500.000 đ mỗi tháng"),
        ("4.500.000", "4.500.000 đ mỗi tháng"),
        ("4,5 triệu", "4.500.000 đ mỗi tháng"),
        ("4tr5", "4.500.000 đ mỗi tháng"),
        ("4 triệu rưỡi", "4.500.000 đ mỗi tháng"),
        ("khoảng 4500k", "4.500.000 đ mỗi tháng"),
        ("0", "0 đ mỗi tháng"),  # no income is an answer here, not "back"
    ],
)
async def test_income_in_many_spellings(chat: Chat, typed: str, shown: str) -> None:
    await to_review(chat, income=typed)
    assert f"• Thu nhập cả hộ: {shown}" in chat.text


async def test_members_in_words_and_unusable_numbers(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("nhiều lắm")
    assert "Bạn nhập số người, từ 1 đến 50 nhé." in chat.text and "Ví dụ: 4" in chat.text
    await chat.send("0")  # "0" means back at a question about people
    assert "Hộ của bạn ở phường/xã nào?" in chat.text
    await chat.press("Phan Rang")
    await chat.send("năm người")
    await chat.send("mười triệu")
    assert "Tôi chưa đọc được số tiền này" in chat.text
    await chat.send("45")
    assert "Số tiền này rất nhỏ" in chat.text
    await chat.send("10 triệu")
    for answer in NOTHING_LACKING:
        await chat.send(answer)
    assert "• Số người: 5" in chat.text
    assert "• Thu nhập cả hộ: 10.000.000 đ mỗi tháng" in chat.text


async def test_income_per_year_is_divided_by_twelve(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.press("theo năm")
    assert "Cả hộ có tổng thu nhập khoảng bao nhiêu một năm?" in chat.text
    await chat.send("72 triệu")
    for answer in NOTHING_LACKING:
        await chat.send(answer)
    assert "• Thu nhập cả hộ: 72.000.000 đ một năm" in chat.text
    await chat.press("Đúng rồi")
    assert "Thu nhập bình quân mỗi người mỗi tháng của hộ là 1.500.000 đ" in chat.text


async def test_not_sure_and_the_question_mark(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.send("6 triệu")
    await chat.send("không rõ")  # employment has no "không rõ"
    assert "Câu này cần trả lời Có hoặc Không" in chat.text
    assert chat.text.endswith(chat.replies[-1].text) and "Câu 1/12" in chat.replies[-1].text
    await chat.send("ko")
    await chat.send("?")
    assert "Người phụ thuộc là trẻ em dưới 16 tuổi" in chat.replies[0].text
    assert "Câu 2/12" in chat.replies[-1].text
    await chat.press("Nghĩa là gì")
    assert "Người phụ thuộc là trẻ em dưới 16 tuổi" in chat.text
    await chat.send("k")
    assert "Không rõ" in chat.labels  # nutrition allows it
    await chat.send("khong ro")
    for answer in NOTHING_LACKING[3:]:
        await chat.send(answer)
    assert "• Không rõ: Dinh dưỡng" in chat.text
    await chat.press("Đúng rồi")
    assert "Chưa rõ nên chưa tính: dinh dưỡng. Bạn hãy hỏi thêm cán bộ UBND phường/xã." in (
        chat.text
    )


async def test_back_restores_the_previous_question(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.send("6 triệu")
    await chat.send("có")
    await chat.send("quay lại")
    assert "Câu 1/12" in chat.text
    await chat.press("Quay lại")
    assert "Cả hộ có tổng thu nhập khoảng bao nhiêu mỗi tháng?" in chat.text
    await chat.send("0")  # zero is an income: the answer, not back
    assert "Câu 1/12" in chat.text


async def test_edit_each_part_before_the_result(chat: Chat) -> None:
    await to_review(chat)
    assert "• Nơi ở: phường Phan Rang (thành thị)" in chat.text
    await chat.press("Sửa số người")
    assert "bao nhiêu người" in chat.text
    await chat.send("2")
    assert "• Số người: 2" in chat.text

    await chat.press("Sửa thu nhập")
    await chat.press("Tính theo từng nguồn")
    await chat.press("Tiền lương")
    await chat.send("3 triệu")
    assert "Tổng đến giờ: 3.000.000 đ" in chat.text
    await chat.press("Trồng trọt")
    await chat.send("1,5tr")
    assert "Tổng đến giờ: 4.500.000 đ" in chat.text
    await chat.press("Xong")
    assert "• Thu nhập cả hộ: 4.500.000 đ mỗi tháng" in chat.text

    await chat.press("Sửa câu trả lời")
    assert "1. Việc làm: Có" in chat.labels and "➡️ Trang sau" in chat.labels
    assert len([label for label in chat.labels if label[0].isdigit()]) == 8
    await chat.press("Trang sau")
    assert "12. Phương tiện phục vụ tiếp cận thông tin: Có" in chat.labels
    await chat.press("Trang trước")
    assert "4. Bảo hiểm y tế: Không" in chat.labels
    await chat.press("Bảo hiểm y tế")
    await chat.send("có")
    assert "• Thiếu hụt: Việc làm, Bảo hiểm y tế" in chat.text

    await chat.press("Sửa nơi ở")
    await chat.press("Không biết")
    await chat.press("Nông thôn")
    assert "• Nơi ở: khu vực nông thôn" in chat.text
    await chat.press("Đúng rồi")
    assert "2.250.000 đ" in chat.text  # 4.500.000 đ for 2 people, against the rural line
    assert "hộ có mức sống trung bình" in chat.text
    assert not any("Bạn có muốn gửi" in r.text for r in chat.replies)  # no ward to send to


async def test_a_typed_old_ward_name_is_taken_to_its_new_ward(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.send("xyz")
    assert "Tôi chưa tìm thấy phường/xã này" in chat.text
    await chat.send("my hai")
    assert "phường Mỹ Hải nay thuộc phường Đông Hải (theo đề án sáp nhập, chưa xác nhận)." in chat.text
    assert "bao nhiêu người" in chat.text


async def test_a_ward_with_an_unconfirmed_area_says_so(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.send("thanh hai")  # the former rural commune, now in phường Bảo An
    assert "xã Thành Hải nay thuộc phường Bảo An (theo đề án sáp nhập, chưa xác nhận)." in chat.text
    assert "chưa xác nhận; hãy hỏi UBND phường." in chat.text


async def test_the_dialog_continues_after_a_restart(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    first = await open_app(database_url, clock)
    chat = Chat(first)
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.send("6 triệu")
    await chat.send("có")
    await first.close()

    second = await open_app(database_url, clock)
    chat = Chat(second)
    await chat.send("không")
    assert "Câu 3/12" in chat.text
    await chat.send("quay lại")
    assert "Câu 2/12" in chat.text
    await second.close()


# --- privacy: sharing with consent, seeing and deleting ------------------------------------------


async def test_share_with_consent_then_see_and_delete(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock)
    chat = Chat(app, user="share-user-1", channel="telegram")  # a channel with a contact button
    await to_review(chat)
    await chat.press("Đúng rồi")
    await chat.press("Có, gửi")
    await chat.send("Nguyễn Văn An")
    assert chat.replies[-1].request == "phone"
    await chat.send("12345")
    assert "Số này không giống số di động Việt Nam." in chat.text
    await chat.deliver(Incoming("telegram", chat.user, chat.user, Kind.CONTACT,
                                payload={"phone": "+84 912 345 678"}))
    assert "họ tên Nguyễn Văn An, số điện thoại 0912345678" in chat.text
    assert "/dulieucuatoi" in chat.text and "/xoadulieu" in chat.text
    await chat.press("Đồng ý gửi")
    assert "Đã gửi cho cán bộ phường Phan Rang" in chat.text

    async with app.core.sessions() as session:
        row = (await session.execute(select(SharedAssessment))).scalar_one()
        consent = (await session.execute(select(Consent))).scalar_one()
    assert (row.name, row.phone, row.ward, row.category) == (
        "Nguyễn Văn An", "0912345678", "phường Phan Rang", "near_poor"
    )
    assert (row.members, row.area, row.monthly_income, row.deprived) == (
        4, "urban", 6_000_000, ["employment"]
    )
    assert consent.purpose == "share_with_officers"

    await chat.send("/dulieucuatoi")
    shown = "Kết quả tự đánh giá gửi phường Phan Rang lúc 09:00 27/11/2026: hộ cận nghèo"
    assert shown in chat.text
    assert "0912345678" in chat.text
    await chat.send("/xoadulieu")
    await chat.press("Có, xóa hết")
    assert "kết quả tự đánh giá đã gửi: 1" in chat.text
    assert await count(app, SharedAssessment) == 0
    assert await count(app, Consent) == 0
    assert await count(app, AssessmentTally) == 1  # the anonymous count stays
    await app.close()


async def test_declining_consent_keeps_nothing_personal(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await to_review(chat)
    await chat.press("Đúng rồi")
    await chat.send("có")
    await chat.send("Trần Thị Bình")
    await chat.send("0987 654 321")
    await chat.press("Không gửi")
    assert "Chưa gửi gì" in chat.text
    assert await count(app, SharedAssessment) == 0
    assert await count(app, Consent) == 0


# --- re-assessment when the standard in force changes --------------------------------------------


class Outbox:
    """An outbound channel that records what it delivers (or fails, while `down`)."""

    channel = "web"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.down = False

    async def send(self, chat_id: str, reply: Reply) -> None:
        if self.down:
            raise DeliveryError("temporarily unavailable")
        self.sent.append((chat_id, reply))


async def _share(app, clock: Clock, who: str, income: int, deprived: set[str]) -> None:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session, session.begin():
        user, _ = await users.get_or_create_user(session, "web", who, f"chat-{who}", "citizen",
                                                 clock())
        await session.flush()
        home = Household(Area.URBAN, 4, income, frozenset(deprived))
        result_category = {"avg": "average", "poor": "poor", "rich": "not_poor"}[who]
        await repo.save_shared(
            session, user, ward="phường Phan Rang", name=who, phone="0912345678",
            household=home, standard_id="2022-2025", category=result_category, now=clock(),
        )


async def _run(app, outbox: Outbox, on: date, clock: Clock) -> repo.ReassessReport:  # type: ignore[no-untyped-def]
    """Re-assess, then let the delivery worker send what was queued through `outbox`."""
    report = await repo.reassess(app.core.sessions, app.core.services.content["standards"],
                                 on, app.catalogs, now=clock())
    app.core.services.outbound["web"] = outbox
    await Delivery(app.core).run_once()
    return report


async def test_reassessment_across_the_changeover_tells_only_changed_households_once(  # type: ignore[no-untyped-def]
    database_url, clock
) -> None:
    app = await open_app(database_url, clock)
    # 2.250.000 đ per person: average (2022-2025 urban line 2.000.000) → near-poor (2.800.000).
    await _share(app, clock, "avg", 9_000_000, set())
    # 1.500.000 đ, 3 lacking incl. information assets, which 2027-2030 no longer lists:
    # poor → near-poor.
    await _share(app, clock, "poor", 6_000_000, {"employment", "health_insurance",
                                                 "information_assets"})
    await _share(app, clock, "rich", 20_000_000, set())  # not poor under both
    outbox = Outbox()

    clock.now = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 23:00 on 31/12/2026 in Vietnam
    assert await _run(app, outbox, date(2026, 12, 31), clock) == repo.ReassessReport(0, 0, 0, 0)
    assert outbox.sent == []

    clock.now = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1/1/2027
    report = await _run(app, outbox, date(2027, 1, 1), clock)
    assert report == repo.ReassessReport(checked=3, changed=2, notified=2, failed=0)
    messages = {chat_id: reply.text for chat_id, reply in outbox.sent}
    assert set(messages) == {"chat-avg", "chat-poor"}
    avg = messages["chat-avg"]
    assert "Từ ngày 01/01/2027 áp dụng chuẩn nghèo giai đoạn 2027-2030" in avg
    assert "Trước đây: hộ có mức sống trung bình. Nay: hộ cận nghèo." in avg
    assert "Chuẩn thu nhập đổi từ 2.000.000 đ thành 2.800.000 đ" in avg
    assert "2.250.000 đ" in avg
    assert "Trước đây: hộ nghèo. Nay: hộ cận nghèo." in messages["chat-poor"]
    assert "Số chỉ số thiếu hụt được tính: trước 3, nay 2" in messages["chat-poor"]

    async with app.core.sessions() as session:
        rows = {r.name: r for r in (await session.execute(select(SharedAssessment))).scalars()}
    assert (rows["avg"].previous_category, rows["avg"].category) == ("average", "near_poor")
    assert rows["avg"].reassessed_at == clock() and rows["avg"].notified_at == clock()
    assert (rows["rich"].previous_category, rows["rich"].category) == ("not_poor", "not_poor")
    assert rows["rich"].notified_at is None
    assert all(r.standard_id == "2027-2030" for r in rows.values())

    assert await _run(app, outbox, date(2027, 1, 2), clock) == repo.ReassessReport(0, 0, 0, 0)
    assert len(outbox.sent) == 2
    await app.close()


async def test_an_undelivered_notice_is_retried_until_delivered_once(app, clock) -> None:  # type: ignore[no-untyped-def]
    await _share(app, clock, "avg", 9_000_000, set())
    outbox = Outbox()
    outbox.down = True
    report = await _run(app, outbox, date(2027, 1, 1), clock)
    assert report == repo.ReassessReport(checked=1, changed=1, notified=1, failed=0)
    assert outbox.sent == []
    outbox.down = False
    clock.advance(minutes=5)
    assert await _run(app, outbox, date(2027, 1, 2), clock) == repo.ReassessReport()
    assert len(outbox.sent) == 1  # the queued notice, retried by the delivery worker
    clock.advance(minutes=5)
    assert await _run(app, outbox, date(2027, 1, 3), clock) == repo.ReassessReport()
    assert len(outbox.sent) == 1


async def test_a_replaced_ward_list_is_paginated(sqlite_url, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    packaged = Path(__file__).resolve().parents[2] / "domain" / "data" / "wards.yaml"
    raw = yaml.safe_load(packaged.read_text(encoding="utf-8"))
    current = next(unit_list for unit_list in raw["lists"] if unit_list["current"])
    current["units"] += [
        {"name": f"Thử {i}", "kind": "xã", "area": "rural", "confirmed": False,
         "sources": ["test"]}
        for i in range(1, 7)
    ]
    (tmp_path / "wards.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    app = await open_app(sqlite_url, clock, data_dir=tmp_path)
    chat = Chat(app)
    await chat.send("/tudanhgia")
    assert [label for label in chat.labels if label.startswith(("Phường", "Xã"))][-1] == "Xã Thử 3"
    await chat.press("Trang sau")
    assert "Xã Thử 6" in chat.labels and "Phường Phan Rang" not in chat.labels
    await chat.press("Thử 6")
    await chat.send("2")
    await chat.send("2 triệu")
    for answer in NOTHING_LACKING:
        await chat.send(answer)
    assert "• Nơi ở: xã Thử 6 (nông thôn)" in chat.text
    await app.close()


async def test_the_scheduled_daily_job_reaches_the_web_chat_inbox(app, clock) -> None:  # type: ignore[no-untyped-def]
    from handlers.assessment import reassess_daily

    await _share(app, clock, "avg", 9_000_000, set())
    assert "reassess-shared-results" in app.core.registry.jobs
    clock.now = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # 06:00 on 1/1/2027 in Vietnam
    await reassess_daily(app.core)
    await Delivery(app.core).run_once()
    [notice] = await app.web_channel.take("chat-avg")
    assert "Trước đây: hộ có mức sống trung bình. Nay: hộ cận nghèo." in notice.text
    await reassess_daily(app.core)
    await Delivery(app.core).run_once()
    assert await app.web_channel.take("chat-avg") == []  # told once


async def test_confirming_again_after_going_back_is_counted_once(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await to_review(chat)
    await chat.press("Đúng rồi")
    await chat.press("Quay lại")  # from the share question back to the review
    assert "Bạn xem lại câu trả lời nhé" in chat.text
    await chat.press("Đúng rồi")
    await chat.press("Không, cảm ơn")
    async with app.core.sessions() as session:
        tally = (await session.execute(select(AssessmentTally))).scalar_one()
    assert tally.count == 1
    await to_review(chat)  # a new run is a new household's answer: counted
    await chat.press("Đúng rồi")
    async with app.core.sessions() as session:
        tally = (await session.execute(select(AssessmentTally))).scalar_one()
    assert tally.count == 2
