"""A small aiohttp client for the Zalo Bot Platform API, and the parsing of what Zalo sends.

Owns the wire format: URLs (`<base>/bot<TOKEN>/<method>`), the `{ok, result, error_code,
description}` envelope, 429 backoff, the client-side send rate, and tolerant parsing of updates.
Zalo's documentation and its real traffic differ in places (wrapped vs flat webhook bodies,
`photo` vs `photo_url`, `account_name` vs `name`, one update vs a list), so both are accepted.
Sources: the Zalo Bot Platform docs, https://bot.zaloplatforms.com/docs (methods, envelope,
error codes, the X-Bot-Api-Secret-Token webhook header); the flat webhook body as seen in
practice: openclaw/openclaw, extensions/zalo/src/monitor.webhook.ts on GitHub.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp

log = logging.getLogger("bot.zalo_api")  # its name before bot/zalo/ was a package

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT_LENGTH = 2000  # sendMessage text and sendPhoto caption (ZDOC)
POLLING_TIMEOUT = 408  # getUpdates: nothing new arrived in time, not a failure (ZDOC, openclaw)
QUOTA_EXCEEDED = 429
UNAUTHORIZED = 401
DEFAULT_RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
_SEND_METHODS = frozenset({"sendMessage", "sendPhoto"})


class ZaloApiError(Exception):
    """The API answered `ok: false` (or not at all: `error_code` 0 for network faults)."""

    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(f"Zalo API error {error_code}: {description}")
        self.error_code = error_code
        self.description = description


@dataclass(frozen=True, slots=True)
class BotInfo:
    """What getMe says about the bot."""

    id: str
    name: str
    account_type: str | None = None
    can_join_groups: bool | None = None


@dataclass(frozen=True, slots=True)
class WebhookInfo:
    """What setWebhook / deleteWebhook / getWebhookInfo answer."""

    url: str
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What sendMessage / sendPhoto / sendSticker answer."""

    message_id: str | None
    date: datetime | None = None


@dataclass(frozen=True, slots=True)
class ZaloEvent:
    """One update from Zalo (webhook delivery or getUpdates result), flattened."""

    event_name: str
    message_id: str | None = None
    chat_id: str | None = None
    chat_type: str | None = None
    user_id: str | None = None
    text: str = ""
    photo_url: str | None = None
    caption: str = ""
    sticker: str | None = None
    date: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


MAX_SECONDS = 4_102_444_800  # 1/1/2100


