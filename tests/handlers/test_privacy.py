"""Personal data: /dulieucuatoi shows what is kept, /xoadulieu deletes it after a confirmation."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import Consent, DialogState, User
from tests.support import Chat, open_app


async def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_show_then_delete_after_confirmation(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock)
    chat = Chat(app, user="privacy-1")
    await chat.send("/start")
    async with app.core.sessions() as session, session.begin():
        user = (await session.execute(select(User))).scalar_one()
        session.add(Consent(user_id=user.id, purpose="job_notices", granted_at=clock()))

    await chat.send("/dulieucuatoi")
    assert "Đây là thông tin của bạn mà tôi đang giữ:" in chat.text
    assert "• Tài khoản: web, từ 09:00 27/11/2026" in chat.text
    assert "Bạn đã đồng ý nhận thông báo tôi đã đăng ký theo dõi lúc 09:00 27/11/2026" in chat.text

    await chat.send("/xoadulieu")
    assert "không lấy lại được" in chat.text
    await chat.send("không")
    assert "Chưa xóa gì cả." in chat.text
    assert await _count(app, User) == 1

    await chat.send("/xoadulieu")
    await chat.press("Có, xóa hết")
    assert "Đã xóa lúc 09:00 27/11/2026" in chat.text
    assert "tài khoản: 1" in chat.text
    assert await _count(app, User) == 0
    assert await _count(app, Consent) == 0
    assert await _count(app, DialogState) == 0

    await chat.send("/dulieucuatoi")  # a fresh start: only the new account
    assert "Bạn đã đồng ý" not in chat.text
    await app.close()


async def test_unclear_answer_to_delete_asks_again(chat: Chat) -> None:
    await chat.send("/xoadulieu")
    await chat.send("để mai tính")
    assert "Bạn trả lời có hoặc không nhé." in chat.text
    assert "Ví dụ: có" in chat.text


async def test_delete_covers_every_feature_that_keeps_personal_data(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    """A household that subscribed to notices: /dulieucuatoi shows it, /xoadulieu removes it
    with the account, and the receipt names both sections."""
    for typed in ("/theodoi", "1", "xong", "Phan Rang", "bỏ qua", "1"):
        await chat.send(typed)
    await chat.send("/dulieucuatoi")
    assert "Việc làm" in chat.text
    await chat.send("/xoadulieu")
    await chat.press("Có, xóa hết")
    assert "đăng ký nhận thông báo: 1" in chat.text
    assert "tài khoản: 1" in chat.text
    sections = {section.name for section in app.core.registry.personal_data}
    assert {"shared self-assessments", "notice subscriptions", "course sign-ups",
            "job-seeker profile", "ward officer role", "account"} <= sections
    assert app.core.registry.personal_data[-1].name == "account"  # the account goes last
