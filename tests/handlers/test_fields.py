"""A record's field table is the one place a field is declared (conversations/fields.py): one
more row in the course sign-up's table is asked, summarised, editable, exported and shown in the
personal data with no other code changed; only its database column is missing, and `register`
says so. And the generated steps take only their own buttons."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from conversations import courses as signup
from conversations.engine import Answer, Retry
from conversations.fields import Field, Record
from db import courses as repo
from domain.messages import Kind
from handlers import course_admin, courses
from tests.handlers.test_courses import add_course, fill_in
from tests.support import Chat, open_app


def occupation(ctx, answer: Answer) -> str | Retry:  # type: ignore[no-untyped-def]
    text = " ".join(answer.text.split())
    return text if len(text) >= 2 else Retry("Please type an occupation.", "Thợ may")


OCCUPATION = Field("occupation", "Occupation", "What is your occupation?", read=occupation,
                   personal="works as {value}")


@pytest.fixture
async def app(database_url, clock, monkeypatch):  # type: ignore[no-untyped-def]
    extended = dataclasses.replace(
        signup.REGISTRATION, fields=(*signup.REGISTRATION.fields, OCCUPATION))
    monkeypatch.setattr(signup, "REGISTRATION", extended)  # one more row, nothing else
    application = await open_app(database_url, clock)
    application.core.registry.dialogs[signup.SIGNUP] = signup.build_signup_dialog()
    yield application
    await application.close()


async def test_one_more_row_is_asked_summarised_editable_exported_and_personal(app) -> None:  # type: ignore[no-untyped-def]
    course_id = await add_course(app)
    chat = Chat(app, user="household-1")
    await chat.send("/khoahoc")
    await chat.press("May công nghiệp")
    await chat.press("📝 Đăng ký")
    await chat.press("Bắt đầu")
    await fill_in(chat)
    assert chat.text.startswith("What is your occupation?")  # asked, after the household
    await chat.send("Thợ may")
    assert "Diện hộ: Hộ nghèo\nOccupation: Thợ may\n" in chat.text  # in the summary
    await chat.press("Sửa")
    assert chat.labels[:6] == ["Họ tên", "Năm sinh", "Điện thoại", "Phường/xã", "Diện hộ",
                               "Occupation"]
    await chat.press("Occupation")  # editable, and back to the confirmation
    assert chat.text.startswith("What is your occupation?")
    await chat.send("Nông dân")
    assert "Occupation: Nông dân\n" in chat.text and "Đồng ý, đăng ký" in chat.labels[0]

    vi = app.catalogs["vi"]
    reg = SimpleNamespace(
        code="KH-TEST", status=repo.REGISTERED, created_at=datetime(2026, 11, 27, tzinfo=UTC),
        full_name="Nguyễn Thị Lan", birth_year=1990, phone="0912345678",
        ward="phường Phan Rang", household="poor", occupation="Nông dân")
    async with app.core.sessions() as session:
        course = await repo.course(session, course_id)
    headers = course_admin.registration_headers(vi)
    row = course_admin.registration_row(vi, reg, course, None, "Asia/Ho_Chi_Minh")
    assert headers[9] == "Occupation" and row[9] == "Nông dân"  # exported, after the household
    assert course_admin.registrant_line(vi, 1, reg, None) == (
        "1. Nguyễn Thị Lan, 1990, 0912345678, phường Phan Rang, Hộ nghèo, Nông dân — KH-TEST")
    assert courses.personal_line(vi, reg, course).endswith(
        "Nguyễn Thị Lan, sinh năm 1990, điện thoại 0912345678, phường Phan Rang, Hộ nghèo, "
        "works as Nông dân")

    # What the row cannot do is add the column: register names it instead of dropping it.
    async with app.core.sessions() as session, session.begin():
        with pytest.raises(ValueError, match="course_registrations has no column occupation"):
            await repo.register(session, course_id, SimpleNamespace(id=1),
                                signup.REGISTRATION.values(reg), datetime(2026, 11, 27, tzinfo=UTC),
                                course.starts_on)


def _ask(ctx, data):  # type: ignore[no-untyped-def]
    return "?"


def test_a_record_checks_its_table_and_its_buttons_are_its_own() -> None:
    with pytest.raises(ValueError, match="keys must be unique"):
        Record("zq", __name__, (Field("a", "A", "?"), Field("a", "A", "?")))
    record = Record("zr", __name__, (
        Field("colour", "Colour", "Which colour?", choices={"red": "Red", "blue": "Blue"}),
        Field("size", "Size", "Which size?", choices={"s": "S", "m": "M"}),
    ))
    colour, size = record.steps()
    assert [s.name for s in (colour, size)] == ["colour", "size"]
    assert colour.next is None and record.steps(then="review")[-1].next == "review"
    assert record.kind("set", 0, 1).pack() == "zr:set:0:1"
    ctx = SimpleNamespace(_=lambda text, **values: text.format(**values) if values else text)
    data: dict[str, object] = {}
    pressed = Answer(Kind.CHOICE, choice=record.kind("set", 0, 1).pack())
    assert colour.accept(ctx, data, pressed).to is None and data == {"colour": "blue"}
    stale = Answer(kind=pressed.kind, choice=record.kind("set", 1, 0).pack())  # size's button
    assert isinstance(colour.accept(ctx, data, stale), Retry) and data == {"colour": "blue"}
    t = SimpleNamespace(gettext=lambda text: text)
    assert record.lines(t, {"colour": "red", "size": None}) == ["Colour: Red", "Size: —"]
    assert record.headers(t) == ["Colour", "Size"]
    assert record.cells(t, {"colour": "red", "size": None}) == ["Red", ""]
