"""A clone with nothing beside it passes: the channel tests read the Bot API spec the repo
carries (tests/fakes/data), nothing outside the repo. This copies the tracked files to a fresh
temporary folder with nothing beside them and runs a spec-checked sample of the channel tests there, in a
subprocess with no TELEGRAM_API_SPEC. (`make test-clone` runs every channel test that way.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = [
    "tests/channels/test_telegram.py::test_whole_dialog_by_typing",
    "tests/channels/test_telegram.py::test_the_spec_check_catches",
    "tests/channels/test_channels_app.py::test_telegram_webhook_checks_the_secret",
]


def copy_tracked_files(destination: Path) -> None:
    """The files a fresh clone has: git's tracked files (plus new ones not yet committed), or
    the tree without local state where there is no git."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(
            ".venv", ".git", "var", "__pycache__", "*.egg-info", ".pytest_cache"))
        return
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def test_channel_tests_pass_in_a_clone_with_nothing_beside_it(tmp_path: Path) -> None:
    clone = tmp_path / "giamngheo-bot"
    copy_tracked_files(clone)
    assert [entry.name for entry in clone.parent.iterdir()] == [clone.name]
    assert (clone / "tests" / "fakes" / "data" / "telegram-bot-api.json").is_file()
    env = {key: value for key, value in os.environ.items()
           if key not in ("TELEGRAM_API_SPEC", "PYTHONPATH", "TEST_DATABASE_URL")}
    # One interpreter: say where the code and the spec come from, then run the sample.
    script = (
        "import sys, pytest; sys.path.insert(0, '.'); import bot.app; "
        "from tests.fakes.botapi_spec import spec_path, load_spec; "
        "print('code', bot.app.__file__); print('spec', spec_path(), load_spec()['version']); "
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '-p', 'no:randomly', *sys.argv[1:]]))"
    )
    result = subprocess.run([sys.executable, "-c", script, *SAMPLE], cwd=clone, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert Path(lines[0].removeprefix("code ")).is_relative_to(clone)  # the clone's own code
    spec, version = lines[1].removeprefix("spec ").split(" ", 1)
    assert Path(spec).is_relative_to(clone) and version == "Bot API 10.1"
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) > len(SAMPLE)  # the spec check's cases count each
    assert "failed" not in result.stdout and "error" not in result.stdout
