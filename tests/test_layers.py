"""The layers as a contract: domain → nothing of ours; db → domain; conversations → db, domain;
handlers → conversations, db, domain; bot → everything. The contract lives in pyproject.toml
([tool.importlinter]); this runs it, and shows it really catches an upward import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("bot", "handlers", "conversations", "db", "domain")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(command), "--no-cache", "--config", "pyproject.toml"], cwd=where,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"})


def test_no_layer_imports_one_above_it() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for layer in LAYERS:
        shutil.copytree(ROOT / layer, tmp_path / layer,
                        ignore=shutil.ignore_patterns("__pycache__", "data", "static"))
    planted = tmp_path / "domain" / "text.py"
    planted.write_text(planted.read_text() + "\n\nfrom handlers import registry  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "domain is not allowed to import handlers" in result.stdout
    assert "domain.text -> handlers.registry" in result.stdout
