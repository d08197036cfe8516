"""The command-line contract of `giamngheo assess` and `giamngheo reassess`, run as a real
subprocess (`python -m bot`): JSON in on stdin, JSON out on stdout; bad input exits 2 with one
line on stderr naming the field and nothing on stdout."""

from __future__ import annotations

import asyncio
import gettext
import io
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from db import assessments as repo
from db import users
from db.models import OutboxMessage
from domain.poverty import Area, Household, apply_patch, assess_json
from tests.support import Clock, open_app, run_main

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_standards_for_test():  # type: ignore[no-untyped-def]
    from bot.content import load_all

    return load_all(None)["standards"]

NEAR_POOR = {
    "date": "2026-06-01",
    "area": "urban",
    "members": 4,
    "monthly_income": 6_000_000,
    "deprived": {"employment": True},
}


async def run_cli(tmp_path: Path, *args: str, stdin: str = "", real_process: bool = True,
                  **env: str) -> tuple[int, str, str]:
    """`python -m bot ARGS` as a real subprocess, or (real_process=False) through the same entry
    point in this process (tests.support.run_main), which spares the interpreter's start."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        **env,
    }
    if not real_process:
        done = await asyncio.to_thread(run_main, args, cwd=tmp_path, env=environment, stdin=stdin)
        return done.returncode, done.stdout, done.stderr
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=tmp_path, env=environment,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(stdin.encode())
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def assess(tmp_path: Path, data: Any) -> tuple[int, str, str]:
    text = data if isinstance(data, str) else json.dumps(data)
    return await run_cli(tmp_path, "assess", stdin=text)


async def test_one_household_in_one_result_out(tmp_path: Path) -> None:
    code, out, err = await assess(tmp_path, NEAR_POOR)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert set(result) == {"standard", "category", "income_per_person", "income_line", "deprived",
                           "deprivation_count", "legal_basis", "explanation", "changes"}
    assert (result["standard"], result["category"]) == ("2022-2025", "near_poor")
    assert (result["income_per_person"], result["income_line"]) == (1_500_000, 2_000_000)
    assert result["deprived"] == ["employment"]
    assert result["explanation"][:2] == [
        "Hộ của bạn có thể thuộc diện hộ cận nghèo.",
        "Kết quả tính theo chuẩn nghèo đang áp dụng năm 2026 (chuẩn giai đoạn 2022-2025, kéo dài "
        "đến hết 2026 theo Nghị định 351/2025/NĐ-CP).",
    ]
    assert not any("2027" in sentence for sentence in result["explanation"])
    assert result["changes"] == [
        {"category": "poor", "input": {"deprived": {"nutrition": True, "health_insurance": True}}}
    ]
    assert "Hộ sẽ thuộc diện hộ nghèo nếu thiếu hụt thêm 2 chỉ số." in result["explanation"]


async def test_a_list_in_a_list_out_and_the_default_date_is_today_in_vietnam(
    tmp_path: Path,
) -> None:
    rich = {"area": "rural", "members": 2, "annual_income": 120_000_000, "deprived": {}}
    near_changeover = {**NEAR_POOR, "date": "2026-11-27"}
    above = {"date": "2026-06-01", "area": "rural", "members": 3, "annual_income": 90_000_000,
             "deprived": {"water": True, "sanitation": True, "telecom": True},
             "facts": {"housing_area_m2": 60}}
    code, out, err = await assess(tmp_path, [NEAR_POOR, rich, near_changeover, above])
    assert (code, err) == (0, "")
    first, second, third, fourth = json.loads(out)
    # 3 lacking and above the line: at or below it the household is poor, never near-poor;
    # each patch, applied to the input, gives its category (checked without another process).
    assert fourth["category"] == "not_poor"
    assert [c["category"] for c in fourth["changes"]] == ["average", "poor"]
    for change in fourth["changes"]:
        again = assess_json(apply_patch(above, change["input"]), load_standards_for_test(),
                            date(2026, 6, 1), gettext.NullTranslations())
        assert again["category"] == change["category"]
    assert first["category"] == "near_poor"
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    expected = "2022-2025" if today <= date(2026, 12, 31) else "2027-2030"
    assert (second["standard"], second["category"]) == (expected, "not_poor")
    assert second["income_per_person"] == 5_000_000
    assert any("Chuẩn nghèo mới (Nghị định 351/2025/NĐ-CP) áp dụng từ ngày 01/01/2027" in s
               for s in third["explanation"])


BAD_INPUTS: list[tuple[str, Any, str]] = [
    ("not JSON", "{members: 4", "input: not valid JSON"),
    ("not an object", "[1, 2]", "[0]: must be a JSON object"),
    ("missing field", {k: v for k, v in NEAR_POOR.items() if k != "members"},
     "members: missing field"),
    ("unknown field", {**NEAR_POOR, "name": "An"}, "name: unknown field"),
    ("wrong type", {**NEAR_POOR, "members": "4"}, "members: must be a whole number"),
    ("members below 1", {**NEAR_POOR, "members": 0}, "members: must be at least 1"),
    ("negative income", {**NEAR_POOR, "monthly_income": -1},
     "monthly_income: must be at least 0"),
    ("indicator the standard lacks", {**NEAR_POOR, "deprived": {"waste_treatment": True}},
     "deprived.waste_treatment: standard 2022-2025 has no such indicator"),
    ("unknown standard", {**NEAR_POOR, "standard": "2016-2020"},
     "standard: unknown standard; use one of 2022-2025, 2027-2030"),
    ("bad item in a list", [NEAR_POOR, NEAR_POOR, NEAR_POOR, {**NEAR_POOR, "members": 0}],
     "[3].members: must be at least 1"),
]


@pytest.mark.parametrize(("data", "expected"), [case[1:] for case in BAD_INPUTS],
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_exits_2_naming_the_field_and_prints_nothing(
    data: Any, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process through the same entry point (`bot.cli.main`), so the whole table is fast."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(data if isinstance(data, str)
                                                  else json.dumps(data)))
    assert main(["assess"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(expected)


async def test_bad_input_through_a_real_subprocess(tmp_path: Path) -> None:
    bad_item = BAD_INPUTS[-1][1]
    results = await asyncio.gather(assess(tmp_path, bad_item), assess(tmp_path, "{members: 4"))
    assert results == [
        (2, "", "[3].members: must be at least 1\n"),
        (2, "", "input: not valid JSON (JSONDecodeError)\n"),
    ]


async def test_reassess_by_hand_reports_what_it_did(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    clock = Clock()
    app = await open_app(url, clock)
    assert app.core is not None
    async with app.core.sessions() as session, session.begin():
        user, _ = await users.get_or_create_user(session, "web", "cli-user-1",
                                                 "cli-chat-0001", "citizen", clock())
        await session.flush()
        await repo.save_shared(
            session, user, ward="phường Phan Rang", name="An", phone="0912345678",
            household=Household(Area.URBAN, 4, 9_000_000), standard_id="2022-2025",
            category="average", now=clock(),
        )
    await app.close()

    def report(checked: int, changed: int, queued: int) -> str:
        return (f"Đã xét {checked}, thay đổi {changed}, thông báo chờ gửi {queued}, bỏ qua 0. "
                "Bot đang chạy sẽ gửi các thông báo.")

    code, out, err = await run_cli(tmp_path, "reassess", "--date", "2026-12-31")
    assert (code, out.strip(), err) == (0, report(0, 0, 0), "")
    code, out, err = await run_cli(tmp_path, "reassess", "--date", "2027-01-01",
                                   real_process=False)
    assert (code, out.strip()) == (0, report(1, 1, 1)), err
    code, out, err = await run_cli(tmp_path, "reassess", "--date", "2027-01-02",
                                   real_process=False)
    assert (code, out.strip()) == (0, report(0, 0, 0)), err
    app = await open_app(url, clock)  # the notice waits in the outbox for the running bot
    async with app.core.sessions() as session:  # type: ignore[union-attr]
        queued = (await session.execute(select(OutboxMessage))).scalars().all()
    assert [(m.chat_id, m.kind, m.status) for m in queued] == [
        ("cli-chat-0001", "reassessment", "pending")]
    await app.close()
