"""Spreadsheets in and out: CSV or XLSX bytes to rows, rows to CSV (UTF-8 with BOM, so Excel shows
Vietnamese correctly) or XLSX. The one place every import and export goes through.

Imports are all-or-nothing by design: `read_table` returns the rows, and each feature validates
every row and reports every bad one with its row number (as the person sees it in the sheet,
header = row 1) before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from domain.folding import fold_plain
from domain.i18n import N_


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
MAX_FILE_BYTES = 20 * 1024 * 1024  # what Telegram lets a bot download
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an .xlsx is a zip: its sheets, unpacked
MAX_CELL = 2_000  # characters; the longest field (notes) keeps 2,000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def header_key(label: str) -> str:
    """A header as a key: "Họ và tên" → "ho_va_ten", so sheets may use Vietnamese headers."""
    return fold_plain(label).replace(" ", "_")


def read_table(data: bytes, file_name: str) -> list[Row]:
    """Rows of a .csv (UTF-8, with or without BOM; comma or semicolon) or .xlsx file.

    Read as a stream and refused early: a file over MAX_FILE_BYTES before reading, a sheet
    over MAX_ROWS rows at the first row too many, a cell over MAX_CELL characters at that
    cell (the error names its row and column, never its content). NUL and other control
    characters are dropped from cells (PostgreSQL refuses NUL in text)."""
    name = file_name.lower()
    if len(data) > MAX_FILE_BYTES:
        raise TableError(N_("The file is larger than {size} MB."), size=MAX_FILE_BYTES >> 20)
    if name.endswith(".xlsx"):
        raw = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        raw = _read_csv(data)
    else:
        raise TableError(N_("Please send a .csv or .xlsx file."))
    header = next(raw, None)
    if header is None:
        raise TableError(N_("The file is empty."))
    labels = [str(cell or "")[:MAX_CELL] for cell in header]
    keys = [header_key(label) for label in labels]
    if not any(keys):
        raise TableError(N_("The first row must hold the column names."))
    rows = []
    for offset, values in enumerate(raw, start=2):
        cells = {}
        for index, (key, value) in enumerate(zip(keys, values, strict=False)):
            text = _text(value)
            if len(text) > MAX_CELL:
                raise TableError(N_("Row {row}, column {column}: more than {limit} characters."),
                                 row=offset, column=labels[index] or index + 1, limit=MAX_CELL)
            if key:
                cells[key] = text
        if any(cells.values()):
            if len(rows) == MAX_ROWS:
                raise TableError(N_("The file has more than {limit} rows."), limit=MAX_ROWS)
            rows.append(Row(offset, cells))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if not (text.isascii() and text.isprintable()):
        text = _CONTROL.sub("", text)
    return text.strip()


def _read_csv(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(N_("Please save the CSV file as UTF-8.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    if "\x00" in text:
        text = text.replace("\x00", "")  # the csv module refuses NUL
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        yield from reader
    except csv.Error as error:
        if "field limit" in str(error):  # the csv module's own limit (128 KB a cell)
            raise TableError(N_("Row {row}: a cell has more than {limit} characters."),
                             row=reader.line_num, limit=MAX_CELL) from None
        raise TableError(N_("Row {row}: this line cannot be read as CSV."),
                         row=reader.line_num) from None


def _read_xlsx(data: bytes) -> Iterator[list[Any]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise TableError(N_("This .xlsx file cannot be read.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError(N_("The file is larger than {size} MB."),
                         size=MAX_UNPACKED_BYTES >> 20)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise TableError(N_("This .xlsx file cannot be read.")) from exc
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    except TableError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet part
        raise TableError(N_("This .xlsx file cannot be read.")) from exc
    finally:
        book.close()


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


@dataclass(frozen=True)
class ImportResult:
    """All or nothing: `errors` lists (row number, reason); when any, nothing was imported."""

    imported: int
    errors: list[tuple[int, str]] = field(default_factory=list)
