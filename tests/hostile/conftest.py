"""Fixtures of the hostile-input tests: the fake Telegram Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram_server import FakeTelegramServer


@pytest.fixture
async def tg(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramServer]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter as timedelta, no deprecation warning
    async with FakeTelegramServer() as server:
        yield server
