"""A fake Zalo Bot Platform API on 127.0.0.1 for tests, and helpers to build and deliver updates.

Implements the nine documented methods at `/bot<TOKEN>/<method>` with the `{ok, result,
error_code, description}` envelope: a wrong token gets 401, getUpdates hands out one queued
update per call or 408 after `poll_timeout` seconds, send methods check Zalo's limits (text 1-2000
characters, photo by http(s) URL). Tests can push updates, force errors on the next N calls, and
wait (on a condition, never a sleep) for messages or calls. Every call is recorded.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal, Self

import aiohttp
from aiohttp import web

TEXT_EVENT = "message.text.received"


@dataclass(frozen=True, slots=True)
class Call:
    """One request the fake received: method, parameters, arrival time, answered status."""

    method: str
    params: dict[str, Any]
    at: float
    status: int


@dataclass(frozen=True, slots=True)
class Sent:
    """One message the bot sent (sendMessage, sendPhoto or sendSticker)."""

    method: str
    chat_id: str
    text: str = ""
    photo: str | None = None
    caption: str | None = None
    sticker: str | None = None


@dataclass(slots=True)
class _Failure:
    error_code: int
    description: str
    remaining: int
    method: str | None


class FakeZaloServer:
    """The fake API. Use `async with FakeZaloServer() as fake:` or start()/close()."""

    def __init__(
        self,
        token: str = "1234567890:fake-bot-token",
        *,
        poll_timeout: float = 0.2,
        error_http_status: bool = False,
    ) -> None:
        self.token = token
        self.poll_timeout = poll_timeout
        # Zalo's HTTP status on errors is undocumented: False answers HTTP 200 with ok:false,
        # True answers with the error code as the HTTP status. The client must accept both.
        self.error_http_status = error_http_status
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.webhook_url = ""
        self.webhook_secret = ""
        self.base_url = ""
        self._updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._failures: list[_Failure] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a random port; `base_url` says where."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- what tests drive -------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for the next getUpdates call."""
        self._updates.put_nowait(update)

    def fail_next(
        self, error_code: int, description: str = "", *, times: int = 1, method: str | None = None
    ) -> None:
        """Answer the next `times` calls (of `method`, or of any method) with this error."""
        self._failures.append(_Failure(error_code, description, times, method))

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def messages_to(self, chat_id: str) -> list[Sent]:
        return [sent for sent in self.sent if sent.chat_id == chat_id]

    async def wait_for_messages(self, chat_id: str, n: int, timeout: float = 5.0) -> list[Sent]:
        """Wait until at least `n` messages went to `chat_id`; return all of them."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.messages_to(chat_id)) >= n)
        return self.messages_to(chat_id)

    async def wait_for_calls(self, method: str, n: int, timeout: float = 5.0) -> list[Call]:
        """Wait until `method` was called at least `n` times; return those calls."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= n)
        return self.calls_to(method)

    # -- the API ----------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        if request.match_info["token"] != self.token:
            return await self._answer(method, params, _error(401, "Unauthorized"))
        failure = self._take_failure(method)
        if failure is not None:
            return await self._answer(method, params, _error(*failure))
        handler = getattr(self, f"_m_{method}", None)  # method names are case-sensitive
        if handler is None:
            return await self._answer(method, params, _error(400, "Method not found"))
        return await self._answer(method, params, await handler(params))

    def _take_failure(self, method: str) -> tuple[int, str] | None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.method in (None, method):
                failure.remaining -= 1
                return failure.error_code, failure.description
        return None

    async def _answer(
        self, method: str, params: dict[str, Any], body: dict[str, Any]
    ) -> web.Response:
        status = 200 if body["ok"] else body["error_code"]
        async with self._changed:
            self.calls.append(Call(method, params, time.monotonic(), status))
            self._changed.notify_all()
        http_status = status if self.error_http_status else 200
        return web.json_response(body, status=http_status)

    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        bot_id = self.token.split(":", 1)[0]
        return _ok(
            {
                "id": bot_id,
                "account_name": "Bot Giảm Nghèo",
                "account_type": "BASIC",
                "can_join_groups": False,
            }
        )

    async def _m_getUpdates(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook_url:
            return _error(400, "Webhook is active; delete it before getUpdates")
        try:
            update = await asyncio.wait_for(self._updates.get(), timeout=self.poll_timeout)
        except TimeoutError:
            return _error(408, "Request timeout")
        return _ok(update)

    async def _m_setWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
        if not url.startswith("https://") or not 8 <= len(secret) <= 256:
            return _error(400, "Bad request: url must be https and secret_token 8-256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        return _ok({"url": url, "updated_at": _now_ms()})

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        self.webhook_url, self.webhook_secret = "", ""
        return _ok({"url": "", "updated_at": _now_ms()})

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return _ok({"url": self.webhook_url, "updated_at": _now_ms()})

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, text = params.get("chat_id"), params.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            return _error(400, "Bad request: chat_id")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(400, "Bad request: text must be 1-2000 characters")
        return await self._record(Sent("sendMessage", chat_id, text=text))

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, photo = params.get("chat_id"), params.get("photo")
        caption = params.get("caption")
        if not isinstance(chat_id, str) or not chat_id:
            return _error(400, "Bad request: chat_id")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            return _error(400, "Bad request: photo must be an image URL")
        if caption is not None and not 1 <= len(str(caption)) <= 2000:
            return _error(400, "Bad request: caption must be 1-2000 characters")
        return await self._record(Sent("sendPhoto", chat_id, photo=photo, caption=caption))

    async def _m_sendSticker(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, sticker = params.get("chat_id"), params.get("sticker")
        if not isinstance(chat_id, str) or not chat_id or not sticker:
            return _error(400, "Bad request: chat_id and sticker are required")
        return await self._record(Sent("sendSticker", chat_id, sticker=str(sticker)))

    async def _m_sendChatAction(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("action") not in ("typing", "upload_photo"):
            return _error(400, "Bad request: action")
        return _ok(True)

    async def _record(self, sent: Sent) -> dict[str, Any]:
        async with self._changed:
            self.sent.append(sent)  # waiters are woken when the call itself is recorded
        return _ok({"message_id": secrets.token_hex(10), "date": _now_ms()})


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Zalo takes a query string, a form or a JSON body."""
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
        else:
            params.update(await request.post())
    return params


def _ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def _error(error_code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": error_code, "description": description}


def _now_ms() -> int:
    return int(time.time() * 1000)


# -- building and delivering updates -----------------------------------------------------------


def make_update(
    chat_id: str,
    event_name: str = TEXT_EVENT,
    *,
    text: str | None = None,
    photo_url: str | None = None,
    sticker: str | None = None,
    user_id: str | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    """A flat `{event_name, message}` update as Zalo sends it, with hex-like string ids."""
    message: dict[str, Any] = {
        "from": {"id": user_id or chat_id, "display_name": "Người dùng thử", "is_bot": False},
        "chat": {"id": chat_id, "chat_type": "PRIVATE"},
        "message_id": message_id or secrets.token_hex(10),
        "date": _now_ms(),
    }
    if text is not None:
        message["text"] = text
    if photo_url is not None:
        message["photo_url"] = photo_url
    if sticker is not None:
        message["sticker"] = sticker
    return {"event_name": event_name, "message": message}


def text_update(chat_id: str, text: str, **kwargs: Any) -> dict[str, Any]:
    return make_update(chat_id, TEXT_EVENT, text=text, **kwargs)


async def post_webhook(
    session: aiohttp.ClientSession,
    url: str,
    update: dict[str, Any],
    *,
    secret: str | None,
    shape: Literal["wrapped", "flat"] = "wrapped",
) -> int:
    """POST one delivery to the bot's webhook as Zalo would; return the HTTP status."""
    body = {"ok": True, "result": update} if shape == "wrapped" else update
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Bot-Api-Secret-Token"] = secret
    async with session.post(url, data=json.dumps(body), headers=headers) as response:
        return response.status
