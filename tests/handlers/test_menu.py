"""The main menu: only what exists for the person's role, a page of at most 8 at a time."""

from __future__ import annotations

from sqlalchemy import update

from db.models import User
from tests.support import Chat


async def test_a_household_sees_no_officer_buttons(chat: Chat) -> None:
    await chat.send("/menu")
    assert "📋 Tự đánh giá hộ nghèo" in chat.labels
    assert not any("Ghi" in label and "thăm" in label for label in chat.labels)
    assert len(chat.labels) <= 8


async def test_an_officers_longer_menu_comes_in_pages(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await chat.send("/start")
    async with app.core.sessions() as session, session.begin():
        await session.execute(update(User).values(role="officer"))
    await chat.send("/menu")
    first = [label for label in chat.labels if "Trang" not in label]
    assert len(first) == 8 and chat.labels[-1] == "➡️ Trang sau"
    await chat.send("trang sau")  # the button's label typed
    second = [label for label in chat.labels if "Trang" not in label]
    assert second and not set(first) & set(second)
    assert chat.labels[-1] == "⬅️ Trang trước"
    everything = {i.id for i in app.core.registry.menu_for("officer")}
    assert len(first) + len(second) == len(everything)
