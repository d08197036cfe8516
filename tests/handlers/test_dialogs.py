"""The dialog mechanics every dialog gets from the core: back, cancel, resume, invalid input,
help, editing from a review, per-user order, an exception inside a step, and a restart."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Edit, Next, Outcome, Retry, Step
from domain.messages import Choice, Reply
from domain.numbers import parse_int
from handlers.registry import Command, MenuItem
from tests.support import Chat, open_app

gate: dict[str, asyncio.Event] = {}
order: list[str] = []


def ask_name(ctx: Ctx, data: dict[str, Any]) -> Reply:
    return Reply("What is your name?")


def accept_name(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    if answer.text.startswith("boom"):
        raise RuntimeError(f"failed on {answer.text}")
    if len(answer.text) < 2:
        return Retry("A name has at least 2 letters.", "Nguyễn Văn An")
    data["name"] = answer.text
    return Next("members")


def ask_members(ctx: Ctx, data: dict[str, Any]) -> Reply:
    return Reply(f"How many people live with you, {data['name']}?")


async def accept_members(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    if answer.text.startswith("wait"):
        order.append(answer.text)
        await gate[answer.text].wait()
    if answer.text.startswith("seq"):
        order.append(answer.text)
        await asyncio.sleep(0)
        return Next("members")
    n = parse_int(answer.text)
    if n is None or not 1 <= n <= 30:
        return Retry("Please type a number from 1 to 30.", "4")
    data["members"] = n
    return Next("review")


def ask_review(ctx: Ctx, data: dict[str, Any]) -> Reply:
    return Reply(
        f"{data['name']}, {data['members']} people. Correct?",
        (Choice("Confirm", "demo:ok"), Choice("Change name", "demo:edit-name")),
    )


def accept_review(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    if answer.choice == "demo:edit-name":
        return Edit("name", "review")
    if answer.choice == "demo:ok":
        return Done([Reply(f"Saved {data['name']} ({data['members']})")], menu=True)
    return Retry("Please press a button.")


DEMO = Dialog(
    "demo",
    "Demo",
    [
        Step("name", ask_name, accept_name, help="Type your full name."),
        Step("members", ask_members, accept_members, numeric=True),
        Step("review", ask_review, accept_review),
    ],
)


async def _start(ctx: Ctx, _args: str = "") -> list[Reply]:
    return await ctx.dialogs.start(ctx, "demo")


def add_demo(app) -> None:  # type: ignore[no-untyped-def]
    registry = app.core.registry
    registry.dialog(DEMO)
    registry.command(Command("demo", "Demo", _start))
    registry.menu_item(MenuItem("demo", "Demo", lambda ctx: _start(ctx), order=1))


@pytest.fixture
def demo(app) -> Chat:  # type: ignore[no-untyped-def]
    add_demo(app)
    return Chat(app)


async def test_a_whole_dialog_with_typed_number_and_button(demo: Chat) -> None:
    await demo.send("/start")
    assert "Xin chào" in demo.text
    await demo.send("1")  # the menu's first button, typed
    assert demo.text == "What is your name?"
    await demo.send("Nguyễn Quang Huy")  # "Huy" must not be taken for the Hủy button
    assert "How many people live with you, Nguyễn Quang Huy?" in demo.text
    await demo.send("4 người")
    assert "4 people. Correct?" in demo.text
    await demo.press("Confirm")
    assert "Saved Nguyễn Quang Huy (4)" in demo.text
    assert "Bạn muốn làm gì?" in demo.text  # back at the menu, no dialog left
    assert not any("Làm tiếp" in label for label in demo.labels)


async def test_invalid_input_reasks_the_same_step_with_reason_and_example(demo: Chat) -> None:
    await demo.send("/demo")
    await demo.send("An")
    await demo.send("nhiều lắm")
    assert "Please type a number from 1 to 30." in demo.text
    assert "Ví dụ: 4" in demo.text
    assert "How many people live with you, An?" in demo.text


async def test_back_by_word_by_zero_and_by_button_restores_previous_answers(demo: Chat) -> None:
    await demo.send("/demo")
    await demo.send("An")
    await demo.send("3")
    await demo.send("quay lai")
    assert "How many people live with you, An?" in demo.text
    await demo.send("0")
    # going back says so, in the same message as the question it went back to
    assert demo.text == "↩️ Đã quay lại câu trước:\n\nWhat is your name?"
    await demo.send("0")
    assert "Đây là câu hỏi đầu tiên" in demo.text
    await demo.send("Bình")
    await demo.press("Quay lại")
    assert demo.text.endswith("What is your name?")


async def test_cancel_by_command_and_by_button(demo: Chat) -> None:
    await demo.send("/demo")
    await demo.send("/huy")
    assert "Đã dừng" in demo.text
    await demo.send("/huy")
    assert "Không có việc gì đang làm dở" in demo.text
    await demo.send("/demo")
    await demo.send("hủy")  # the Hủy button's label typed
    assert "Đã dừng" in demo.text


async def test_help_inside_a_dialog_explains_the_step_and_asks_again(demo: Chat) -> None:
    await demo.send("/demo")
    await demo.send("/trogiup")
    assert "Type your full name." in demo.text
    assert demo.text.endswith("What is your name?")


async def test_edit_from_review_returns_to_review(demo: Chat) -> None:
    await demo.send("/demo")
    await demo.send("An")
    await demo.send("2")
    await demo.press("Change name")
    assert "What is your name?" in demo.text
    await demo.send("Bình")
    assert "Bình, 2 people. Correct?" in demo.text


async def test_menu_offers_to_resume_and_resume_continues(demo: Chat) -> None:
    await demo.send("/demo")
    await demo.send("An")
    await demo.send("/menu")
    assert demo.labels[0] == "▶️ Làm tiếp: Demo"
    await demo.press("Làm tiếp")
    assert "How many people live with you, An?" in demo.text


async def test_coming_back_after_a_while_is_offered_to_continue(demo: Chat, clock) -> None:  # type: ignore[no-untyped-def]
    await demo.send("/demo")
    await demo.send("An")
    clock.advance(hours=5)
    await demo.send("5")
    assert "Bạn đang làm dở: Demo" in demo.text
    await demo.press("Làm tiếp")
    assert "How many people live with you, An?" in demo.text
    await demo.send("5")
    assert "5 people. Correct?" in demo.text


async def test_a_button_pressed_after_a_break_also_offers_to_continue(demo: Chat, clock) -> None:  # type: ignore[no-untyped-def]
    await demo.send("/demo")
    await demo.send("An")
    await demo.send("2")
    clock.advance(hours=5)
    await demo.press("Confirm")  # an old button: the person may not remember what it was
    assert "Bạn đang làm dở: Demo" in demo.text
    await demo.press("Làm tiếp")
    assert "An, 2 people. Correct?" in demo.text


async def test_an_exception_in_a_step_apologises_and_keeps_the_state(demo: Chat, caplog) -> None:  # type: ignore[no-untyped-def]
    await demo.send("/demo")
    await demo.send("boom 0912345678")
    assert "hệ thống vừa gặp lỗi" in demo.text
    assert "Làm tiếp: Demo" in demo.labels[0]
    assert "0912345678" not in caplog.text  # the error's message is never logged
    assert "RuntimeError" in caplog.text
    await demo.press("Làm tiếp")
    assert demo.text.startswith("What is your name?")


async def test_a_repeated_delivery_is_processed_once(demo: Chat) -> None:
    from domain.messages import Incoming, Kind

    await demo.send("/demo")
    event = Incoming("web", demo.user, demo.user, Kind.TEXT, "An", update_id="same-1")
    first = await demo.deliver(event)
    second = await demo.deliver(event)
    assert "How many people live with you, An?" in first[-1].text
    assert second == first  # the web chat's retry gets the kept answer, not a second run
    telegram = Incoming("telegram", "77", "77", Kind.TEXT, "/demo", update_id="same-2")
    assert (await demo.deliver(telegram))
    assert await demo.deliver(telegram) == []  # Telegram does not wait for an answer


async def test_one_users_events_are_handled_strictly_in_order(demo: Chat, app) -> None:  # type: ignore[no-untyped-def]
    order.clear()
    await demo.send("/demo")
    await demo.send("Chi")
    await asyncio.gather(*(demo.send(f"seq{i}") for i in range(20)))
    assert order == [f"seq{i}" for i in range(20)]


async def test_other_users_are_not_held_up_by_a_slow_event(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL (row locks per user) another user is answered while one user's event is
    still inside its step. SQLite has a single writer, so there the test only shows that
    nothing is lost or reordered when the slow event finishes."""
    order.clear()
    app = await open_app(database_url, clock)
    add_demo(app)
    slow, other = Chat(app, user="slow-user"), Chat(app, user="other-user")
    for chat, name in ((slow, "An"), (other, "Bình")):
        await chat.send("/demo")
        await chat.send(name)
    gate["wait-a"] = asyncio.Event()
    blocked = asyncio.create_task(slow.send("wait-a"))
    while "wait-a" not in order:
        await asyncio.sleep(0)
    answered = asyncio.create_task(other.send("3"))
    if "postgresql" in database_url:
        await asyncio.wait_for(answered, timeout=10)
        assert not blocked.done()
    gate["wait-a"].set()
    await blocked
    await answered
    assert "Bình, 3 people. Correct?" in other.text
    assert "Please type a number" in slow.text
    await app.close()


