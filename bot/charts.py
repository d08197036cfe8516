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
WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 4.5, 100  # a 800 × 450 PNG: readable on a phone
COLOURS = ("#c0392b", "#e67e22", "#27ae60", "#7f8c8d")
_DRAWING = threading.Lock()


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

    # rc_context changes matplotlib's global settings: one chart at a time (charts are drawn in
    # worker threads, off the event loop)
    with _DRAWING, matplotlib.rc_context({"font.family": FONT_FAMILY, "svg.fonttype": "none"}):
        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        axes = figure.subplots()
        count = max(len(chart.series), 1)
        width = 0.8 / count
        positions = range(len(chart.groups))
        for index, (name, values) in enumerate(zip(chart.series, chart.values, strict=True)):
            offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
            bars = axes.bar(offsets, values, width, label=name,
                            color=COLOURS[index % len(COLOURS)])
            axes.bar_label(bars, fontsize=8)
        axes.set_xticks(list(positions), list(chart.groups))
        axes.set_title(chart.title)
        axes.set_ylabel(chart.y_label)
        axes.legend(fontsize=8)
        figure.tight_layout()
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
