"""Settings: read once at start-up from the environment (and an optional .env) into one object.

Nothing else in the project reads the environment. A bad value stops start-up with one line that
names the variable and the problem (`SettingsError`), never a traceback.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_LOCALES = ("vi", "en")
CHANNELS = ("telegram", "zalo", "web", "console")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/giamngheo.db"
# Paths the web server serves itself; a webhook path must not take one of them.
RESERVED_PATHS = ("/healthcheck",)
RESERVED_PREFIXES = ("/api/", "/static/", "/media/")


class SettingsError(Exception):
    """A configuration value is unusable; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Every configuration value the bot reads, with its default."""

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", frozen=True
    )

    database_url: str = DEFAULT_DATABASE_URL
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_path: str | None = None
    zalo_bot_token: SecretStr | None = None
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_webhook_path: str | None = None
    zalo_send_rate: float = Field(default=5.0, gt=0)
    telegram_send_rate: float = Field(default=25.0, gt=0, le=30)
    public_base_url: str | None = None
    admin_ids: str = ""
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = "vi"
    data_dir: Path | None = None
    resume_after_minutes: int = Field(default=30, ge=1)
    flood_burst: int = Field(default=20, ge=0)
    flood_per_minute: float = Field(default=60.0, gt=0)
    web_ip_burst: int = Field(default=300, ge=0)
    web_ip_per_minute: float = Field(default=1200.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Ho_Chi_Minh)") from exc
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"unknown locale {value!r}; one of: {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("admin_ids")
    @classmethod
    def _admin_ids(cls, value: str) -> str:
        parse_admin_ids(value)
        return value

    @field_validator(
        "telegram_api_base_url", "telegram_webhook_url", "zalo_webhook_url", "public_base_url",
        "zalo_api_base_url",
    )
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.rstrip("/") if not value.endswith("/bot") else value

    @field_validator("telegram_webhook_path", "zalo_webhook_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.fullmatch(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*", value):
            raise ValueError(f"expected a path starting with /, e.g. /telegram/webhook: {value!r}")
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _zalo_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 8 <= len(value.get_secret_value()) <= 256:
            raise ValueError("must be 8 to 256 characters long")
        return value

    @cached_property
    def admins(self) -> frozenset[tuple[str, str]]:
        """(channel, external user id) pairs that are admins from the start (parsed once: the
        core asks on every event)."""
        return parse_admin_ids(self.admin_ids)

    @property
    def telegram_webhook_local_path(self) -> str | None:
        """The path this server answers Telegram's webhook on (None: long polling)."""
        return _local_path(self.telegram_webhook_url, self.telegram_webhook_path)

    @property
    def zalo_webhook_local_path(self) -> str | None:
        """The path this server answers Zalo's webhook on (None: polling)."""
        return _local_path(self.zalo_webhook_url, self.zalo_webhook_path)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def check_channels(self) -> None:
        """Cross-field rules: a webhook needs its secret."""
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise SettingsError(
                "TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set"
            )
        if self.zalo_webhook_url and not self.zalo_webhook_secret:
            raise SettingsError("ZALO_WEBHOOK_SECRET: required when ZALO_WEBHOOK_URL is set")
        paths = {}
        for name, path in (("TELEGRAM", self.telegram_webhook_local_path),
                           ("ZALO", self.zalo_webhook_local_path)):
            if path is None:
                continue
            variable = (f"{name}_WEBHOOK_PATH" if getattr(self, f"{name.lower()}_webhook_path")
                        else f"{name}_WEBHOOK_URL")
            if path in RESERVED_PATHS or path.startswith(RESERVED_PREFIXES):
                raise SettingsError(
                    f"{variable}: the path {path} is the web chat's own; use another, "
                    f"e.g. /{name.lower()}/webhook"
                )
            if path in paths.values():
                raise SettingsError(f"{variable}: the path {path} is already Telegram's webhook")
            paths[name] = path


def _local_path(url: str | None, override: str | None) -> str | None:
    """The webhook's local path: the explicit *_WEBHOOK_PATH (for a proxy that rewrites paths),
    else the path of the public URL the platform is given."""
    if not url:
        return None
    return override or urlsplit(url).path or "/"


def normalise_database_url(value: str) -> str:
    """Accept the usual spellings and pin the async drivers (aiosqlite, asyncpg)."""
    try:
        url = make_url(value)
    except ArgumentError as exc:
        raise ValueError(f"not a database URL: {value!r} (e.g. {DEFAULT_DATABASE_URL})") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {backend!r}; use sqlite or postgresql")


def parse_admin_ids(value: str) -> frozenset[tuple[str, str]]:
    """Parse `telegram:123,zalo:abc` into pairs; an unknown channel or a missing id is an error."""
    pairs = set()
    for item in filter(None, (part.strip() for part in value.split(","))):
        channel, sep, ident = item.partition(":")
        if not sep or channel not in CHANNELS or not ident:
            raise ValueError(f"expected channel:id items like telegram:123, got {item!r}")
        pairs.add((channel, ident))
    return frozenset(pairs)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning any validation error into one clear `SettingsError` line."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{field.upper()}: {message}") from None
    settings.check_channels()
    return settings
