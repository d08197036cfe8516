"""Charts sent in chat: the ward report as a PNG (matplotlib, Agg backend).

Owns the one chart of the officers' report: households by category per ward, as grouped bars.
The font is matplotlib's bundled DejaVu Sans, which covers Vietnamese letters with diacritics
(checked by `font_covers`), so no system font is needed. matplotlib is imported inside the
functions: importing it is slow and nothing is built at import time.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

FONT_FAMILY = "DejaVu Sans"
# Made for a phone: 720 px wide, shown about 360 px wide, so a 16 pt letter (27 px here) is
# still about 13 px on the screen. Wards are rows (their names read across), counts whole.
WIDTH_INCHES, DPI = 6.0, 120
FONT_POINTS = 16
HEADER_INCHES, ROW_INCHES, FOOTER_INCHES = 1.75, 1.0, 0.75  # title and legend; per ward; axis
COLOURS = ("#c0392b", "#e67e22", "#27ae60", "#7f8c8d")
_DRAWING = threading.Lock()


def height_inches(groups: int) -> float:
    return HEADER_INCHES + ROW_INCHES * max(groups, 1) + FOOTER_INCHES


@dataclass(frozen=True)
class BarChart:
    """Groups (wards) × series (categories): `values[series][group]`. All text is translated."""

    title: str
    groups: Sequence[str]
    series: Sequence[str]
    values: Sequence[Sequence[int]]
    y_label: str


def render(chart: BarChart, fmt: str = "png") -> bytes:
    """The chart as PNG (or "svg", with text kept as text, for checking what it says)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    style = {"font.family": FONT_FAMILY, "svg.fonttype": "none", "font.size": FONT_POINTS}
    groups = len(chart.groups)
    total = height_inches(groups)
    # rc_context changes matplotlib's global settings: one chart at a time (charts are drawn in
    # worker threads, off the event loop)
    with _DRAWING, matplotlib.rc_context(style):
        figure = Figure(figsize=(WIDTH_INCHES, total), dpi=DPI)
        axes = figure.subplots()
        count = max(len(chart.series), 1)
        height = 0.62 / count
        for index, (name, values) in enumerate(zip(chart.series, chart.values, strict=True)):
            offsets = [g + 0.3 + height * (index + 0.5) for g in range(groups)]
            bars = axes.barh(offsets, values, height, label=name,
                             color=COLOURS[index % len(COLOURS)])
            axes.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=3)
        for g, name in enumerate(chart.groups):  # the ward's name above its bars, full width
            axes.text(0, g + 0.27, name, va="bottom", fontweight="bold")
        axes.set_yticks([])
        axes.set_ylim(groups, 0)  # the first ward on top, as in the text above the chart
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # households are whole
        axes.set_xlim(0, max([1, *(v for values in chart.values for v in values)]) * 1.15)
        axes.set_xlabel(chart.y_label)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        figure.suptitle(chart.title, fontsize=FONT_POINTS + 1, wrap=True, y=1 - 0.12 / total)
        figure.legend(loc="upper center", bbox_to_anchor=(0.5, 1 - 0.95 / total), ncols=2,
                      frameon=False, fontsize=FONT_POINTS - 2)
        figure.subplots_adjust(left=0.04, right=0.96, bottom=FOOTER_INCHES / total,
                               top=1 - HEADER_INCHES / total)
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, dpi=DPI)
    return buffer.getvalue()


def font_covers(text: str) -> bool:
    """Whether the chart's font has a glyph for every letter of `text`."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY),
                                 fallback_to_default=False)
    charmap = FT2Font(path).get_charmap()
    return all(ord(ch) in charmap for ch in text if not ch.isspace())


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
