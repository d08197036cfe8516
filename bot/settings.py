"""Settings: read once at start-up from the environment (and an optional .env) into one object.

Nothing else in the project reads the environment. A bad value stops start-up with one line that
names the variable and the problem (`SettingsError`), never a traceback.

`Settings` holds what every deployment has; each channel's own variables (TELEGRAM_BOT_TOKEN,
ZALO_WEBHOOK_URL, …) come from its row in the table of channels (bot/channels.py), so the model
`load_settings` fills is `settings_model(CHANNELS)`: these fields plus every channel's.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, create_model, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import channels
from bot.channel import ChannelKind, Url
from db.engine import DEFAULT_DATABASE_URL, normalise_database_url

SUPPORTED_LOCALES = ("vi", "en")
# Paths the web server serves itself; a webhook path must not take one of them.
RESERVED_PATHS = ("/healthcheck",)
RESERVED_PREFIXES = ("/api/", "/static/", "/media/")


class SettingsError(Exception):
    """A configuration value is unusable; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Every configuration value the bot reads, with its default; the channels' own are added by
    `settings_model` (their rows in bot/channels.py say which)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", frozen=True
    )
    channel_kinds: ClassVar[tuple[ChannelKind, ...]] = ()  # the table this model was made from

    database_url: str = DEFAULT_DATABASE_URL
    public_base_url: Url = None
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
        parse_admin_ids(value, cls.channel_names())
        return value

    @classmethod
    def channel_names(cls) -> tuple[str, ...]:
        """The channels of this model's table: what ADMIN_IDS and `channel:id` may name."""
        return tuple(kind.name for kind in cls.channel_kinds)

    @cached_property
    def admins(self) -> frozenset[tuple[str, str]]:
        """(channel, external user id) pairs that are admins from the start (parsed once: the
        core asks on every event)."""
        return parse_admin_ids(self.admin_ids, self.channel_names())

    def webhook_local_path(self, channel: str) -> str | None:
        """The path this server answers the channel's webhook on (None: it polls): the
        explicit <NAME>_WEBHOOK_PATH (for a proxy that rewrites paths), else the path of the
        public <NAME>_WEBHOOK_URL the platform is given."""
        url = getattr(self, f"{channel}_webhook_url", None)
        if not url:
            return None
        return getattr(self, f"{channel}_webhook_path") or urlsplit(url).path or "/"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def check_channels(self) -> None:
        """Cross-field rules of every webhook: it needs its secret; its local path is neither
        the web chat's nor another channel's."""
        hooked = [kind for kind in self.channel_kinds if kind.webhook]
        for kind in hooked:
            name = kind.name.upper()
            if getattr(self, f"{kind.name}_webhook_url") and \
                    not getattr(self, f"{kind.name}_webhook_secret"):
                raise SettingsError(
                    f"{name}_WEBHOOK_SECRET: required when {name}_WEBHOOK_URL is set")
        taken: dict[str, ChannelKind] = {}
        for kind in hooked:
            path = self.webhook_local_path(kind.name)
            if path is None:
                continue
            name = kind.name.upper()
            variable = (f"{name}_WEBHOOK_PATH" if getattr(self, f"{kind.name}_webhook_path")
                        else f"{name}_WEBHOOK_URL")
            if path in RESERVED_PATHS or path.startswith(RESERVED_PREFIXES):
                raise SettingsError(
                    f"{variable}: the path {path} is the web chat's own; use another, "
                    f"e.g. /{kind.name}/webhook"
                )
            if path in taken:
                raise SettingsError(
                    f"{variable}: the path {path} is already {taken[path].title}'s webhook")
            taken[path] = kind


@cache
def settings_model(kinds: tuple[ChannelKind, ...]) -> type[Settings]:
    """`Settings` with the variables of these channels (see ChannelKind.setting_fields), and,
    for each webhook, its `<name>_webhook_local_path`."""
    fields: dict[str, Any] = {}
    for kind in kinds:
        fields.update(kind.setting_fields())
    model = create_model("Settings", __base__=Settings, __module__=__name__, **fields)
    model.channel_kinds = kinds
    for kind in kinds:
        if kind.webhook:
            setattr(model, f"{kind.name}_webhook_local_path",
                    property(lambda self, name=kind.name: self.webhook_local_path(name)))
    return model


def parse_admin_ids(value: str, names: Sequence[str]) -> frozenset[tuple[str, str]]:
    """Parse `telegram:123,zalo:abc` into pairs; an unknown channel or a missing id is an error."""
    pairs = set()
    for item in filter(None, (part.strip() for part in value.split(","))):
        channel, sep, ident = item.partition(":")
        if not sep or channel not in names or not ident:
            raise ValueError(f"expected channel:id items like telegram:123, got {item!r}")
        pairs.add((channel, ident))
    return frozenset(pairs)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning any validation error into one clear `SettingsError` line."""
    try:
        settings = settings_model(channels.CHANNELS)(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{field.upper()}: {message}") from None
    settings.check_channels()
    return settings
