"""`giamngheo admin import courses FILE` and `giamngheo admin export registrations` end to end,
as the labour office would run them from a terminal."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook

from bot.app import App
from bot.settings import load_settings
from db import courses as repo
from db import users
from domain.tables import read_table
from tests.support import run_main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "domain" / "data" / "courses_example.csv"


def _admin(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`giamngheo admin ARGS` with a clean environment, through the real entry point in this
    process (tests.support.run_main: a subprocess per call cost most of this file's time)."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db"}
    return run_main(["admin", *args], cwd=tmp_path, env=env)


async def _sign_up_someone(tmp_path: Path) -> None:
    app = App(load_settings(database_url=f"sqlite:///{tmp_path}/bot.db"))
    await app.open()
    try:
        now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
        async with app.core.sessions() as session, session.begin():  # type: ignore[union-attr]
            user, _ = await users.get_or_create_user(session, "web", "someone-1", "someone-1",
                                                     "citizen", now)
            await session.flush()
            course = await repo.course_by_code(session, "VIDU-MAY-01")
            assert course is not None
            person = dict(full_name="Nguyễn Thị Lan", birth_year=1990, phone="0912345678",
                          ward="phường Phan Rang", household="near_poor")
            await repo.register(session, course.id, user, person, now, date(2026, 11, 27))
    finally:
        await app.close()


def test_import_all_or_nothing_then_export_csv_and_xlsx(tmp_path: Path) -> None:
    bad = tmp_path / "khoahoc.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",25,", ",không rõ,")  # row 3: the number of places
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _admin(tmp_path, "import", "courses", str(bad))
    assert result.returncode == 2
    assert "Dòng 3: so_cho: Số chỗ phải là số nguyên từ 1 đến 1000." in result.stderr
    assert "Dòng 2" not in result.stderr

    result = _admin(tmp_path, "import", "courses", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "Đã nhập 3 dòng." in result.stdout  # so the bad attempt imported nothing

    asyncio.run(_sign_up_someone(tmp_path))
    out = tmp_path / "dangky.csv"
    result = _admin(tmp_path, "export", "registrations", "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith("\ufeffMã đăng ký,Mã khóa học,Khóa học".encode())
    [row] = read_table(data, out.name)
    assert row.cells["khoa_hoc"] == "May công nghiệp (ví dụ)"
    assert (row.cells["ho_va_ten"], row.cells["dien_ho"]) == ("Nguyễn Thị Lan", "Hộ cận nghèo")

    out = tmp_path / "dangky.xlsx"
    result = _admin(tmp_path, "export", "registrations", "--format", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(io.BytesIO(out.read_bytes())).worksheets[0]
    header, first = list(sheet.iter_rows(values_only=True))
    assert header[4] == "Họ và tên" and first[4] == "Nguyễn Thị Lan"
    assert first[8] == "Hộ cận nghèo"
