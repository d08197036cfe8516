"""The console end to end: `giamngheo console` with piped input, as a script would use it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        args, input=stdin, cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_start_prints_the_greeting_and_the_numbered_menu(tmp_path: Path) -> None:
    script = shutil.which("giamngheo", path=str(Path(sys.executable).parent))
    assert script, "the giamngheo console script is installed with the package"
    result = _run([script, "console"], "/start\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Xin chào! Tôi là trợ lý giảm nghèo")
    assert "\n1. " in result.stdout
    assert "Trả lời bằng số, ví dụ: 1" in result.stdout
    assert (tmp_path / "var" / "giamngheo.db").is_file()  # created on first run


def test_a_scripted_session_by_numbers_and_eof(tmp_path: Path) -> None:
    result = _run([sys.executable, "-m", "bot", "console", "--user", "staff-1"],
                  "/xoadulieu\n2\n/trogiup\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Chưa xóa gì cả." in result.stdout
    assert "/dulieucuatoi — Xem tôi đang giữ thông tin gì của bạn" in result.stdout
