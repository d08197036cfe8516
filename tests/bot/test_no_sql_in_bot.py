"""SQL lives in db/ (issue 18): no module of the runtime (bot/) imports sqlalchemy; bot/ calls
db's query functions. Checked on the real import graph (grimp, which import-linter runs on):
imports inside functions count, annotations under `if TYPE_CHECKING:` do not. A planted import
shows the check catches one. (Not a second contract in pyproject.toml: tests/test_layers.py
counts that file's contracts.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import grimp
graph = grimp.build_graph("bot", include_external_packages=True,
                          exclude_type_checking_imports=True, cache_dir=None)
for module in sorted(graph.find_descendants("bot") | {"bot"}):
    for imported in sorted(graph.find_modules_directly_imported_by(module)):
        if imported.split(".")[0] == "sqlalchemy":
            print(module, "->", imported)
"""


def _sql_imports(where: Path) -> list[str]:
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=where, capture_output=True,
                            text=True, timeout=120,
                            env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


def test_the_runtime_imports_no_sqlalchemy() -> None:
    assert _sql_imports(ROOT) == []


def test_a_query_written_in_bot_is_caught(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "bot", tmp_path / "bot",
                    ignore=shutil.ignore_patterns("__pycache__", "static"))
    planted = tmp_path / "bot" / "web.py"
    planted.write_text(planted.read_text() + "\n\ndef _count():\n"
                       "    from sqlalchemy import func  # noqa\n    return func.count()\n")
    assert _sql_imports(tmp_path) == ["bot.web -> sqlalchemy"]
