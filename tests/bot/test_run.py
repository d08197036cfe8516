"""`giamngheo run` with no token: the web chat starts, prints its URL, answers, and SIGTERM or
SIGINT stops it within 5 seconds with nothing lost."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from aiohttp import ClientSession

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_run_prints_the_url_serves_and_stops_quickly(tmp_path: Path, sig: int) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "WEB_PORT": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        match = re.match(r"Web chat: (http://127\.0\.0\.1:\d+/)$", line.strip())
        assert match, line
        async with ClientSession() as http:
            body = {"client_id": "run-test-01", "message_id": "m1", "text": "/start"}
            async with http.post(match[1] + "api/chat", json=body) as response:
                assert (await response.json())["replies"][0]["text"].startswith("Xin chào!")
        started = time.monotonic()
        process.send_signal(sig)
        assert process.wait(timeout=5) == 0
        assert time.monotonic() - started < 5
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert (tmp_path / "var" / "giamngheo.db").is_file()


def test_the_wheel_carries_catalogs_data_migrations_and_the_page(tmp_path: Path) -> None:
    """`pip install .` alone must give a working bot: everything read at run time is packaged."""
    source = tmp_path / "src"  # setuptools writes build/ beside the sources: not in the repo
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "var", "*.egg-info", "__pycache__", ".pytest_cache"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    [wheel] = tmp_path.glob("giamngheo_bot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "locales/vi/LC_MESSAGES/giamngheo.po",
        "domain/data/poverty_standards.yaml",
        "domain/data/policies.yaml",
        "domain/data/wards.yaml",
        "db/migrations/env.py",
        "db/migrations/script.py.mako",
        "db/migrations/versions/0001_initial_schema.py",
        "bot/static/index.html",
        "bot/static/chat.js",
        # `giamngheo run --demo` seeds from these
        "bot/static/demo.js",
        "domain/data/courses_example.csv",
        "domain/data/jobs_example.csv",
        "domain/data/households_example.csv",
        "domain/data/visits_example.csv",
    ):
        assert required in names, required
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "giamngheo = bot.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
