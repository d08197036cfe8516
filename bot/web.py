"""The aiohttp web server: the web chat (one static page + a JSON API), /healthcheck, and the
routes channel adapters add (Telegram and Zalo webhooks, media for Zalo).

The web chat is a channel like the others: each browser has one random id, kept in its
localStorage, and is one user. Messages the bot sends on its own (reminders, notices) wait in a
small per-browser inbox that the page polls.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channel import Capabilities, ChannelKind, Route
from bot.http_body import read_json
from db import web_inbox
from db.engine import ping
from db.outbox import payload_to_reply, reply_to_payload
from domain.messages import DeliveryError, Handler, Incoming, Kind, Reply
from handlers.flood import TokenBuckets, Verdict

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

log = logging.getLogger("giamngheo.web")

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
STATIC_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$")  # before touching the disk
MAX_CHAT_BODY = 64 * 1024
INBOX_LIMIT = 50
MAX_TEXT = 2000

# the page sends text and, with its 📎 button, a photo or a file (bot/static/chat.js)
CAPABILITIES = Capabilities(frozenset({Kind.TEXT, Kind.PHOTO, Kind.DOCUMENT}))
# Always on, and built by the app itself (it is the web server): no settings of its own.
KIND = ChannelKind("web", "web chat", CAPABILITIES, send_rate=100.0)


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """A reply as the page reads it; images and documents inline as data URLs."""
    document = None
    if reply.document is not None:
        encoded = base64.b64encode(reply.document.data).decode()
        document = {
            "file_name": reply.document.file_name,
            "url": f"data:{reply.document.mime_type};base64,{encoded}",
        }
    image = None
    if reply.image is not None:
        image = "data:image/png;base64," + base64.b64encode(reply.image).decode()
    return {
        "text": reply.text,
        "choices": [{"label": c.label, "payload": c.payload} for c in reply.choices],
        "request": reply.request,
        "image": image,
        "document": document,
        "forget": reply.forget_history,
    }


class WebChannel:
    """The web chat as an `Outbound`: what the bot sends on its own waits in the database
    (web_inbox) until the page polls for it, so a restart in between loses nothing. At most
    INBOX_LIMIT messages wait per browser; older ones give way."""

    channel = "web"

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.clock = clock

    async def set_chat_commands(self, chat_id: str, role: str) -> None:
        """The page shows the menu it is sent; there is no command list to change."""

    async def send(self, chat_id: str, reply: Reply) -> None:
        if not CLIENT_ID.match(chat_id):
            raise DeliveryError("unknown web chat id", permanent=True)
        async with self.sessions() as session, session.begin():
            await web_inbox.put(session, chat_id, reply_to_payload(reply), self.clock(),
                                keep=INBOX_LIMIT)

    async def take(self, chat_id: str) -> list[Reply]:
        """The waiting messages, oldest first; they are gone from the inbox once taken."""
        async with self.sessions() as session, session.begin():
            payloads = await web_inbox.take(session, chat_id)
        return [payload_to_reply(payload) for payload in payloads]

    async def health(self) -> dict[str, object]:
        """Its part of /healthcheck."""
        return {"mode": "web chat"}


def build_web_app(
    handler: Handler,
    web_channel: WebChannel,
    engine: AsyncEngine | None = None,
    extra_routes: Iterable[Route] = (),
    channel_health: Callable[[], Awaitable[dict[str, Any]]] | None = None,
    per_ip: TokenBuckets | None = None,
) -> web.Application:
    """The aiohttp application with every route the bot serves. `channel_health` adds each
    channel's mode (and a webhook's last delivery error) to /healthcheck; `per_ip` limits how
    fast one address may post to the chat API (429 beyond it)."""
    static = resources.files("bot") / "static"
    # Bodies are read as sent: a declared Content-Encoding is refused with 415 (bot/http_body.py)
    # rather than inflated by aiohttp, whose failure on a plain body drops the connection.
    app = web.Application(client_max_size=2 * 1024 * 1024,
                          handler_args={"auto_decompress": False})

    async def index(_request: web.Request) -> web.Response:
        return web.Response(
            body=(static / "index.html").read_bytes(), content_type="text/html", charset="utf-8"
        )

    async def static_file(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if not STATIC_NAME.match(name) or not (path := static / name).is_file():
            raise web.HTTPNotFound()
        kinds = {"js": "text/javascript", "css": "text/css", "html": "text/html"}
        kind = kinds.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        return web.Response(body=path.read_bytes(), content_type=kind, charset="utf-8")

    async def chat(request: web.Request) -> web.Response:
        if per_ip is not None and per_ip.admit(request.remote) is not Verdict.PASS:
            raise web.HTTPTooManyRequests(text="too many messages; wait a minute")
        body = await read_json(request, "web chat", MAX_CHAT_BODY)
        event = _web_event(body)
        if event is None:
            raise web.HTTPBadRequest(text="expected client_id and text or choice")
        replies = await handler.handle(event)
        return web.json_response({"replies": [reply_to_json(r) for r in replies]})

    async def inbox(request: web.Request) -> web.Response:
        client_id = request.query.get("client_id", "")
        if not CLIENT_ID.match(client_id):
            raise web.HTTPBadRequest(text="bad client_id")
        replies = await web_channel.take(client_id)
        return web.json_response({"replies": [reply_to_json(r) for r in replies]})

    async def healthcheck(_request: web.Request) -> web.Response:
        if engine is not None and not await ping(engine):
            return web.json_response({"status": "error", "database": "down"}, status=503)
        report: dict[str, Any] = {"status": "ok"}
        if channel_health is not None:
            report["channels"] = await channel_health()
        return web.json_response(report)

    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static_file)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/api/inbox", inbox)
    app.router.add_get("/healthcheck", healthcheck)
    for method, path, route_handler in extra_routes:
        app.router.add_route(method, path, route_handler)
    return app


def _web_event(body: Any) -> Incoming | None:
    if not isinstance(body, dict):
        return None
    client_id = body.get("client_id")
    message_id = body.get("message_id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        return None
    # one browser's message ids never collide with another's (nor can they be replayed by it)
    update_id = (f"{client_id}/{message_id}"
                 if isinstance(message_id, str) and 0 < len(message_id) <= 63 else None)
    choice, typed = body.get("choice"), body.get("text")
    upload = _web_upload(body.get("file"))
    if upload is not None:
        kind, payload = upload
        return Incoming("web", client_id, client_id, kind, payload=payload, update_id=update_id)
    if isinstance(choice, str) and 0 < len(choice) <= 64:
        return Incoming("web", client_id, client_id, Kind.CHOICE, choice=choice,
                        update_id=update_id)
    if isinstance(typed, str) and typed.strip() and len(typed) <= MAX_TEXT:
        return Incoming("web", client_id, client_id, Kind.TEXT, typed, update_id=update_id)
    return None


MAX_FILE_NAME = 255


def _web_upload(file: Any) -> tuple[Kind, dict[str, Any]] | None:
    """The page's 📎 upload as the neutral event Telegram sends too: a photo (an image) or a
    document, with its bytes; None when there is none or it is not readable."""
    if not isinstance(file, dict):
        return None
    name, mime, data = file.get("name"), file.get("type"), file.get("data")
    if not (isinstance(name, str) and isinstance(mime, str) and isinstance(data, str)):
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        return None
    if not raw:
        return None
    kind = Kind.PHOTO if mime.startswith("image/") else Kind.DOCUMENT
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return kind, {"file_id": f"web:{digest}", "file_name": name[:MAX_FILE_NAME] or None,
                  "mime_type": mime[:100], "data": raw}