async def test_restart_mid_dialog_continues_on_the_same_database(  # type: ignore[no-untyped-def]
    database_url, clock
) -> None:
    first = await open_app(database_url, clock)
    add_demo(first)
    chat = Chat(first)
    await chat.send("/demo")
    await chat.send("An")
    await first.close()

    second = await open_app(database_url, clock)
    add_demo(second)
    chat = Chat(second)
    await chat.send("7")
    assert "An, 7 people. Correct?" in chat.text
    await chat.press("Quay lại")
    assert "How many people live with you, An?" in chat.text
    await second.close()


async def test_a_household_cannot_use_an_admin_command(demo: Chat, app) -> None:  # type: ignore[no-untyped-def]
    from domain.roles import ADMINS

    async def secret(ctx: Ctx, _args: str) -> list[Reply]:
        return [Reply("secret")]

    app.core.registry.command(Command("quantri", "Admin", secret, roles=ADMINS))
    await demo.send("/quantri")
    assert "chỉ dành cho cán bộ" in demo.text
    assert "secret" not in demo.text
    await demo.send("/khonglenh")
    assert "Tôi chưa biết lệnh /khonglenh" in demo.text


async def test_admin_from_configuration(clock, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock, admin_ids="web:boss-0001")
    from domain.roles import ADMINS

    async def secret(ctx: Ctx, _args: str) -> list[Reply]:
        return [Reply("secret")]

    app.core.registry.command(Command("quantri", "Admin", secret, roles=ADMINS))
    boss = Chat(app, user="boss-0001")
    await boss.send("/quantri")
    assert boss.text == "secret"
    await app.close()


