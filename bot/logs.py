"""Log hygiene for every library's log lines: no secret and no personal data in any of them.

`install()` puts one filter on the root logger's handlers, so it sees every record that reaches
a log file or the console, whichever library wrote it:

- secrets are redacted: the bot tokens and webhook secrets from the settings, and anything
  shaped like a Telegram token (httpx logs each request URL, which holds /bot<TOKEN>/), in the
  message, its arguments and a formatted traceback;
- DEBUG records of the libraries that dump whole requests, statements and their parameters
  (python-telegram-bot's API calls with message text and first names, aiosqlite's and
  SQLAlchemy's statements with names and phones, httpcore's request lines) are dropped. Their
  INFO and above are kept, redacted. The bot's own lines never carry names, phones or text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

TELEGRAM_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "<redacted>"
# libraries whose DEBUG lines carry payloads (message text, names, phones, SQL parameters)
PAYLOAD_LOGGERS = ("telegram", "aiosqlite", "sqlalchemy", "httpcore", "httpx", "hpack",
                   "asyncpg", "apscheduler", "aiohttp", "urllib3")


class Redact(logging.Filter):
    """Redacts secrets from a record and drops the libraries' payload-carrying DEBUG lines."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__("giamngheo-redact")
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TELEGRAM_TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name.split(".")[0] in PAYLOAD_LOGGERS:
            return False
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: keep the raw template only
            message = str(record.msg)
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def secrets_of(settings: object) -> list[str]:
    """The secret values of the settings (every SecretStr field that is set)."""
    found = []
    for name in ("telegram_bot_token", "zalo_bot_token", "telegram_webhook_secret",
                 "zalo_webhook_secret"):
        value = getattr(settings, name, None)
        if value is not None:
            found.append(value.get_secret_value())
    return found


def install(secrets: Iterable[str] = (), root: logging.Logger | None = None) -> Redact:
    """Put the filter on every handler of the root logger (once each); returns it."""
    root = root or logging.getLogger()
    redact = Redact(secrets)
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, Redact)]:
            handler.removeFilter(old)
        handler.addFilter(redact)
    return redact
