"""The report chart: a PNG of the expected size whose font draws Vietnamese letters."""

from __future__ import annotations

import re

import pytest

from handlers.charts import (
    DPI,
    WIDTH_INCHES,
    BarChart,
    font_covers,
    height_inches,
    png_size,
    render,
)
from tests.support import Chat, open_app

CHART = BarChart(
    title="Số hộ theo diện — phường Đông Hải",
    groups=["Phan Rang", "Đông Hải", "Ninh Chử"],
    series=["Hộ nghèo", "Hộ cận nghèo", "Hộ mới thoát nghèo", "Khác"],
    values=[[4, 2, 0], [3, 4, 1], [2, 0, 0], [1, 0, 5]],
    y_label="Số hộ",
)
EXPECTED_SIZE = (int(WIDTH_INCHES * DPI), round(height_inches(3) * DPI))
PHONE_WIDTH = 360  # css px a chat bubble shows an image at, on a 390 px wide phone


def test_the_png_is_made_for_a_phone_screen() -> None:
    data = render(CHART)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = png_size(data)
    assert (width, height) == EXPECTED_SIZE
    assert width >= 600
    assert height <= 2 * width  # a chart a phone shows without endless scrolling


def test_letters_stay_large_on_a_phone_and_counts_are_whole() -> None:
    svg = render(CHART, "svg").decode("utf-8")
    sizes = [float(px) for px in re.findall(r"font-size:\s*([\d.]+)px", svg)]
    assert sizes, "no text in the chart"
    shown = min(sizes) * DPI / 72 * PHONE_WIDTH / (WIDTH_INCHES * DPI)  # px on the phone
    assert shown >= 11, f"the smallest letters are {shown:.1f} px on a phone"
    numbers = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)
               if re.fullmatch(r"[\d.,−-]+", t.strip())]
    assert numbers and all(re.fullmatch(r"\d+", n.strip()) for n in numbers), numbers


def test_the_text_layer_keeps_every_vietnamese_letter() -> None:
    svg = render(CHART, "svg").decode("utf-8")
    texts = set(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    for label in ("Số hộ theo diện — phường Đông Hải", "Hộ cận nghèo", "Hộ mới thoát nghèo",
                  "Đông Hải", "Ninh Chử", "Số hộ"):
        assert label in texts, label
    assert "font-family" in svg and "DejaVu Sans" in svg


@pytest.mark.parametrize("letters", ["ồ ữ ạ đ", "Đ Ư Ơ Ắ Ặ Ẫ Ệ Ỗ Ự Ỹ", "ả ẻ ỉ ỏ ủ ỷ"])
def test_the_font_draws_the_diacritics(letters: str) -> None:
    assert font_covers(letters)


def test_a_letter_outside_the_font_is_noticed() -> None:
    assert not font_covers("𓀀")  # an Egyptian hieroglyph: the check can fail


async def test_the_report_in_chat_sends_the_chart(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock, admin_ids="web:admin")
    admin = Chat(app, user="admin")
    await admin.send("/baocao")
    image = admin.replies[1].image
    assert image is not None and png_size(image)[0] >= 600
    assert "Biểu đồ: số hộ theo diện" in admin.replies[1].text
    # the Excel button is on the chart's own message, not in one below the picture
    assert [c.label for c in admin.replies[1].choices] == ["📥 Tệp Excel"]
    assert len(admin.replies) == 2
    await app.close()
