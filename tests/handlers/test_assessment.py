"""The household self-assessment as a household lives it: the questions, numbers typed many ways,
"không rõ" and "?", going back, editing before the result, a restart in the middle; then
privacy (anonymous by default; sharing only with consent, seen and deleted through the personal
data commands) and the re-assessment when the standard changes on 1/1/2027."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from bot.delivery import Delivery
from db import assessments as repo
from db import users
from db.models import AssessmentTally, Consent, DialogState, SharedAssessment
from domain.messages import DeliveryError, Incoming, Kind, Reply
from domain.poverty import Area, Household
from handlers.reassessment import ReassessReport, reassess
from tests.support import Chat, Clock, open_app

# 12 answers to the 2022-2025 questions, in the data file's order: employment, dependents
# (a count), nutrition, health_insurance, adult_education, child_schooling, housing_quality,
# housing_area (the floor area in m²), water, sanitation, telecom, information_assets. Every
# yes/no question is asked so that "không" means no difficulty (issue 13).
NOTHING_LACKING = ["không", "0", "không", "không", "không", "không", "không", "40", "không",
                   "không", "không", "không"]
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


async def start(chat: Chat, *, members: str = "4", income: str = "6 triệu") -> None:
    """/tudanhgia in phường Phan Rang, up to the first indicator question."""
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send(members)
    await chat.send(income)


async def to_result(chat: Chat, *, members: str = "4", income: str = "6 triệu",
                    answers: list[str] = ONE_LACKING) -> None:
    await start(chat, members=members, income=income)
    for answer in answers:
        await chat.send(answer)
    assert "Hộ của bạn" in chat.replies[0].text, chat.text


async def to_review(chat: Chat, **kwargs) -> None:  # type: ignore[no-untyped-def]
    await to_result(chat, **kwargs)
    await chat.press("Sửa câu trả lời")
    assert "Bạn xem lại câu trả lời nhé" in chat.text, chat.text


def payloads(chat: Chat) -> list[str]:
    return [c.payload for r in chat.replies for c in r.choices]


# --- the dialog ----------------------------------------------------------------------------------


async def test_a_typical_household_gets_its_result_in_at_most_16_messages(app) -> None:  # type: ignore[no-untyped-def]
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
    assert chat.sent <= 16
    # (the stepper may put the share question in the same message as the 2027 view)
    verdict, why, todo, *after = chat.replies
    preview = share = Reply("\n".join(r.text for r in after))
    # The verdict first, in one plain sentence; why second; what to do and whom to contact third.
    assert verdict.text.splitlines()[0] == "Hộ của bạn có thể thuộc diện hộ cận nghèo."
    assert "chuẩn nghèo đang áp dụng năm 2026 (chuẩn giai đoạn 2022-2025, kéo dài đến hết 2026 " \
        "theo Nghị định 351/2025/NĐ-CP)" in verdict.text
    assert "chỉ để tham khảo" in verdict.text
    assert "1.500.000 đ, bằng hoặc thấp hơn chuẩn 2.000.000 đ" in why.text
    assert "Hộ đang thiếu hụt 1 trong 12 chỉ số: Việc làm." in why.text
    assert "Hộ sẽ thuộc diện hộ nghèo nếu thiếu hụt thêm 2 chỉ số." in why.text
    assert "UBND phường/xã sẽ xét và công nhận" in todo.text
    assert "Nơi liên hệ: UBND phường Phan Rang." in todo.text
    assert "Hỗ trợ hộ bạn có thể được nhận:" in todo.text
    assert [c.payload for c in todo.choices] == ["pol:for:near_poor"]
    assert todo.choices[0].label == "🎁 Tôi được hỗ trợ gì?"
    # 27/11/2026 is near the changeover: the 2027 view comes after the result, then sharing.
    assert "Chuẩn nghèo mới (Nghị định 351/2025/NĐ-CP) áp dụng từ ngày 01/01/2027" in preview.text
    assert "chỉ để tham khảo" in preview.text
    assert "Bạn có muốn gửi kết quả này cho cán bộ phường Phan Rang" in share.text
    assert share.text.index("Chuẩn nghèo mới") < share.text.index("Bạn có muốn gửi")
    assert all(len(r.text) <= 400 for r in (verdict, why, todo))

    await chat.press("Không, cảm ơn")
    assert "tôi không lưu gì về bạn" in chat.text
    await chat.deliver(Incoming("web", chat.user, chat.user, Kind.CHOICE,
                                choice=todo.choices[0].payload))  # the result's button
    assert "Hộ cận nghèo:" in chat.text  # the policies for the household's category
    assert await count(app, AssessmentTally) == 1
    assert await count(app, SharedAssessment) == 0
    async with app.core.sessions() as session:
        tally = (await session.execute(select(AssessmentTally))).scalar_one()
        state = (await session.execute(select(DialogState))).scalar_one()
    assert (tally.ward, tally.day, tally.standard_id, tally.category, tally.count) == (
        "phường Phan Rang", date(2026, 11, 27), "2022-2025", "near_poor", 1
    )
    assert state.data == {} and state.dialog is None  # the answers are gone


async def test_no_to_every_question_is_no_deprivation(chat: Chat) -> None:
    await to_result(chat, income="20 triệu", answers=NOTHING_LACKING)
    assert "Hộ không thiếu chỉ số nào trong 12 chỉ số dịch vụ xã hội cơ bản." in chat.text
    assert all(len(r.text) <= 440 for r in chat.replies[:3])
    await chat.press("Sửa câu trả lời")
    assert "• Thiếu hụt: không có" in chat.text


async def test_typed_no_means_no_difficulty_on_every_question(chat: Chat) -> None:
    """"không", "ko" and "k" keep one meaning: the household is counted as lacking nothing."""
    for no in ("không", "ko", "k"):
        answers = [no if a == "không" else a for a in NOTHING_LACKING]
        await to_result(chat, income="2 triệu", answers=answers)
        assert "Hộ không thiếu chỉ số nào" in chat.text, no
        assert "hộ cận nghèo" in chat.replies[0].text  # 500.000 đ each, nothing lacking
        await chat.press("Không, cảm ơn")


async def test_the_yes_button_restates_a_lack(chat: Chat) -> None:
    await start(chat)
    for answer in NOTHING_LACKING[:8]:
        await chat.send(answer)
    assert "Câu 9/12: Nhà bạn có thiếu nước sạch để ăn uống không?" in chat.text
    assert chat.labels[:2] == ["Có, nhà tôi thiếu nước sạch", "Không"]
    await chat.press("Không")  # the exact label, not the "Có, …" one that contains it
    await chat.send("không")
    assert chat.labels[:2] == ["Có, không ai dùng", "Không"]
    await chat.press("Không")
    await chat.press("Có, không có thứ nào")
    assert "Hộ đang thiếu hụt 1 trong 12 chỉ số: Phương tiện phục vụ tiếp cận thông tin." in (
        chat.text)


async def test_yes_to_every_question_is_every_deprivation(chat: Chat) -> None:
    answers = ["có", "4", "có", "có", "có", "có", "có", "20", "có", "có", "có", "có"]
    await to_result(chat, income="2 triệu", answers=answers)
    assert "Hộ đang thiếu hụt 12 trong 12 chỉ số" in chat.text
    assert chat.replies[0].text.startswith("Hộ của bạn có thể thuộc diện hộ nghèo.")


async def test_far_from_the_changeover_only_the_standard_in_force_is_shown(sqlite_url) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, Clock(datetime(2026, 6, 1, 3, 0, tzinfo=UTC)))
    chat = Chat(app)
    await to_result(chat, income="20 triệu", answers=NOTHING_LACKING)
    assert "Hộ của bạn không thuộc diện hộ nghèo hay hộ cận nghèo." in chat.text
    assert "2027" not in chat.text
    assert "pol:for:not_poor" in payloads(chat)
    assert len(chat.replies) == 4  # three for the result, then the share question
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
        ("sáu triệu", "6.000.000 đ mỗi tháng"),
        ("6tr5", "6.500.000 đ mỗi tháng"),
        ("6 trăm nghìn", "600.000 đ mỗi tháng"),
        ("600k", "600.000 đ mỗi tháng"),
        ("0", "0 đ mỗi tháng"),  # no income is an answer here, not "back"
    ],
)
async def test_income_in_many_spellings(chat: Chat, typed: str, shown: str) -> None:
    await to_review(chat, income=typed)
    assert f"• Thu nhập cả hộ: {shown}" in chat.text


async def test_an_implausible_amount_is_confirmed(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.send("6000")
    assert "Bạn muốn nhập 6.000 đ hay 6.000.000 đ?" in chat.text
    assert chat.labels[:2] == ["6.000 đ", "6.000.000 đ"]
    await chat.press("6.000.000 đ")
    assert "Câu 1/12" in chat.text
    for answer in ONE_LACKING:
        await chat.send(answer)
    await chat.press("Sửa câu trả lời")
    assert "• Thu nhập cả hộ: 6.000.000 đ mỗi tháng" in chat.text
    await chat.press("Sửa thu nhập")
    await chat.send("6")
    assert "Bạn muốn nhập 6 đ hay 6.000.000 đ?" in chat.text
    await chat.press("6 đ")  # the household's own answer stands
    assert "• Thu nhập cả hộ: 6 đ mỗi tháng" in chat.text
    await chat.press("Sửa thu nhập")
    await chat.send("450")
    assert "Bạn muốn nhập 450 đ hay 450.000 đ?" in chat.text
    await chat.send("2")  # the button's number
    assert "• Thu nhập cả hộ: 450.000 đ mỗi tháng" in chat.text


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
    assert "Câu 1/12" in chat.text  # money in words is read
    await chat.send("quay lại")
    await chat.send("mười triệu gì đó")
    assert "Tôi chưa đọc được số tiền này" in chat.text
    await chat.send("10 triệu")
    for answer in NOTHING_LACKING:
        await chat.send(answer)
    await chat.press("Sửa câu trả lời")
    assert "• Số người: 5" in chat.text
    assert "• Thu nhập cả hộ: 10.000.000 đ mỗi tháng" in chat.text


async def test_income_question_says_what_counts(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    assert "12 tháng qua" in chat.text and "Không tính trợ cấp xã hội của Nhà nước" in chat.text
    await chat.press("Nghĩa là gì")
    assert "Không tính tiền trợ cấp xã hội của Nhà nước." in chat.text
    assert "chưa nói rõ" in chat.text  # what no source settles is said to be unsettled
    await chat.press("Tính theo từng nguồn")
    assert "Không tính trợ cấp xã hội của Nhà nước." in chat.text
    assert not any("trợ cấp" in label for label in chat.labels)  # no excluded source offered


async def test_income_per_year_is_divided_by_twelve(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.press("theo năm")
    assert "Trong 12 tháng qua, cả hộ thu nhập được bao nhiêu?" in chat.text
    await chat.send("72 triệu")
    for answer in NOTHING_LACKING:
        await chat.send(answer)
    assert "Thu nhập bình quân mỗi người mỗi tháng của hộ là 1.500.000 đ" in chat.text
    await chat.press("Sửa câu trả lời")
    assert "• Thu nhập cả hộ: 72.000.000 đ một năm" in chat.text


async def test_a_yearly_income_one_dong_over_is_above_the_line(chat: Chat) -> None:
    # 1 person, 24.000.001 đ a year = 2.000.000,08 đ a month: above the urban line of
    # 2.000.000 đ, so not near-poor (it was, when a month's income was rounded down first).
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("1")
    await chat.press("theo năm")
    await chat.send("24000001")
    for answer in NOTHING_LACKING:
        await chat.send(answer)
    assert chat.replies[0].text.startswith(
        "Hộ của bạn có thể thuộc diện hộ có mức sống trung bình.")
    assert "là 2.000.001 đ, cao hơn 1 đ so với chuẩn 2.000.000 đ" in chat.text


async def test_the_count_and_floor_area_questions_need_no_arithmetic(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.send("2 triệu")
    await chat.send("không")
    assert "Câu 2/12: Nhà có mấy người phụ thuộc" in chat.text
    assert "%" not in chat.text
    await chat.send("5")
    assert "Bạn nhập số người, từ 0 đến 4" in chat.text
    await chat.send("3")  # 3 of 4 is more than half: lacking
    for answer in ["không"] * 5:
        await chat.send(answer)
    assert "Câu 8/12: Nhà bạn rộng khoảng bao nhiêu mét vuông" in chat.text
    assert "mỗi người" not in chat.replies[-1].text
    await chat.send("không")
    assert "Bạn nhập diện tích nhà bằng mét vuông" in chat.text
    await chat.send("5 x 6")  # 30 m² for 4 people: 7,5 m² each, below 8
    for answer in ["không"] * 4:
        await chat.send(answer)
    assert "Hộ đang thiếu hụt 2 trong 12 chỉ số: Người phụ thuộc trong hộ gia đình, Diện tích " \
        "nhà ở bình quân đầu người." in chat.text
    await chat.press("Sửa câu trả lời")
    assert "• Người phụ thuộc: 3" in chat.text and "• Diện tích nhà: 30 m²" in chat.text
    await chat.press("Sửa số người")
    await chat.send("8")  # 3 of 8 is not more than half; 30 m² is 3,75 m² each
    assert "• Thiếu hụt: Diện tích nhà ở bình quân đầu người" in chat.text
    await chat.press("Sửa số người")
    await chat.send("2")  # fewer people than dependants: the count is asked again
    assert "Câu 2/12" in chat.text
    await chat.send("1")
    assert "• Người phụ thuộc: 1" in chat.text


async def test_not_sure_and_the_question_mark(chat: Chat) -> None:
    await start(chat)
    await chat.send("không rõ")  # employment has no "không rõ"
    assert "Câu này cần trả lời Có hoặc Không" in chat.text
    assert chat.text.endswith(chat.replies[-1].text) and "Câu 1/12" in chat.replies[-1].text
    await chat.send("ko")
    await chat.send("?")
    assert "Người phụ thuộc là trẻ em dưới 16 tuổi" in chat.replies[0].text
    assert "Câu 2/12" in chat.replies[-1].text
    await chat.press("Nghĩa là gì")
    assert "Người phụ thuộc là trẻ em dưới 16 tuổi" in chat.text
    await chat.send("không rõ")  # a count cannot be "not sure" here
    assert "Câu này cần một con số" in chat.text
    await chat.send("không")  # none
    assert "Không rõ" in chat.labels  # nutrition allows it
    await chat.send("khong ro")
    for answer in NOTHING_LACKING[3:]:
        await chat.send(answer)
    assert "Chưa rõ nên chưa tính: dinh dưỡng. Bạn hãy hỏi thêm cán bộ UBND phường/xã." in (
        chat.text
    )
    await chat.press("Sửa câu trả lời")
    assert "• Không rõ: Dinh dưỡng" in chat.text


async def test_every_question_is_short_and_has_its_detail_behind_the_button(chat: Chat) -> None:
    await start(chat)
    for answer in NOTHING_LACKING:
        question = chat.replies[-1].text.split(":", 1)[1]
        question = question.split("Nhập một con số")[0]
        assert len(question.split()) <= 21, question
        assert "❓ Nghĩa là gì?" in chat.labels
        await chat.send(answer)


async def test_the_child_schooling_question_says_what_behind_means(chat: Chat) -> None:
    await start(chat)
    for answer in NOTHING_LACKING[:5]:
        await chat.send(answer)
    assert "Câu 6/12" in chat.text and "học chậm" not in chat.text
    assert "đang học cấp thấp hơn so với tuổi" in chat.text
    await chat.press("Nghĩa là gì")
    assert "trẻ 13 tuổi mà vẫn học tiểu học thì chọn Có" in chat.text


async def test_an_average_band_household_is_invited_to_the_review_only_if_it_farms(
    chat: Chat,
) -> None:
    await to_result(chat, members="4", income="10 triệu", answers=NOTHING_LACKING)
    assert "hộ có mức sống trung bình" in chat.replies[0].text
    assert "Nếu hộ bạn làm nông, lâm, ngư hoặc diêm nghiệp" in chat.text
    assert "Hộ khác không được rà soát theo nhóm này" in chat.text
    assert "📝 Cách đề nghị rà soát" not in chat.labels  # Mẫu số 01 is for poor / near-poor


async def test_back_restores_the_previous_question(chat: Chat) -> None:
    await start(chat)
    await chat.send("có")
    await chat.send("quay lại")
    assert "Câu 1/12" in chat.text
    await chat.press("Quay lại")
    assert "Tính trung bình 12 tháng qua, cả hộ thu nhập mỗi tháng bao nhiêu?" in chat.text
    await chat.send("0")  # zero is an income: the answer, not back
    assert "Câu 1/12" in chat.text


async def test_edit_each_part_after_the_result(chat: Chat) -> None:
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
    assert "2. Người phụ thuộc trong hộ gia đình: 0" in chat.labels
    assert len([label for label in chat.labels if label[0].isdigit()]) == 8
    await chat.press("Trang sau")
    assert "12. Phương tiện phục vụ tiếp cận thông tin: Không" in chat.labels
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
    await chat.press("Không, cảm ơn")
    assert "tôi không lưu gì về bạn" in chat.text.lower() or "Không lưu" in chat.text


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
    await start(chat)
    await chat.send("có")
    await first.close()

    second = await open_app(database_url, clock)
    chat = Chat(second)
    await chat.send("0")
    assert "Câu 3/12" in chat.text
    await chat.send("quay lại")
    assert "Câu 2/12" in chat.text
    await second.close()


async def test_a_dialog_answered_before_the_questions_turned_keeps_its_meaning(app) -> None:  # type: ignore[no-untyped-def]
    """Answers stored before issue 13 ("no" to "do you have clean water?") still mean lacking."""
    from conversations.assessment_result import household

    class Services:
        content = app.core.services.content

    class FakeCtx:
        services = Services()

    old = {"standard": "2022-2025", "area": "urban", "members": 4, "income": 6_000_000,
           "answers": {"water": "no", "telecom": "yes", "employment": "yes"}}
    new = {**old, "qv": 2, "answers": {"water": "no", "telecom": "yes", "employment": "yes"}}
    ctx: Any = FakeCtx()
    assert household(ctx, old).deprived == {"water", "employment"}
    assert household(ctx, new).deprived == {"telecom", "employment"}


# --- privacy: sharing with consent, seeing and deleting ------------------------------------------


async def test_share_with_consent_then_see_and_delete(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock)
    chat = Chat(app, user="share-user-1", channel="telegram")  # a channel with a contact button
    await to_result(chat)
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


async def test_a_shared_result_reaches_the_ward_officer_in_the_queue(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.handlers.test_officers import ADMIN, _join

    app = await open_app(sqlite_url, clock, admin_ids=ADMIN)
    officer = await _join(app, Chat(app, user="admin"), "officer-pr", "Phan Rang")
    chat = Chat(app, user="household-pr")
    # 3 dependants of 4 and 30 m² for 4: two lacking found by the bot's arithmetic
    await to_result(chat, income="4 triệu", answers=["không", "3", *NOTHING_LACKING[2:7], "30",
                                                     *NOTHING_LACKING[8:]])
    await chat.press("Có, gửi")
    await chat.send("Lê Thị Hoa")
    await chat.send("0912345678")
    await chat.press("Đồng ý gửi")
    await officer.send("/hangdoi")
    assert "Lê Thị Hoa · 0912345678 · 4 người — hộ cận nghèo" in officer.text
    async with app.core.sessions() as session:
        row = (await session.execute(select(SharedAssessment))).scalar_one()
    assert row.deprived == ["dependents", "housing_area"]  # the answers, as the bot read them
    await app.close()


async def test_a_yearly_income_is_shared_in_whole_dong(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await chat.send("/tudanhgia")
    await chat.press("Phan Rang")
    await chat.send("4")
    await chat.press("theo năm")
    await chat.send("72000005")  # 6.000.000,41… đ a month
    for answer in ONE_LACKING:
        await chat.send(answer)
    await chat.press("Có, gửi")
    await chat.send("Trần Văn Bảy")
    await chat.send("0912345678")
    await chat.press("Đồng ý gửi")
    async with app.core.sessions() as session:
        row = (await session.execute(select(SharedAssessment))).scalar_one()
    assert (row.monthly_income, row.category) == (6_000_000, "near_poor")


async def test_declining_consent_keeps_nothing_personal(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await to_result(chat)
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


async def _run(app, outbox: Outbox, on: date, clock: Clock) -> ReassessReport:  # type: ignore[no-untyped-def]
    """Re-assess, then let the delivery worker send what was queued through `outbox`."""
    report = await reassess(app.core.sessions, app.core.services.content["standards"],
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
    assert await _run(app, outbox, date(2026, 12, 31), clock) == ReassessReport(0, 0, 0, 0)
    assert outbox.sent == []

    clock.now = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1/1/2027
    report = await _run(app, outbox, date(2027, 1, 1), clock)
    assert report == ReassessReport(checked=3, changed=2, notified=2, failed=0)
    messages = {chat_id: reply.text for chat_id, reply in outbox.sent}
    assert set(messages) == {"chat-avg", "chat-poor"}
    avg = messages["chat-avg"]
    assert "Từ ngày 01/01/2027 áp dụng chuẩn nghèo mới (Nghị định 351/2025/NĐ-CP)." in avg
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

    assert await _run(app, outbox, date(2027, 1, 2), clock) == ReassessReport(0, 0, 0, 0)
    assert len(outbox.sent) == 2
    await app.close()


async def test_an_undelivered_notice_is_retried_until_delivered_once(app, clock) -> None:  # type: ignore[no-untyped-def]
    await _share(app, clock, "avg", 9_000_000, set())
    outbox = Outbox()
    outbox.down = True
    report = await _run(app, outbox, date(2027, 1, 1), clock)
    assert report == ReassessReport(checked=1, changed=1, notified=1, failed=0)
    assert outbox.sent == []
    outbox.down = False
    clock.advance(minutes=5)
    assert await _run(app, outbox, date(2027, 1, 2), clock) == ReassessReport()
    assert len(outbox.sent) == 1  # the queued notice, retried by the delivery worker
    clock.advance(minutes=5)
    assert await _run(app, outbox, date(2027, 1, 3), clock) == ReassessReport()
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
    await chat.press("Sửa câu trả lời")
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
    await to_result(chat)
    await chat.press("Quay lại")  # from the share question back to the last question
    assert "Câu 12/12" in chat.text
    await chat.send("không")
    await chat.press("Sửa câu trả lời")
    await chat.press("Đúng rồi")
    await chat.press("Không, cảm ơn")
    async with app.core.sessions() as session:
        tally = (await session.execute(select(AssessmentTally))).scalar_one()
    assert tally.count == 1
    await to_result(chat)  # a new run is a new household's answer: counted
    async with app.core.sessions() as session:
        tally = (await session.execute(select(AssessmentTally))).scalar_one()
    assert tally.count == 2
