"""Imports refuse hostile files early, say which row and column, never repeat what a cell held
(names, phones), take NUL bytes on PostgreSQL, and stay all-or-nothing. The 100,000-row
timing is a benchmark: bench/imports/run.py."""

from __future__ import annotations

import itertools
import logging

import pytest
from sqlalchemy import func, select

from bot import logs
from db.officers.households import Household
from domain import tables
from domain.messages import Incoming, Kind
from tests.handlers.test_officers import _join
from tests.support import Chat, open_app

_IDS = (f"file-{n}" for n in itertools.count())
HEADER = "Phường,Mã hộ,Họ tên chủ hộ,Địa chỉ,Số điện thoại,Số nhân khẩu,Phân loại,Năm,Ghi chú\n"


def _row(n: int, name: str = "Lê Thị Hoa", phone: str = "0912345678") -> str:
    return f"Phan Rang,PR-{n:04d},{name},{n} Lê Lợi,{phone},4,nghèo,2026,\n"


async def _import(app, officer: Chat, data: bytes, name: str = "ho.csv") -> str:  # type: ignore[no-untyped-def]
    await officer.send("/nhapho")
    event = Incoming("web", officer.user, officer.user, Kind.DOCUMENT, update_id=next(_IDS),
                     payload={"file_id": "f", "file_name": name, "data": data})
    await officer.deliver(event)
    return officer.text


async def _households(app) -> int:  # type: ignore[no-untyped-def]
    async with app.core.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Household))


async def test_hostile_files_are_refused_by_row_and_column_without_their_content(
    database_url, clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    logs.install()  # as `giamngheo run` does: the libraries' payload lines never reach a log
    app = await open_app(database_url, clock, admin_ids="web:admin")
    try:
        officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
        huge = "Trần Bí Mật " + "x" * 200_000
        text = await _import(app, officer, (HEADER + _row(1) + _row(2, name=huge)).encode())
        assert "Dòng 3" in text and "2000 ký tự" in text and "Bí Mật" not in text
        long = "Trần Bí Mật " + "x" * 3_000  # under the csv module's limit: named by column
        text = await _import(app, officer, (HEADER + _row(1) + _row(2, name=long)).encode())
        assert "Dòng 3, cột Họ tên chủ hộ: dài hơn 2000 ký tự" in text and "Bí Mật" not in text

        text = await _import(app, officer, (HEADER + _row(1, phone="0123-BÍMẬT")).encode())
        assert "số điện thoại không phải số di động" in text and "BÍMẬT" not in text

        monkeypatch.setattr(tables, "MAX_ROWS", 50)
        many = HEADER + "".join(_row(n) for n in range(51))
        assert "hơn 50 dòng" in await _import(app, officer, many.encode())
        monkeypatch.setattr(tables, "MAX_FILE_BYTES", 1024)
        assert "lớn hơn 0 MB" in await _import(app, officer, many.encode())
        assert await _households(app) == 0  # nothing of any refused file was written

        with_nul = HEADER + _row(1, name="Lê Thị\x00 Hoa") + _row(2).replace("Lê Lợi", "Lê\x00Lợi")
        monkeypatch.setattr(tables, "MAX_FILE_BYTES", 1 << 20)
        text = await _import(app, officer, with_nul.encode())
        assert "2" in text and await _households(app) == 2
        async with app.core.sessions() as session:
            names = (await session.execute(select(Household.head_name))).scalars().all()
        assert sorted(names) == ["Lê Thị Hoa", "Lê Thị Hoa"]
    finally:
        await app.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if "Bí Mật" in r.getMessage() or "0912345678" in
                r.getMessage()]


def test_a_zip_bomb_sheet_is_refused_before_it_is_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<row/>" * 2_000_000)  # 12 MB unpacked
    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 1 << 20)
    with pytest.raises(tables.TableError) as refused:
        tables.read_table(buffer.getvalue(), "bomb.xlsx")
    assert "lớn hơn" in refused.value.message or "larger" in refused.value.message
