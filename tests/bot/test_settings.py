"""Settings: one clear line naming the variable for each bad value, at start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"database_url": "not a url"}, "DATABASE_URL: not a database URL"),
        ({"database_url": "mysql://x@y/z"}, "DATABASE_URL: unsupported database 'mysql'"),
        ({"web_port": "abc"}, "WEB_PORT:"),
        ({"web_port": "70000"}, "WEB_PORT:"),
        ({"locale": "fr"}, "LOCALE: unknown locale 'fr'"),
        ({"timezone": "Mars/Base"}, "TIMEZONE: unknown time zone 'Mars/Base'"),
        ({"admin_ids": "telegram"}, "ADMIN_IDS: expected channel:id items"),
        ({"zalo_webhook_secret": "short"}, "ZALO_WEBHOOK_SECRET: must be 8 to 256"),
        ({"telegram_webhook_url": "https://x.example/tg"}, "TELEGRAM_WEBHOOK_SECRET: required"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_a_bad_value_names_the_variable(env: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(**env)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("postgresql://postgres@127.0.0.1/test", "postgresql+asyncpg://postgres@127.0.0.1/test"),
        ("postgres://u:p@db/x", "postgresql+asyncpg://u:p@db/x"),
    ],
)
def test_database_urls_get_the_async_driver(given: str, stored: str) -> None:
    assert load_settings(database_url=given).database_url == stored


def test_defaults_need_no_configuration() -> None:
    settings = load_settings()
    assert settings.web_port == 8080 and settings.web_host == "127.0.0.1"
    assert settings.database_url == "sqlite+aiosqlite:///var/giamngheo.db"
    assert settings.timezone == "Asia/Ho_Chi_Minh" and settings.locale == "vi"
    assert settings.admins == frozenset()


def test_admin_ids_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "telegram:123, zalo:abc")
    assert load_settings().admins == {("telegram", "123"), ("zalo", "abc")}


def test_start_up_with_a_bad_value_prints_one_line_and_exits_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env={"WEB_PORT": "abc", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(_root())},
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "giamngheo: WEB_PORT: Input should be a valid integer, unable to parse string as an integer"
    ]
    assert "Traceback" not in result.stderr


def _root():  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(__file__).resolve().parents[2]
