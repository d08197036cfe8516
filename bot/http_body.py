"""Reading a JSON request body safely: the one place the web chat API and both webhooks read
theirs.

A malformed request is the client's fault and gets a 4xx, with one log line naming the route
and the reason, never the body (it may hold what a person typed): a body that is compressed or
otherwise encoded, too big, not UTF-8, not JSON, nested deeper than MAX_DEPTH, or holding a
number JSON cannot mean exactly (NaN, Infinity, 1e309).
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from aiohttp import web

log = logging.getLogger("giamngheo.http")

MAX_DEPTH = 32  # Telegram's deepest update is about 8 levels
MAX_BODY = 1024 * 1024


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _depth(value: Any) -> int:
    """How deeply lists and objects nest (iteratively: no recursion on hostile input)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            todo.extend((child, depth + 1) for child in (
                item.values() if isinstance(item, dict) else item))
    return deepest


def _refuse(route: str, status: type[web.HTTPException], reason: str) -> web.HTTPException:
    log.warning("request refused route=%s status=%d reason=%s", route, status.status_code,
                reason)
    if status is web.HTTPRequestEntityTooLarge:
        return web.HTTPRequestEntityTooLarge(MAX_BODY, MAX_BODY + 1, text=reason)
    return status(text=reason)


async def read_json(request: web.Request, route: str, max_bytes: int = MAX_BODY) -> Any:
    """The request's JSON body, or a 4xx raised (see the module docstring)."""
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise _refuse(route, web.HTTPUnsupportedMediaType, "content encoding not accepted")
    if request.content_length is not None and request.content_length > max_bytes:
        raise _refuse(route, web.HTTPRequestEntityTooLarge, "body too large")
    raw = bytearray()
    try:
        while chunk := await request.content.read(64 * 1024):
            raw += chunk
            if len(raw) > max_bytes:
                raise _refuse(route, web.HTTPRequestEntityTooLarge, "body too large")
    except web.HTTPException:
        raise
    except Exception:  # noqa: BLE001 - a broken upload (aiohttp raises several kinds)
        raise _refuse(route, web.HTTPBadRequest, "body could not be read") from None
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(route, web.HTTPBadRequest, "body is not UTF-8") from None
    try:
        body = json.loads(text, parse_constant=_constant, parse_float=_finite)
    except (ValueError, RecursionError):
        raise _refuse(route, web.HTTPBadRequest, "body is not JSON") from None
    if _depth(body) > MAX_DEPTH:
        raise _refuse(route, web.HTTPBadRequest, "JSON nested too deeply")
    return body
