"""The labour office becomes admin without anyone looking up ids: `giamngheo admin invite
--admin` prints a one-time code, the person sends `/canbo CODE`, and /thongbao is theirs.
`/toi` shows a person their channel, id and role; `giamngheo admin revoke` takes the role back.
Every step is audited. The CLI runs in-process through its real entry point (`bot.cli.main`)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.settings import load_settings
from db.models import AuditLog, User
from db.officers import roster as repo
from tests.support import Chat, open_app


@pytest.fixture
def terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`giamngheo …` in a fresh folder with its own SQLite file; returns (exit code, stdout,
    stderr) per call, with `stdin` fed to the console."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/bot.db")
    monkeypatch.delenv("ADMIN_IDS", raising=False)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        monkeypatch.setattr("sys.stdout", out)
        monkeypatch.setattr("sys.stderr", err)
        code = main(list(args))
        return code, out.getvalue(), err.getvalue()

    return run


def _audit(tmp_path: Path) -> list[tuple[str, object, object]]:
    async def read() -> list[tuple[str, object, object]]:
        from bot.app import App

        app = App(load_settings(database_url=f"sqlite:///{tmp_path}/bot.db"))
        await app.open(migrate=False)
        try:
            async with app.core.sessions() as session:  # type: ignore[union-attr]
                rows = await session.execute(
                    select(AuditLog.action, AuditLog.before, AuditLog.after).order_by(AuditLog.id))
                return [tuple(row) for row in rows]
        finally:
            await app.close()

    return asyncio.run(read())


def test_admin_invite_end_to_end_in_the_console(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = terminal("admin", "invite", "--admin")
    assert code == 0, err
    invite = out.strip()
    assert len(invite) == 8 and invite.isalnum()
    assert f"/canbo {invite}" in err and "7" in err

    code, out, err = terminal("console", "--user", "phong-ldtbxh",
                              stdin=f"/toi\n/thongbao\n/huy\n/canbo {invite}\n/toi\n/thongbao\n")
    assert code == 0, err
    before, after = out.split("Chào mừng! Bạn đã là quản trị viên")  # the code was accepted
    # before: a resident, and /thongbao is not theirs
    assert "Kênh: dòng lệnh" in before and "Mã của bạn: phong-ldtbxh" in before
    assert "Vai trò: người dân" in before
    assert "Lệnh này chỉ dành cho cán bộ phường/xã và cán bộ lao động, việc làm" in before
    # after: /toi says admin, and /thongbao starts composing a notice
    assert "Vai trò: cán bộ lao động, việc làm (quản trị)" in after
    assert "console:phong-ldtbxh" in after
    assert "Lệnh này chỉ dành cho" not in after
    assert "nội dung thông báo (tối đa" in after  # the compose dialog's first question

    actions = [row[0] for row in _audit(tmp_path)]
    assert actions == ["invite.create", "admin.join"]

    # the same code a second time, by someone else: refused, nobody else becomes admin
    code, out, err = terminal("console", "--user", "someone-else",
                              stdin=f"/canbo {invite}\n/thongbao\n")
    assert code == 0, err
    assert "Mã này đã được dùng rồi" in out
    assert "Lệnh này chỉ dành cho cán bộ phường/xã và cán bộ lao động, việc làm" in out

    # revoking the admin, from the terminal: audited, and /thongbao is gone
    code, out, err = terminal("admin", "revoke", "console:phong-ldtbxh")
    assert code == 0, err
    assert "console:phong-ldtbxh" in out and "người dân" in out
    audit = _audit(tmp_path)
    assert audit[-1][0] == "admin.revoke"
    assert audit[-1][1]["role"] == "admin" and audit[-1][2]["role"] == "citizen"  # type: ignore[index]
    code, out, err = terminal("console", "--user", "phong-ldtbxh", stdin="/thongbao\n")
    assert "Lệnh này chỉ dành cho cán bộ phường/xã và cán bộ lao động, việc làm" in out


def test_revoke_refuses_what_it_cannot_do(terminal, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = terminal("admin", "revoke", "console:nobody")
    assert code == 2 and "không phải quản trị viên hay cán bộ" in err
    code, _out, err = terminal("admin", "revoke", "fax:1")
    assert code == 2 and "telegram:123" in err
    monkeypatch.setenv("ADMIN_IDS", "telegram:42")
    code, _out, err = terminal("admin", "revoke", "telegram:42")
    assert code == 2 and "ADMIN_IDS" in err  # it would come back with the next message
    with pytest.raises(SystemExit) as usage:  # neither --ward nor --admin: argparse's usage
        terminal("admin", "invite")
    assert usage.value.code == 2


async def test_an_admin_code_expires_after_seven_days(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock)
    try:
        async with app.core.sessions() as session, session.begin():  # type: ignore[union-attr]
            early = await repo.create_invite(session, [], None, clock.now, 7, role="admin")
            late = await repo.create_invite(session, [], None, clock.now, 7, role="admin")
        clock.advance(days=6, hours=23)
        first = Chat(app, user="lan")
        await first.send(f"/canbo {early.code}")
        assert "quản trị viên" in first.text
        clock.advance(hours=1)  # exactly seven days: no longer valid
        second = Chat(app, user="minh")
        await second.send(f"/canbo {late.code.lower()}")
        assert "Mã này đã hết hạn" in second.text
        await second.send("/thongbao")
        assert "Lệnh này chỉ dành cho" in second.text
        async with app.core.sessions() as session:  # type: ignore[union-attr]
            roles = dict((await session.execute(select(User.external_id, User.role))).all())
        assert roles == {"lan": "admin", "minh": "citizen"}
    finally:
        await app.close()


async def test_toi_shows_an_officers_wards_and_is_in_the_help(app, chat: Chat, clock) -> None:  # type: ignore[no-untyped-def]
    await chat.send("/trogiup")
    assert "/toi — Kênh, mã và vai trò của bạn" in chat.text
    async with app.core.sessions() as session, session.begin():
        invite = await repo.create_invite(session, ["Phan Rang"], None, clock.now, 7)
    await chat.send(f"/canbo {invite.code}")
    await chat.send("/toi")
    assert "Kênh: trò chuyện trên web" in chat.text
    assert "Vai trò: cán bộ phường/xã" in chat.text
    assert "Phường/xã: Phan Rang" in chat.text
    assert "web:u1" in chat.text
