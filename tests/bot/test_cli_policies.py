"""`giamngheo policies search` end to end, as an official or a script would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import run_main

ROOT = Path(__file__).resolve().parents[2]


def _search(tmp_path: Path, *args: str, real_process: bool = False) -> subprocess.CompletedProcess[str]:
    """`giamngheo policies search ARGS` with a clean environment: in this process through the
    real entry point (tests.support.run_main), or as a real subprocess where a script's view is
    the point."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    if not real_process:
        return run_main(["policies", "search", *args], cwd=tmp_path, env=env)
    return subprocess.run(
        [sys.executable, "-m", "bot", "policies", "search", *args],
        check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_json_lists_the_loan_first_with_scores_best_first(tmp_path: Path) -> None:
    result = _search(tmp_path, "vay von lam an", "--json", "--on", "2026-11-27",
                     real_process=True)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0] == {"id": "vay-ho-ngheo", "title": "Vay vốn ưu đãi cho hộ nghèo",
                       "score": 100.0}
    assert all(set(row) == {"id", "title", "score"} for row in rows)
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert not (tmp_path / "var").exists()  # no database needed


def test_readable_list_and_no_match(tmp_path: Path) -> None:
    result = _search(tmp_path, "bhyt", "--limit", "2", "--on", "2026-11-27")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "1. Thẻ bảo hiểm y tế miễn phí cho hộ nghèo [bhyt-ho-ngheo] 100",
        "2. Hỗ trợ tiền mua thẻ bảo hiểm y tế cho hộ cận nghèo [bhyt-ho-can-ngheo] 100",
    ]
    nothing = _search(tmp_path, "xe máy hỏng", "--on", "2026-11-27")
    assert nothing.returncode == 0, nothing.stderr
    assert nothing.stdout.strip() == "Không có chính sách nào phù hợp. Thử từ khác, ví dụ: vay vốn."
    assert json.loads(_search(tmp_path, "xe máy hỏng", "--json").stdout) == []


def test_expired_entries_are_found_only_while_in_force(tmp_path: Path) -> None:
    def ids(on: str) -> list[str]:
        result = _search(tmp_path, "vay vốn tạo việc làm", "--json", "--on", on)
        assert result.returncode == 0, result.stderr
        return [row["id"] for row in json.loads(result.stdout)]

    assert "vay-tao-viec-lam-2019" in ids("2025-12-31")
    assert "vay-tao-viec-lam-2019" not in ids("2026-01-01")


def test_a_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    result = _search(tmp_path, "bhyt", "--on", "27/11/2026")
    assert result.returncode == 2
    assert "not a date like 2026-11-27" in result.stderr
