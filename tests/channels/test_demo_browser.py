"""The demo's page in a real headless Chromium: the banner says the data are examples, and the
role switcher changes what the menu offers (bot/static/demo.js against bot/demo.py)."""

from __future__ import annotations

import pytest

from bot import demo
from tests.fakes.cdp import Browser, find_chromium
from tests.support import open_app

BUTTON_LABELS = "[...document.querySelectorAll('.msg.bot .choices button')].map(b => b.textContent)"


async def test_the_demo_page_shows_the_banner_and_switches_roles(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("No headless Chromium here (install Debian's chromium); CI installs it")
    app = await open_app(sqlite_url, clock, web_port=0)
    app.demo = True
    try:
        await demo.seed(app)
        url = await app.serve_web()
        async with Browser.launch(chromium) as browser:
            page = await browser.new_page()
            await page.set_viewport(390, 844)
            await page.navigate(url)
            await page.wait_for("document.querySelectorAll('#demo button').length === 3")
            banner = await page.evaluate("document.querySelector('#demo .demo-note').textContent")
            assert "ví dụ" in banner and "không có thật" in banner
            assert await page.evaluate(
                "[...document.querySelectorAll('#demo button')].map(b => b.textContent)") == [
                "Hộ gia đình (người dân)", "Cán bộ phường Phan Rang", "Cán bộ lao động, việc làm (quản trị)"]
            await page.wait_for(f"{BUTTON_LABELS}.length > 0")  # the greeting and its menu
            assert "🏘️ Hộ của phường" not in await page.evaluate(BUTTON_LABELS)

            await page.click("#demo button[data-role=officer]")
            await page.wait_for(f"{BUTTON_LABELS}.includes('🏘️ Hộ của phường')")
            assert await page.evaluate(
                "document.querySelector('#demo button[data-role=officer]')"
                ".getAttribute('aria-pressed')") == "true"
            assert page.errors == [], "the page threw a script error"
    finally:
        await app.close()
