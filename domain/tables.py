"""Spreadsheets in and out: CSV or XLSX bytes to rows, rows to CSV (UTF-8 with BOM, so Excel shows
Vietnamese correctly) or XLSX. The one place every import and export goes through.

Imports are all-or-nothing by design: `read_table` returns the rows, and each feature validates
every row and reports every bad one with its row number (as the person sees it in the sheet,
header = row 1) before anything is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from domain.i18n import N_
from domain.text import fold_plain


class TableError(ValueError):
    """The file cannot be read as a table at all (wrong format, no header, too big).

    `message` is a msgid with named placeholders in `values`: show it with
    `ctx._(error.message, **error.values)`.
    """

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message.format(**values))
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Row:
    """One data row: its number in the sheet (header is row 1) and its cells by header key."""

    number: int
    cells: dict[str, str]


MAX_ROWS = 100_000


def header_key(label: str) -> str:
    """A header as a key: "Họ và tên" → "ho_va_ten", so sheets may use Vietnamese headers."""
    return fold_plain(label).replace(" ", "_")


def read_table(data: bytes, file_name: str) -> list[Row]:
    """Rows of a .csv (UTF-8, with or without BOM; comma or semicolon) or .xlsx file."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        raw = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        raw = _read_csv(data)
    else:
        raise TableError(N_("Please send a .csv or .xlsx file."))
    if not raw:
        raise TableError(N_("The file is empty."))
    keys = [header_key(str(cell or "")) for cell in raw[0]]
    if not any(keys):
        raise TableError(N_("The first row must hold the column names."))
    rows = []
    for offset, values in enumerate(raw[1:], start=2):
        cells = {
            key: _text(value) for key, value in zip(keys, values, strict=False) if key
        }
        if any(cells.values()):
            rows.append(Row(offset, cells))
    if len(rows) > MAX_ROWS:
        raise TableError(N_("The file has more than {limit} rows."), limit=MAX_ROWS)
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(N_("Please save the CSV file as UTF-8.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(data: bytes) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise TableError(N_("This .xlsx file cannot be read.")) from exc
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """A text cell that Excel or LibreOffice would run as a formula ("=HYPERLINK(…)", "+1",
    "@SUM", a leading tab or CR) gets a leading apostrophe; numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM: Excel on Windows then shows Vietnamese letters correctly. Text that
    would start a formula is made safe (`formula_safe`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([formula_safe(v) for v in headers])
    writer.writerows([("" if v is None else formula_safe(v)) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1"
) -> bytes:
    """Every text cell is stored as text (openpyxl would store "=…" as a formula), and text
    that would start a formula is marked with Excel's quote prefix, shown as typed."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([_text_cell(sheet, v) for v in headers])
    for row in rows:
        sheet.append([_text_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell
