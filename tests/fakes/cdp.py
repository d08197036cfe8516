"""A small Chrome DevTools Protocol driver for browser tests: headless Chromium, one tab.

It speaks CDP over the browser's websocket with aiohttp's client, so browser tests need nothing
but a Chromium binary (no selenium or playwright downloads). `Browser.launch` starts Chromium on
a throw-away profile and connects; `Browser.new_page` opens a tab whose `Page` can navigate,
evaluate JavaScript, wait for a DOM condition, tap an element, type, and take a screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import aiohttp

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
)

_LISTENING = re.compile(r"DevTools listening on (?P<url>ws://\S+)")

EventCallback = Callable[[dict[str, Any]], None]


class CDPError(Exception):
    """The browser refused a command, a page script threw, or the browser went away."""


def find_chromium() -> str | None:
    """Returns the path of the first Chromium-like browser on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A running headless Chromium and the one websocket that talks to it."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, timeout: float) -> None:
        self._ws = ws
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._listeners: dict[tuple[str | None, str], list[EventCallback]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @asynccontextmanager
    async def launch(
        cls, binary: str, *, timeout: float = 10.0, startup_timeout: float = 30.0
    ) -> AsyncIterator[Browser]:
        """Starts Chromium on a temporary profile, yields a connected Browser, then shuts it down.

        `timeout` bounds every CDP command; `startup_timeout` bounds the browser's start.
        """
        with tempfile.TemporaryDirectory(prefix="cdp-profile-") as profile:
            process = await asyncio.create_subprocess_exec(
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "about:blank",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            log: list[str] = []
            try:
                async with asyncio.timeout(startup_timeout):
                    url = await _wait_for_devtools(process, log)
                async with aiohttp.ClientSession() as http:
                    ws = await http.ws_connect(url, max_msg_size=0)
                    drain = asyncio.create_task(_drain(process, log))
                    browser = cls(ws, timeout)
                    try:
                        yield browser
                    finally:
                        await browser._close(process)
                        # A helper process may keep stderr open; do not wait on it for long.
                        with suppress(TimeoutError):
                            async with asyncio.timeout(timeout):
                                await drain
            finally:
                await _stop(process)

    async def new_page(self) -> Page:
        """Opens a blank tab and attaches to it."""
        created = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send(
            "Target.attachToTarget", {"targetId": created["targetId"], "flatten": True}
        )
        page = Page(self, attached["sessionId"])
        await page._enable()
        return page

    async def send(
        self, method: str, params: dict[str, Any] | None = None, session_id: str | None = None
    ) -> dict[str, Any]:
        """Sends one CDP command and returns its result; raises CDPError on a protocol error."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        try:
            await self._ws.send_str(json.dumps(message))
            async with asyncio.timeout(self._timeout):
                return await future
        finally:
            self._pending.pop(message_id, None)

    def subscribe(self, session_id: str | None, method: str, callback: EventCallback) -> None:
        """Calls `callback(params)` for every `method` event of that session."""
        self._listeners.setdefault((session_id, method), []).append(callback)

    def unsubscribe(self, session_id: str | None, method: str, callback: EventCallback) -> None:
        """Stops calling a callback registered with `subscribe`."""
        with suppress(KeyError, ValueError):
            self._listeners[(session_id, method)].remove(callback)

    async def _read(self) -> None:
        try:
            async for msg in self._ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    self._dispatch(json.loads(msg.data))
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(CDPError("the browser closed the DevTools connection"))

    def _dispatch(self, data: dict[str, Any]) -> None:
        if "id" in data:
            future = self._pending.get(data["id"])
            if future is None or future.done():
                return
            if "error" in data:
                future.set_exception(CDPError(f"{data['error'].get('message')}: {data['error']}"))
            else:
                future.set_result(data.get("result", {}))
            return
        key = (data.get("sessionId"), data.get("method", ""))
        for callback in list(self._listeners.get(key, ())):
            callback(data.get("params", {}))

    async def _close(self, process: asyncio.subprocess.Process) -> None:
        # Browser.close lets Chromium exit cleanly; the connection drops before any answer.
        with suppress(CDPError, TimeoutError, ConnectionError):
            await self.send("Browser.close")
        with suppress(TimeoutError):
            async with asyncio.timeout(self._timeout):
                await process.wait()
        await self._ws.close()
        self._reader.cancel()
        with suppress(asyncio.CancelledError):
            await self._reader


class Page:
    """One browser tab: navigate, evaluate, wait for a condition, tap, type, screenshot."""

    def __init__(self, browser: Browser, session_id: str) -> None:
        self._browser = browser
        self._session_id = session_id
        self.errors: list[str] = []
        """Uncaught script errors on the page, for tests to assert there are none."""

    async def _enable(self) -> None:
        self._browser.subscribe(self._session_id, "Runtime.exceptionThrown", self._on_exception)
        await self.send("Page.enable")
        await self.send("Runtime.enable")

    def _on_exception(self, params: dict[str, Any]) -> None:
        details = params.get("exceptionDetails", {})
        self.errors.append(details.get("exception", {}).get("description") or details.get("text"))

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Sends one CDP command to this tab."""
        return await self._browser.send(method, params, self._session_id)

    async def set_viewport(
        self, width: int, height: int, *, scale: float = 1.0, mobile: bool = True
    ) -> None:
        """Emulates a screen of `width` x `height` CSS pixels (a phone when `mobile`)."""
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )

    async def navigate(self, url: str) -> None:
        """Loads `url` and returns once the page's load event has fired."""
        loaded: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_load(_: dict[str, Any]) -> None:
            if not loaded.done():
                loaded.set_result(None)

        self._browser.subscribe(self._session_id, "Page.loadEventFired", on_load)
        try:
            result = await self.send("Page.navigate", {"url": url})
            if result.get("errorText"):
                raise CDPError(f"navigation to {url} failed: {result['errorText']}")
            async with asyncio.timeout(self._browser._timeout):
                await loaded
        finally:
            self._browser.unsubscribe(self._session_id, "Page.loadEventFired", on_load)

    async def reload(self) -> None:
        """Reloads the page and returns once it has loaded."""
        await self.navigate(await self.evaluate("location.href"))

    async def evaluate(self, expression: str) -> Any:
        """Evaluates a JavaScript expression (awaiting a promise) and returns its JSON value."""
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            description = details.get("exception", {}).get("description") or details.get("text")
            raise CDPError(f"script failed: {expression!r}: {description}")
        return result["result"].get("value")

    async def wait_for(
        self, expression: str, *, timeout: float = 5.0, interval: float = 0.05
    ) -> Any:
        """Returns the first truthy value of `expression`; raises TimeoutError after `timeout` s.

        CDP has no event for "the DOM now looks like this", so this one loop polls.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if loop.time() >= deadline:
                raise TimeoutError(f"still false after {timeout} s: {expression}")
            await asyncio.sleep(interval)

    async def click(self, selector: str) -> None:
        """Taps the element matched by a CSS selector with real mouse events at its centre."""
        point = await self.evaluate(
            f"""(() => {{
                const el = document.querySelector({json.dumps(selector)});
                if (!el) return null;
                el.scrollIntoView({{block: "center"}});
                const r = el.getBoundingClientRect();
                return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
            }})()"""
        )
        if point is None:
            raise CDPError(f"no element matches {selector!r}")
        base = {"x": point["x"], "y": point["y"], "button": "left", "clickCount": 1}
        await self.send("Input.dispatchMouseEvent", {**base, "type": "mouseMoved"})
        await self.send("Input.dispatchMouseEvent", {**base, "type": "mousePressed"})
        await self.send("Input.dispatchMouseEvent", {**base, "type": "mouseReleased"})

    async def type_text(self, text: str) -> None:
        """Types `text` into the focused element, as a keyboard or IME would commit it."""
        await self.send("Input.insertText", {"text": text})

    async def press_enter(self) -> None:
        """Presses and releases the Enter key in the focused element."""
        key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
        await self.send("Input.dispatchKeyEvent", {**key, "type": "keyDown", "text": "\r"})
        await self.send("Input.dispatchKeyEvent", {**key, "type": "keyUp"})

    async def screenshot(self) -> bytes:
        """Returns the visible viewport as PNG bytes."""
        result = await self.send("Page.captureScreenshot", {"format": "png"})
        return base64.b64decode(result["data"])


async def _wait_for_devtools(process: asyncio.subprocess.Process, log: list[str]) -> str:
    """Reads Chromium's stderr until DevTools listens; returns the browser's websocket URL.

    The same port is written to the profile's DevToolsActivePort file, but from another thread:
    that file can still be missing when this line appears, and waiting for it would mean polling.
    """
    assert process.stderr is not None
    while line := await process.stderr.readline():
        text = line.decode(errors="replace").rstrip()
        log.append(text)
        if match := _LISTENING.match(text):
            return match["url"]
    raise CDPError("Chromium exited before DevTools started:\n" + "\n".join(log[-20:]))


async def _drain(process: asyncio.subprocess.Process, log: list[str]) -> None:
    """Keeps reading stderr so a chatty browser never blocks on a full pipe."""
    assert process.stderr is not None
    while line := await process.stderr.readline():
        log.append(line.decode(errors="replace").rstrip())
        del log[:-50]


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Kills the browser if it is still running and reaps it."""
    if process.returncode is None:
        process.kill()
    await process.wait()