def from_millis(value: Any) -> datetime | None:
    """Zalo dates are milliseconds since the epoch; a value that looks like seconds is taken so."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    seconds = value / 1000 if value > 10**11 else value
    if not 0 <= seconds < MAX_SECONDS:  # NaN, ±inf, ±1e20: no date, rather than a crash
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def _str_or_none(value: Any) -> str | None:
    """Ids are strings on Zalo; some traffic sends numbers, so normalise."""
    return None if value is None or value == "" else str(value)


def unwrap_update(body: Any) -> dict[str, Any] | None:
    """Return the `{event_name, message}` object from a wrapped or flat body, else None."""
    if not isinstance(body, dict):
        return None
    inner = body.get("result") if "result" in body else body
    if isinstance(inner, dict) and isinstance(inner.get("event_name"), str):
        return inner
    return None


def parse_event(body: Any) -> ZaloEvent | None:
    """Parse one update, accepting `{ok, result: {event_name, message}}` and the flat form."""
    update = unwrap_update(body)
    if update is None:
        return None
    message = update.get("message")
    message = message if isinstance(message, dict) else {}
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    user_id = _str_or_none(sender.get("id"))
    return ZaloEvent(
        event_name=update["event_name"],
        message_id=_str_or_none(message.get("message_id")),
        chat_id=_str_or_none(chat.get("id")) or user_id,
        chat_type=chat.get("chat_type"),
        user_id=user_id,
        text=str(message.get("text") or ""),
        photo_url=_str_or_none(message.get("photo_url") or message.get("photo")),
        caption=str(message.get("caption") or ""),
        sticker=_str_or_none(message.get("sticker")),
        date=from_millis(message.get("date")),
        raw=update,
    )


def _parse_updates(result: Any) -> list[ZaloEvent]:
    """getUpdates gives one update per call (ZDOC); accept a list too, as Telegram would."""
    items = result if isinstance(result, list) else [result]
    events = [parse_event(item) for item in items]
    return [event for event in events if event is not None]


def _parse_webhook_info(result: Any) -> WebhookInfo:
    data = result if isinstance(result, dict) else {}
    return WebhookInfo(
        url=str(data.get("url") or ""), updated_at=from_millis(data.get("updated_at"))
    )


def _parse_sent(result: Any) -> SentMessage:
    data = result if isinstance(result, dict) else {}
    return SentMessage(
        message_id=_str_or_none(data.get("message_id")), date=from_millis(data.get("date"))
    )


class RateLimiter:
    """A token bucket: at most `rate` acquisitions per second, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more request fits in the rate."""
        async with self._lock:
            now = time.monotonic()
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            if self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) / self._rate)
                self._tokens = 1.0
                self._updated = time.monotonic()
            self._tokens -= 1


class ZaloApi:
    """Typed calls to the nine Zalo Bot API methods over one aiohttp session.

    Send methods pass through the rate limiter; a 429 is retried after each of `retry_delays`
    in turn, then raised. The token never appears in errors or logs.
    """

    def __init__(
        self,
        token: str,
        base_url: str,
        session: aiohttp.ClientSession,
        *,
        limiter: RateLimiter | None = None,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        request_timeout: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._limiter = limiter
        self._retry_delays = tuple(retry_delays)
        self._request_timeout = request_timeout
        self._sleep = sleep

    async def get_me(self) -> BotInfo:
        """Check the token and return the bot's identity."""
        data = await self._call("getMe")
        data = data if isinstance(data, dict) else {}
        return BotInfo(
            id=str(data.get("id") or ""),
            name=str(data.get("account_name") or data.get("name") or ""),
            account_type=data.get("account_type"),
            can_join_groups=data.get("can_join_groups"),
        )

    async def get_updates(self, timeout: float = 30.0) -> list[ZaloEvent]:
        """Long-poll for the next update; an empty list when none arrived (408 or our timeout)."""
        try:
            # Zalo wants whole seconds as a string; our own timeout leaves room for its answer.
            payload = {"timeout": str(max(1, round(timeout)))}
            result = await self._call("getUpdates", payload, request_timeout=timeout + 10)
        except ZaloApiError as exc:
            if exc.error_code == POLLING_TIMEOUT:
                return []
            raise
        return _parse_updates(result) if result else []

    async def set_webhook(self, url: str, secret_token: str) -> WebhookInfo:
        """Register the webhook URL and the secret Zalo will echo in X-Bot-Api-Secret-Token."""
        result = await self._call("setWebhook", {"url": url, "secret_token": secret_token})
        return _parse_webhook_info(result)

    async def delete_webhook(self) -> WebhookInfo:
        """Remove the webhook (getUpdates does not work while one is set)."""
        return _parse_webhook_info(await self._call("deleteWebhook"))

    async def send_message(self, chat_id: str, text: str) -> SentMessage:
        """Send 1-2000 characters of text."""
        return _parse_sent(await self._call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(
        self, chat_id: str, photo: str, caption: str | None = None
    ) -> SentMessage:
        """Send an image by URL, with an optional caption of up to 2000 characters."""
        payload: dict[str, str] = {"chat_id": chat_id, "photo": photo}
        if caption:
            payload["caption"] = caption
        return _parse_sent(await self._call("sendPhoto", payload))

    async def _call(
        self,
        method: str,
        payload: dict[str, str] | None = None,
        *,
        request_timeout: float | None = None,
    ) -> Any:
        """POST one method, retrying after each delay while Zalo answers 429."""
        delays = iter(self._retry_delays)
        while True:
            if self._limiter is not None and method in _SEND_METHODS:
                await self._limiter.acquire()
            try:
                return await self._post(method, payload, request_timeout)
            except ZaloApiError as exc:
                delay = next(delays, None) if exc.error_code == QUOTA_EXCEEDED else None
                if delay is None:
                    raise
                log.warning("zalo %s: quota exceeded, retrying in %.2fs", method, delay)
                await self._sleep(delay)

    async def _post(
        self, method: str, payload: dict[str, str] | None, request_timeout: float | None
    ) -> Any:
        """One HTTP round trip; reads the envelope whatever the HTTP status says."""
        url = f"{self._base_url}/bot{self._token}/{method}"
        timeout = aiohttp.ClientTimeout(total=request_timeout or self._request_timeout)
        try:
            async with self._session.post(url, json=payload or {}, timeout=timeout) as response:
                status = response.status
                text = await response.text()
        except TimeoutError as exc:
            raise ZaloApiError(POLLING_TIMEOUT, f"{method}: no answer in time") from exc
        except aiohttp.ClientError as exc:
            detail = str(exc).replace(self._token, "<token>")
            raise ZaloApiError(0, f"{method}: {type(exc).__name__}: {detail}") from exc
        return self._read_envelope(method, status, text)

    def _read_envelope(self, method: str, status: int, text: str) -> Any:
        """Return `result` of an ok envelope; raise ZaloApiError otherwise."""
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is True and status < 400:
            return body.get("result")
        if isinstance(body, dict):
            code = body.get("error_code")
            if not isinstance(code, int) or isinstance(code, bool):
                code = status if status >= 400 else 0
            description = str(body.get("description") or body.get("message") or "")
        else:
            code, description = status, text[:200].replace(self._token, "<token>")
        raise ZaloApiError(code, description or f"{method} failed (HTTP {status})")
