"""Where the bot sends a household, and how it says an old ward name: from wards.yaml, with the
confidence the data gives, never an abolished office."""

from __future__ import annotations

from importlib import resources
from types import SimpleNamespace

import pytest
import yaml

from bot.i18n import load_catalogs
from conversations import answers
from domain.localities import find_unit, load_localities
from tests.support import Chat


class _Ctx:
    """Just what the answer readers use: the packaged wards and the Vietnamese catalog (no app
    is built for these table tests)."""

    def __init__(self) -> None:
        raw = yaml.safe_load((resources.files("domain") / "data" / "wards.yaml").read_text("utf-8"))
        self.localities = load_localities(raw, "wards.yaml")
        self.services = SimpleNamespace(content={"localities": self.localities})
        self.translator = load_catalogs(("vi",))["vi"]

    def _(self, message: str, **values: object) -> str:
        text = self.translator.gettext(message)
        return text.format(**values) if values else text


@pytest.fixture(scope="module")
def ctx() -> _Ctx:
    return _Ctx()


@pytest.mark.parametrize(
    ("ward", "expected"),
    [
        ("Phan Rang", "UBND phường Phan Rang (địa chỉ, số điện thoại: hỏi UBND phường/xã)"),
        ("phường Bảo An", "UBND phường Bảo An (địa chỉ, số điện thoại: hỏi UBND phường/xã)"),
        (None, "UBND phường/xã nơi bạn ở (địa chỉ, số điện thoại: hỏi UBND phường/xã)"),
    ],
)
def test_the_office_a_household_is_sent_to(ctx: _Ctx, ward: str | None, expected: str) -> None:
    text = answers.office_text(ctx, ward)  # type: ignore[arg-type]
    assert text == expected
    assert "LĐ-TB&XH" not in text and "huyện" not in text


UNCONFIRMED = " (theo đề án sáp nhập, chưa xác nhận)."


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("Tấn Tài", "phường Tấn Tài nay thuộc phường Phan Rang" + UNCONFIRMED),
        ("Khánh Hải", "thị trấn Khánh Hải nay thuộc phường Ninh Chử" + UNCONFIRMED),
        ("Nhơn Sơn", "xã Nhơn Sơn nay thuộc phường Đô Vinh" + UNCONFIRMED),
        ("Phan Rang", None),  # a current ward needs no note
    ],
)
def test_old_names_are_said_with_their_confidence(ctx: _Ctx, typed: str,
                                                  note: str | None) -> None:
    match = find_unit(ctx.localities, typed)
    assert answers.ward_mapping_note(ctx, match) == note  # type: ignore[arg-type]


# as in test_assessment: employment lacking only (Câu 2 and Câu 8 ask a count and an area)
ONE_LACKING = ["có", "0", *["không"] * 5, "40", *["không"] * 4]


async def test_a_ward_holding_a_former_commune_asks_before_choosing_the_line(chat: Chat) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Bảo An")
    assert "Nơi bạn ở trước đây là xã phải không (xã Thành Hải)?" in chat.text
    await chat.press("Đúng, trước là xã Thành Hải")
    assert "Gồm cả xã Thành Hải cũ" in chat.text  # the data's caveat comes with the answer
    for answer in ("4", "6 triệu", *ONE_LACKING):
        await chat.send(answer)
    await chat.press("Sửa câu trả lời")  # the review, after the result
    assert "• Nơi ở: phường Bảo An (nông thôn)" in chat.text


async def test_saying_no_keeps_the_wards_line_and_typing_the_old_xa_needs_no_question(
    chat: Chat,
) -> None:
    await chat.send("/tudanhgia")
    await chat.press("Đô Vinh")
    await chat.press("Không")
    for answer in ("4", "6 triệu", *ONE_LACKING):
        await chat.send(answer)
    await chat.press("Sửa câu trả lời")  # the review, after the result
    assert "• Nơi ở: phường Đô Vinh (thành thị)" in chat.text

    await chat.send("/huy")
    await chat.send("/tudanhgia")
    await chat.send("Nhơn Sơn")
    assert "xã Nhơn Sơn nay thuộc phường Đô Vinh" + UNCONFIRMED in chat.text
    assert "trước đây là xã" not in chat.text
    for answer in ("4", "6 triệu", *ONE_LACKING):
        await chat.send(answer)
    await chat.press("Sửa câu trả lời")  # the review, after the result
    assert "• Nơi ở: phường Đô Vinh (nông thôn)" in chat.text
