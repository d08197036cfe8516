"""Telegram sending: the messages bot/telegram/render.py decided, as Bot API calls, within
Telegram's limits, with its failures turned into what the core and the outbox expect.

Telegram's ~30 messages/s is a limit on bulk notifications, not on answering people who write.
So PTB's AIORateLimiter keeps the per-group (20/min) limit and waits out 429 RetryAfter for
every request, while the overall 30/s cap applies to proactive sends only (here, and below that
the outbox's TELEGRAM_SEND_RATE): replies to a busy hour of users are not queued behind a cap
meant for broadcasts. Every message to a chat is also paced per chat (about 1/s, bursts of 3),
which AIORateLimiter does not do: proactive sends, and answers (a reply of several messages, or
several quick replies in a row), which share the chat's budget. 403 Forbidden marks the chat
blocked until the user writes again; network errors and timeouts are retried a bounded number
of times.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiolimiter import AsyncLimiter
from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.channel import SendRate
from bot.telegram.render import Outgoing, Renderer
from domain.messages import DeliveryError, Reply

log = logging.getLogger("bot.telegram")

T = TypeVar("T")


class Sender:
    """Sends replies to chats: answers (`deliver`) and proactive sends (`send`)."""

    def __init__(
        self, bot: Bot, renderer: Renderer, rate: SendRate, *, max_retries: int,
        retry_delay: float, on_blocked: Callable[[str], Awaitable[None]] | None,
    ) -> None:
        self._bot = bot
        self._renderer = renderer
        self._max_retries = max_retries
        self._retry_delay = retry_delay
        self._on_blocked = on_blocked
        self._blocked: set[str] = set()
        self._pacer = ChatPacer(rate.per_chat or 1.0, rate.chat_burst)
        # The overall cap on proactive sends: Telegram's ~30/s unless configured otherwise (a
        # bot with paid broadcasts, or a test server with another limit).
        self._proactive_limit = AsyncLimiter(rate.per_second, 1)

    def unblock(self, chat_id: str) -> None:
        """The user wrote: sending to them may resume."""
        self._blocked.discard(chat_id)

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Proactive send (reminders, broadcasts). Raises DeliveryError; permanent for 403."""
        if chat_id in self._blocked:
            raise DeliveryError("the user has blocked the bot", permanent=True)
        try:
            await self._send(chat_id, reply, paced=True)
        except Forbidden as exc:
            await self._mark_blocked(chat_id)
            raise DeliveryError(f"forbidden: {exc.message}", permanent=True) from exc
        except RetryAfter as exc:
            raise DeliveryError("flood limit", retry_after=_seconds(exc)) from exc
        except BadRequest as exc:  # chat not found, bad markup: the same request fails again
            raise DeliveryError(f"bad request: {exc.message}", permanent=True) from exc
        except TelegramError as exc:
            raise DeliveryError(f"network: {exc.message}") from exc

    async def deliver(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send the core's answer in order; stop at the first message that cannot go."""
        for reply in replies:
            try:
                await self._send(chat_id, reply, paced=False)
            except Forbidden:
                await self._mark_blocked(chat_id)
                return
            except TelegramError as exc:
                log.warning("telegram: reply not delivered: %s", exc)
                return

    async def _mark_blocked(self, chat_id: str) -> None:
        self._blocked.add(chat_id)
        log.info("telegram: a user blocked the bot")
        if self._on_blocked is not None:
            try:
                await self._on_blocked(chat_id)
            except Exception:
                log.exception("telegram: on_blocked failed")

    async def _send(self, chat_id: str, reply: Reply, *, paced: bool) -> None:
        target = api_chat_id(chat_id)
        for message in self._renderer.messages(chat_id, reply):
            await self._call(chat_id, paced, lambda message=message: self._put(target, message))

    async def _put(self, target: int | str, message: Outgoing) -> Message:
        """One message as one API call."""
        if message.image is None and message.document is None:
            assert message.text is not None
            return await self._bot.send_message(target, message.text, parse_mode=ParseMode.HTML,
                                                reply_markup=message.markup)
        options: dict[str, Any] = {"reply_markup": message.markup}
        if message.text is not None:
            options.update(caption=message.text, parse_mode=ParseMode.HTML)
        if message.image is not None:
            return await self._bot.send_photo(target, message.image, **options)
        assert message.document is not None
        document = InputFile(message.document.data, filename=message.document.file_name)
        return await self._bot.send_document(target, document, **options)

    async def _call(self, chat_id: str, paced: bool, send: Callable[[], Awaitable[T]]) -> T:
        """One API call with bounded retries on network errors and timeouts.

        RetryAfter is retried by AIORateLimiter (max_retries); Forbidden and BadRequest are
        final. A timed-out send may in fact have arrived, so retries are few.
        """
        for attempt in range(self._max_retries + 1):
            # Every message to a chat, answer or notice, keeps to the chat's ~1/s (bursts of 3):
            # a reply of several messages waits its turn instead of drawing a 429.
            await asyncio.sleep(self._pacer.delay(chat_id))
            if paced:
                await self._proactive_limit.acquire()
            try:
                return await send()
            except (BadRequest, Forbidden, RetryAfter):
                raise
            except NetworkError as exc:
                if attempt == self._max_retries:
                    raise
                log.info("telegram: send failed (%s), retry %d", exc, attempt + 1)
                await asyncio.sleep(self._retry_delay * 2**attempt)
        raise AssertionError("unreachable")


class ChatPacer:
    """Per-chat pacing for proactive sends (GCRA): `rate` messages per second, bursts of `burst`.

    `delay(chat)` reserves the next slot and returns how long to wait for it, so concurrent
    senders to one chat queue up instead of all firing at once.
    """

    def __init__(
        self, rate: float = 1.0, burst: int = 3, clock: Callable[[], float] = time.monotonic,
        max_chats: int = 10_000,
    ) -> None:
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._max_chats = max_chats
        self._tat: OrderedDict[str, float] = OrderedDict()  # theoretical arrival time

    def delay(self, chat_id: str) -> float:
        now = self._clock()
        tat = max(self._tat.pop(chat_id, now), now)
        wait = max(0.0, tat - now - self._tolerance)
        self._tat[chat_id] = tat + self._interval
        if len(self._tat) > self._max_chats:
            self._tat.popitem(last=False)
        return wait


def api_chat_id(chat_id: str) -> int | str:
    """Numeric ids go to PTB as int (its rate limiter treats string ids as groups)."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


def _seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds, without the deprecated int accessor's warning."""
    # The public `retry_after` warns (deprecated int) unless PTB_TIMEDELTA is set.
    value = exc._retry_after
    return value.total_seconds()
