"""After /xoadulieu nothing of the person is left: no table row (outbox and delivery records,
audit, web inbox, kept answers, dialog state), no export, and on SQLite not a byte in the
database file or its WAL. What stays is the ward's own record, and the receipt says why."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from db import outbox
from db.models import Base
from domain.messages import Reply
from tests.handlers.test_courses import add_course, deliver_all, sign_up
from tests.handlers.test_officers import _join
from tests.support import Chat, open_app

PERSON = "browser-bimat-0001"
NAME = "Phạm Thị Bí Ẩn"
PHONE = "0977123456"
TRACES = (PERSON, NAME, PHONE)


async def _everything_in_the_database(app) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    found: dict[str, list[str]] = {}
    async with app.core.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                text = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
                hits = [t for t in TRACES if t in text]
                if hits:
                    found.setdefault(table.name, []).append(f"{hits} {text[:200]}")
    return found


async def test_nothing_of_the_person_remains_after_deletion(database_url, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(database_url, clock, admin_ids="web:admin")
    try:
        admin = Chat(app, user="admin")
        officer = await _join(app, admin, "officer-a", "Phan Rang")
        await add_course(app)
        person = Chat(app, user=PERSON)
        await sign_up(person, "May công nghiệp", name=NAME, phone=PHONE)
        await person.send("/timviec")
        await person.press(person.labels[0])
        await person.press("Phan Rang")
        await person.press("Toàn thời gian")
        await person.send(PHONE)
        await person.press("Tôi đồng ý")
        await person.send("/theodoi")
        await person.press("Việc làm")
        await person.press("Xong")
        await person.press("Phan Rang")
        await person.press("Bỏ qua")
        await person.press("Có, gửi cho tôi")
        await app.web_channel.send(PERSON, Reply(f"Nhắc {NAME}: mang giấy tờ"))  # waiting
        async with app.core.sessions() as session, session.begin():  # a delivered notice
            await outbox.enqueue(session, channel="web", chat_id=PERSON, kind="job_notice",
                                 reply=Reply(f"Chào {NAME}"), now=clock())
        await deliver_all(app)
        await app.web_channel.send(PERSON, Reply(f"Nhắc {NAME} lần nữa"))
        # the ward's own record of the household (head of household: a relative)
        await officer.send("/themho")
        for answer in ("PR-777", "Phạm Văn Chủ Hộ", "7 Lê Lợi", "0988000111", "4"):
            await officer.send(answer)
        await officer.press("Nghèo")
        await officer.press("2026")
        await officer.press("Không có ghi chú")
        await officer.press("Lưu")
        before = await _everything_in_the_database(app)
        assert {"users", "course_registrations", "job_seekers", "outbox", "web_inbox",
                "processed_updates"} <= set(before)

        await person.send("/xoadulieu")
        await person.press("Có, xóa hết")
        assert "Những gì còn giữ: hộ gia đình trong danh sách của phường" in person.text

        assert await _everything_in_the_database(app) == {}
        for kind in ("registrations", "jobseekers", "households"):
            headers, rows = await app.core.registry.exporters[kind].run(  # type: ignore[union-attr]
                app.core, app.catalogs["vi"])
            assert not [t for t in TRACES if t in json.dumps(rows, ensure_ascii=False,
                                                              default=str)], kind
        assert "Phạm Văn Chủ Hộ" in json.dumps(rows, ensure_ascii=False)  # the ward's record
        if database_url.startswith("sqlite"):  # while the bot runs: no closing checkpoint yet
            path = Path(database_url.split("///", 1)[1])
            for file in (path, path.with_name(path.name + "-wal")):
                data = file.read_bytes() if file.exists() else b""
                assert not [t for t in TRACES if t.encode() in data], file.name
    finally:
        await app.close()
