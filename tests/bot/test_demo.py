"""`giamngheo run --demo`: the web chat on example data in a database file of its own, with a
role switcher for the household, the ward officer and the labour office."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """`python -m bot run --demo` in a fresh folder, with DATABASE_URL naming a real file."""
    real = tmp_path / "real.db"
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "WEB_PORT": "0",
           "DATABASE_URL": f"sqlite:///{real}",
           # a deployer's tokens are in the environment: the demo must not start those channels
           "TELEGRAM_BOT_TOKEN": "123:not-used", "ADMIN_IDS": "web:someone-admin"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--demo", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    lines = []
    try:
        while True:
            line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
            assert line, (await process.stderr.read()).decode()  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("Trò chuyện trên web:") or line.startswith("Web chat:"):
                break
        url = line.split(": ", 1)[1].strip().rstrip("/")
        assert "dữ liệu ví dụ" in lines[0] and "var/giamngheo-demo.db" in lines[0]
        yield url, real
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0
    assert not real.exists()  # the real database was never opened
    assert (tmp_path / "var" / "giamngheo-demo.db").is_file()


async def _say(http: aiohttp.ClientSession, url: str, who: str, text: str) -> str:
    async with http.post(url + "/api/chat", json={"client_id": who, "text": text}) as response:
        assert response.status == 200
        body = await response.json()
    return "\n".join([r["text"] for r in body["replies"]]
                     + [c["label"] for r in body["replies"] for c in r["choices"]])


async def _become(http: aiohttp.ClientSession, url: str, who: str, role: str) -> None:
    async with http.post(url + "/api/demo/role", json={"client_id": who, "role": role}) as r:
        assert r.status == 200 and (await r.json()) == {"role": role}


async def test_the_demo_shows_every_role_on_example_data(demo: tuple[str, Path]) -> None:
    url, _real = demo
    who = "visitor-0001"
    async with aiohttp.ClientSession() as http:
        async with http.get(url + "/api/demo") as response:
            info = await response.json()
        assert "ví dụ" in info["banner"]
        assert [r["id"] for r in info["roles"]] == ["household", "officer", "admin"]
        assert [r["label"] for r in info["roles"]] == [
            "Hộ gia đình (người dân)", "Cán bộ phường Phan Rang", "Cán bộ lao động, việc làm (quản trị)"]
        async with http.get(url + "/") as response:
            assert "/static/demo.js" in await response.text()

        # a household: example courses and jobs, no officer commands
        courses = await _say(http, url, who, "/khoahoc")
        assert "May công nghiệp (ví dụ)" in courses
        jobs = await _say(http, url, who, "/vieclam")
        assert "Công nhân may (ví dụ)" in jobs
        assert "chỉ dành cho" in await _say(http, url, who, "/ho")

        # an officer of Phan Rang: that ward's example households and their visits
        await _become(http, url, who, "officer")
        found = await _say(http, url, who, "/ho VIDU")
        assert "VIDU-001 · Nguyễn Văn A (ví dụ)" in found
        assert "VIDU-004" not in found  # Đông Hải is another officer's ward
        async with http.post(url + "/api/chat", json={"client_id": who, "text": "/ho VIDU-001"}) as r:
            [payload] = [c["payload"] for reply in (await r.json())["replies"]
                         for c in reply["choices"] if "VIDU-001" in c["label"]]
        async with http.post(url + "/api/chat", json={"client_id": who, "choice": payload}) as r:
            card = "\n".join(reply["text"] for reply in (await r.json())["replies"])
        assert "Thăm hỏi; hộ cần tư vấn vay vốn" in card  # the example visits are there
        assert "Trao đổi về học nghề may" in card
        assert "chỉ dành cho" in await _say(http, url, who, "/thongbao")

        # the labour office: broadcasts, and the whole city's households
        await _become(http, url, who, "admin")
        assert "nội dung thông báo (tối đa" in await _say(http, url, who, "/thongbao")
        await _say(http, url, who, "/huy")
        assert "VIDU-004" in await _say(http, url, who, "/ho VIDU")

        async with http.get(url + "/api/demo", params={"client_id": who}) as response:
            assert (await response.json())["current"] == "admin"  # a reload shows the role

        # and back to a household
        await _become(http, url, who, "household")
        assert "chỉ dành cho" in await _say(http, url, who, "/ho")
        async with http.post(url + "/api/demo/role",
                             json={"client_id": who, "role": "root"}) as response:
            assert response.status == 400


def test_the_demo_refuses_the_real_database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///var/giamngheo-demo.db")
    assert main(["run", "--demo"]) == 2
    assert "DATABASE_URL: var/giamngheo-demo.db is the demo's own file" in capsys.readouterr().err
    assert not (tmp_path / "var").exists()


async def test_outside_a_demo_there_is_no_switcher(app) -> None:  # type: ignore[no-untyped-def]
    from aiohttp.test_utils import TestClient, TestServer

    async with TestClient(TestServer(app.web_app())) as client:
        assert (await client.get("/api/demo")).status == 404
        response = await client.post("/api/demo/role", json={"client_id": "visitor-0001",
                                                             "role": "admin"})
        assert response.status == 404


async def test_the_examples_stay_open_in_later_years(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shipped dates age: in 2029 the demo still has courses and jobs open for sign-up."""
    from datetime import UTC, datetime

    from bot import demo as demo_module
    from bot.app import App
    from bot.settings import load_settings
    from tests.support import Chat, Clock

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))  # a locality's own files: the demo ignores them
    clock = Clock(datetime(2029, 3, 1, 2, 0, tzinfo=UTC))
    app = App(demo_module.demo_settings(load_settings()), clock=clock, demo=True)
    await app.open()
    try:
        assert app.settings.data_dir is None
        assert await demo_module.seed(app) == {"courses": 3, "jobs": 3, "households": 4,
                                               "visits": 4}
        chat = Chat(app, user="visitor-2029")
        await chat.send("/khoahoc")
        assert "1. May công nghiệp (ví dụ) — phường Phan Rang, từ 31/03/2029" in chat.text
        await chat.send("/vieclam")
        assert "Công nhân may (ví dụ)" in chat.text
        assert "31/03/2029" in chat.text  # 30 days ahead
    finally:
        await app.close()
