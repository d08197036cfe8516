"""Number-like text that is not ASCII digits ("¹²³", "١٢٣", "２") at a question that takes a
number and also lists buttons: never a crash (int("¹²³") raises, though "¹²³".isdigit()); the
person gets a question with buttons to go on from (the income reader reads "２" as 2 and asks
"2 đ or 2,000,000 đ?"), and the first button by its number still works after it."""

from __future__ import annotations

import pytest

from tests.support import Chat, open_app


@pytest.mark.parametrize("typed", ["¹²³", "²", "١٢٣", "２"])
async def test_number_like_text_at_a_numeric_question_with_buttons(sqlite_url, clock, typed) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock)
    chat = Chat(app)
    try:
        await chat.send("/tudanhgia")
        await chat.send("1")  # a ward
        await chat.send("3")  # people: now the income question, which also lists buttons
        assert len(chat.labels) >= 3
        await chat.send(typed)
        assert "trục trặc" not in chat.text and "wrong" not in chat.text.lower()
        assert len(chat.labels) >= 3  # a question with its buttons, not a dead end
        await chat.send("1")  # the first button by its number, as before
        assert "trục trặc" not in chat.text
    finally:
        await app.close()


async def test_superscript_digits_at_the_household_phone_question(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    """The phone question takes a number and lists "No phone": "¹²³" once raised ValueError
    (int() of it) and the officer got "something went wrong"."""
    app = await open_app(sqlite_url, clock, admin_ids="web:admin")
    admin = Chat(app, user="admin")
    try:
        await admin.send("/themho")
        await admin.press("Phan Rang")
        for answer in ("HGD900", "Nguyễn Văn An", "12 Lê Lợi, khu phố 3"):
            await admin.send(answer)
        assert "Không có số" in chat_labels(admin)
        await admin.send("¹²³")
        assert "trục trặc" not in admin.text
        assert "Không có số" in chat_labels(admin)  # asked again, with its button
        await admin.send("0912345678")
        assert "Nhập số người" in admin.text or "bao nhiêu người" in admin.text
    finally:
        await app.close()


def chat_labels(chat: Chat) -> str:
    return " | ".join(chat.labels)
