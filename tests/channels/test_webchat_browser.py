"""The web chat page in a real headless Chromium, driven over the DevTools protocol.

The first test runs the real app (bot/web.py, the core, SQLite). The others check the page's own
behaviour (failed sends, retry, reload, inbox) against a tiny stand-in server implementing the
same JSON contract, where failures can be produced on purpose. The last two run the real app on
a 390×844 phone: a self-assessment's verdict is in view when it arrives, a file uploaded with 📎
reaches the bot, and /xoadulieu clears the page and the browser's storage.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.fakes.cdp import Browser, Page, find_chromium

pytestmark = pytest.mark.browser

STATIC_DIR = Path(__file__).resolve().parents[2] / "bot" / "static"
SCREENSHOT = Path("/tmp/webchat.png")

GREETING = "Xin chào! Mình là trợ lý giảm nghèo.\nBạn muốn làm gì?"
CHOICES = [
    {"label": "Tự đánh giá hộ gia đình", "payload": "menu:assess"},
    {"label": "Xem chính sách hỗ trợ", "payload": "menu:policies"},
]


@dataclass
class ScriptedBot:
    """The stand-in bot: greets on /start, echoes choices and text, can fail on purpose."""

    received: list[dict[str, Any]] = field(default_factory=list)
    inbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures_left: int = 0

    def answer(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Returns the replies to one message from the page."""
        if "choice" in body:
            label = next(c["label"] for c in CHOICES if c["payload"] == body["choice"])
            return [reply(f"Bạn đã chọn: {label}")]
        if body.get("text") == "/start":
            return [reply(GREETING, choices=CHOICES)]
        return [reply(f"Bạn vừa gửi: {body['text']}")]