# --- as a new user answers on a numbered list (Zalo, the console) ---------------------------------


async def _officer(app, user: str = "officer-z"):  # type: ignore[no-untyped-def]
    from db.officers import roster as repo

    async with app.core.sessions() as session, session.begin():
        invite = await repo.create_invite(session, ["phường Phan Rang"], None,
                                          app.core.services.clock(), 7)
    officer = Chat(app, user=user, channel="zalo")
    await officer.send(f"/canbo {invite.code}")
    return officer


async def test_a_listed_choice_is_chosen_by_its_number_at_a_question_that_takes_numbers(app) -> None:  # type: ignore[no-untyped-def]
    officer = await _officer(app)
    for typed in ("/themho", "HGD001", "Nguyễn Văn Bình", "12 Lê Lợi"):
        await officer.send(typed)
    assert "Không có số" in officer.labels
    assert "số 1 để chọn" in (officer.replies[-1].typed_hint or "")  # the footer says what 1 means
    await officer.send("1")  # shown next to "Không có số"
    assert "Hộ có bao nhiêu người" in officer.text
    await officer.send("1")  # a household of one: the number is the answer, not a button
    assert "Hộ thuộc diện nào?" in officer.text
    await officer.send("quay lại")
    assert officer.text.startswith("↩️ Đã quay lại câu trước:")
    assert "Hộ có bao nhiêu người" in officer.text


async def test_after_menu_the_dialog_waits_and_a_free_question_is_answered(app) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(app, channel="zalo")
    await chat.send("/tudanhgia")
    await chat.send("1")
    await chat.send("bhyt")  # inside the dialog: where you are and how to ask
    assert "Bạn đang làm: Tự đánh giá hộ nghèo" in chat.text and "/menu" in chat.text
    await chat.send("/menu")
    await chat.send("bhyt")
    assert "bảo hiểm y tế" in chat.text.lower() + " ".join(chat.labels).lower()
    assert "cùng ăn, cùng ở" not in chat.text  # not the old question
    await chat.send("/tudanhgia")  # asking for it again: continue or start again
    assert "Làm tiếp" in " ".join(chat.labels)
    await chat.press("Làm tiếp")
    assert "cùng ăn, cùng ở" in chat.text
