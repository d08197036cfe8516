"""What every benchmark prints about the machine it ran on, so figures are read in context."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import UTC, datetime

import telegram


def machine() -> str:
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
            f"({platform.machine()}, {platform.system()}), Python {platform.python_version()}, "
            f"python-telegram-bot {telegram.__version__}, SQLite {sqlite3.sqlite_version}")


# What households type (free text), and a walk through the menus; each answered with one message.
FREE_TEXT = ("vay vốn làm ăn", "xin chào", "hỗ trợ tiền điện", "bảo hiểm y tế cho người nghèo",
             "tôi được hỗ trợ gì", "học nghề miễn phí", "nhà ở", "cảm ơn")
MENU = ("/menu", "2", "/menu", "1", "/menu", "3")