def reply(text: str, choices: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """One reply in the contract's shape."""
    return {
        "text": text,
        "choices": choices or [],
        "request": None,
        "image": None,
        "document": None,
    }


def build_app(bot: ScriptedBot) -> web.Application:
    """The stand-in server: the page, its static files, /api/chat and /api/inbox."""

    async def index(_: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        bot.received.append(body)
        if bot.failures_left:
            bot.failures_left -= 1
            return web.json_response({"error": "scripted failure"}, status=500)
        return web.json_response({"replies": bot.answer(body)})

    async def inbox(request: web.Request) -> web.Response:
        replies = bot.inbox.pop(request.query["client_id"], [])
        return web.json_response({"replies": replies})

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_static("/static", STATIC_DIR)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/api/inbox", inbox)
    return app


@dataclass
class Site:
    """The running stand-in: its base URL and its bot."""

    url: str
    bot: ScriptedBot


@pytest.fixture
def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("No headless Chromium here (install Debian's chromium); CI installs it")
    return path


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    bot = ScriptedBot()
    runner = web.AppRunner(build_app(bot))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield Site(f"http://{host}:{port}", bot)
    finally:
        await runner.cleanup()


@pytest.fixture
async def page(chromium: str) -> AsyncIterator[Page]:
    async with Browser.launch(chromium) as browser:
        tab = await browser.new_page()
        await tab.set_viewport(390, 844)
        yield tab
        assert tab.errors == [], "the page threw a script error"


# Small JS helpers; selectors are the page's own ids and classes.
BOT_TEXTS = (
    "[...document.querySelectorAll('.msg.bot:not(.typing) .bubble')].map(b => b.textContent)"
)
USER_TEXTS = "[...document.querySelectorAll('.msg.user .bubble')].map(b => b.textContent)"
FIRST_BUTTONS = "[...document.querySelectorAll('.msg.bot')[0].querySelectorAll('.choices button')]"


def bot_said(text: str) -> str:
    return f"{BOT_TEXTS}.includes({json.dumps(text)})"


async def load_greeting(page: Page, site: Site) -> None:
    await page.navigate(site.url + "/")
    await page.wait_for(
        f"{bot_said(GREETING)} && document.querySelectorAll('.choices button').length === 2"
    )


async def send_typed(page: Page, text: str) -> None:
    await page.click("#input")
    await page.type_text(text)
    await page.press_enter()


async def test_real_app_greets_and_a_tapped_menu_button_answers(  # type: ignore[no-untyped-def]
    page: Page, sqlite_url, clock
) -> None:
    from tests.support import open_app

    app = await open_app(sqlite_url, clock, web_port=0)
    try:
        url = await app.serve_web()
        await page.navigate(url)
        await page.wait_for(
            f"{BOT_TEXTS}.some(t => t.startsWith('Xin chào! Tôi là trợ lý giảm nghèo'))"
        )
        labels = await page.evaluate(f"{FIRST_BUTTONS}.map(b => b.textContent)")
        assert "🔒 Dữ liệu của tôi" in labels
        index = labels.index("🔒 Dữ liệu của tôi") + 1
        await page.click(f".msg.bot .choices button:nth-child({index})")
        await page.wait_for(
            f"{BOT_TEXTS}.some(t => t.startsWith('Đây là thông tin của bạn mà tôi đang giữ'))"
        )
        assert await page.evaluate(USER_TEXTS) == ["🔒 Dữ liệu của tôi"]
        SCREENSHOT.write_bytes(await page.screenshot())
    finally:
        await app.close()


async def test_greeting_then_tap_a_choice_then_type(page: Page, site: Site) -> None:
    await load_greeting(page, site)
    start = site.bot.received[0]
    assert start["text"] == "/start"
    assert start["client_id"] and start["message_id"]
    assert await page.evaluate(f"{FIRST_BUTTONS}.map(b => b.textContent)") == [
        c["label"] for c in CHOICES
    ]
    assert await page.evaluate(f"{FIRST_BUTTONS}.every(b => b.offsetHeight >= 44)")

    await page.click(".msg.bot .choices button")
    await page.wait_for(bot_said("Bạn đã chọn: Tự đánh giá hộ gia đình"))
    assert site.bot.received[1]["choice"] == "menu:assess"
    assert await page.evaluate(USER_TEXTS) == ["Tự đánh giá hộ gia đình"]
    assert await page.evaluate(f"{FIRST_BUTTONS}.every(b => b.disabled)")

    # An old button cannot submit twice: tapping it again sends nothing before the next text.
    await page.click(".msg.bot .choices button + button")
    await send_typed(page, "<b>thu nhập</b> 4,5 triệu")
    await page.wait_for(bot_said("Bạn vừa gửi: <b>thu nhập</b> 4,5 triệu"))
    assert [b.get("choice") for b in site.bot.received] == [None, "menu:assess", None]
    assert await page.evaluate("document.querySelector('.msg b') === null"), "bot text as HTML"
    assert await page.evaluate("document.getElementById('input').value") == ""


async def test_failed_send_keeps_the_text_and_retry_delivers_it_once(
    page: Page, site: Site
) -> None:
    await load_greeting(page, site)
    site.bot.failures_left = 1

    await send_typed(page, "4,5 triệu")
    await page.wait_for("!document.getElementById('error').hidden")
    assert await page.evaluate("document.getElementById('error-text').textContent") == (
        "Không gửi được, bạn thử lại nhé."
    )
    assert await page.evaluate("document.getElementById('input').value") == "4,5 triệu"
    assert await page.evaluate(USER_TEXTS) == []

    await page.click("#retry")
    await page.wait_for(bot_said("Bạn vừa gửi: 4,5 triệu"))
    assert await page.evaluate("document.getElementById('error').hidden")
    assert await page.evaluate("document.getElementById('input').value") == ""
    assert await page.evaluate(USER_TEXTS) == ["4,5 triệu"]
    failed, retried = site.bot.received[1:]
    assert failed["message_id"] == retried["message_id"], "a retry must reuse the message id"


async def test_reload_keeps_the_view_and_inbox_messages_appear(page: Page, site: Site) -> None:
    await page.set_viewport(360, 740)
    await load_greeting(page, site)
    await page.click(".msg.bot .choices button")
    await page.wait_for(bot_said("Bạn đã chọn: Tự đánh giá hộ gia đình"))

    await page.reload()
    await page.wait_for(bot_said("Bạn đã chọn: Tự đánh giá hộ gia đình"))
    assert await page.evaluate(f"{FIRST_BUTTONS}.every(b => b.disabled)")
    assert [b.get("text") for b in site.bot.received].count("/start") == 1
    assert await page.evaluate("document.documentElement.scrollWidth <= 360"), "page too wide"

    client_id = site.bot.received[0]["client_id"]
    site.bot.inbox[client_id] = [reply("Nhắc bạn: mai nộp hồ sơ tại UBND xã.")]
    # The page polls every ~10 s and at once when it becomes visible again.
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    await page.wait_for(bot_said("Nhắc bạn: mai nộp hồ sơ tại UBND xã."))


# --- as a household and an officer use it on a 390×844 phone, against the real app ---------------

LAST_BOT = "(() => { const b = [...document.querySelectorAll('.msg.bot:not(.typing)')]; " \
    "return b.length ? b[b.length - 1].innerText : ''; })()"
BOT_COUNT = "document.querySelectorAll('.msg.bot:not(.typing)').length"


async def _answer(page: Page, text: str) -> int:
    """Types `text`, waits for the answer; the index of the first bot bubble it added."""
    before = await page.evaluate(BOT_COUNT)
    await send_typed(page, text)
    await page.wait_for(f"{BOT_COUNT} > {before} && !document.querySelector('.msg.typing')")
    return int(before)


def _typed_answer(question: str) -> str:
    """What a household types at a self-assessment question (kept loose on purpose: the
    questions' wording is the assessment's own)."""
    lower = question.lower()
    if "mét vuông" in lower:
        return "40"
    if "mấy người" in lower:
        return "1"
    if "thu nhập" in lower or "tiền" in lower:
        return "6 triệu"
    if "bao nhiêu" in lower or "con số" in lower or "phường/xã nào" in lower:
        return "4" if "phường/xã nào" not in lower else "1"
    return "khong"


async def test_real_app_assessment_verdict_is_in_view_on_a_phone(  # type: ignore[no-untyped-def]
    page: Page, sqlite_url, clock
) -> None:
    from tests.support import open_app

    app = await open_app(sqlite_url, clock, web_port=0)
    try:
        await page.navigate(await app.serve_web())
        await page.wait_for(f"{BOT_COUNT} > 0")
        await _answer(page, "/tudanhgia")
        first_new = None
        verdict = f"{BOT_TEXTS}.some(t => t.includes('Hộ của bạn có thể thuộc diện'))"
        for _ in range(40):
            question = await page.evaluate(LAST_BOT)
            first_new = await _answer(page, _typed_answer(question))
            if await page.evaluate(verdict):
                break
        else:
            pytest.fail(f"never reached the result; last question: {question[:200]}")
        await page.wait_for(f"{BOT_TEXTS}.some(t => t.includes('UBND phường/xã sẽ xét'))")
        # the result came as several bubbles: the first of them is where the phone shows
        top = await page.evaluate(
            "(() => { const m = document.getElementById('messages').getBoundingClientRect();"
            f" const b = document.querySelectorAll('.msg.bot:not(.typing)')[{first_new}]"
            ".getBoundingClientRect(); return [b.top - m.top, m.height]; })()")
        assert 0 <= top[0] < top[1] / 2, f"the verdict starts {top[0]:.0f} px from the top"
        first_text = await page.evaluate(
            f"document.querySelectorAll('.msg.bot:not(.typing)')[{first_new}].innerText")
        assert "thuộc diện" in first_text or "nghèo" in first_text
    finally:
        await app.close()


async def test_real_app_upload_reaches_the_bot_and_erasing_clears_the_page(  # type: ignore[no-untyped-def]
    page: Page, sqlite_url, clock
) -> None:
    from tests.support import open_app

    admin = "browser-admin-0001"
    app = await open_app(sqlite_url, clock, web_port=0, admin_ids=f"web:{admin}")
    try:
        url = await app.serve_web()
        await page.navigate(url)
        await page.evaluate(f"localStorage.setItem('giamngheo.webchat.client_id', '{admin}');"
                            " sessionStorage.clear()")
        await page.reload()
        await page.wait_for(f"{BOT_COUNT} > 0")
        await _answer(page, "/khoahocmoi")
        await _answer(page, "2")  # "📄 Gửi tệp"
        assert "csv" in (await page.evaluate(LAST_BOT)).lower()
        csv = (Path(__file__).resolve().parents[2] / "domain" / "data" /
               "courses_example.csv").read_text(encoding="utf-8")
        before = await page.evaluate(BOT_COUNT)
        await page.evaluate(
            "(() => { const dt = new DataTransfer();"
            f" dt.items.add(new File([{json.dumps(csv)}], 'khoa-hoc.csv', {{type: 'text/csv'}}));"
            " const input = document.getElementById('file'); input.files = dt.files;"
            " input.dispatchEvent(new Event('change')); })()")
        await page.wait_for(f"{BOT_COUNT} > {before} && !document.querySelector('.msg.typing')")
        assert "📎 khoa-hoc.csv" in await page.evaluate(USER_TEXTS)
        answer = await page.evaluate(LAST_BOT)
        assert answer.startswith("Nhập 3 khóa học?"), answer[:200]  # the bot read the file's rows
        assert "May công nghiệp (ví dụ) (VIDU-MAY-01)" in answer

        await _answer(page, "/huy")
        await _answer(page, "/xoadulieu")
        await page.click(".msg.bot:last-of-type .choices button")  # "🗑️ Có, xóa"
        await page.wait_for(f"{BOT_TEXTS}.some(t => t.startsWith('Đã xóa lúc'))")
        assert await page.evaluate(USER_TEXTS) == [], "the person's messages stay on screen"
        assert await page.evaluate(BOT_COUNT) == 1
        kept = await page.evaluate("sessionStorage.getItem('giamngheo.webchat.history') || ''")
        assert "khoa-hoc.csv" not in kept and "/xoadulieu" not in kept
        await page.reload()
        await page.wait_for(f"{BOT_COUNT} > 0")
        assert await page.evaluate(USER_TEXTS) == []
    finally:
        await app.close()
