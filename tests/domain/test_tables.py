"""Spreadsheets: CSV and XLSX read the same way; exports read back with Vietnamese intact."""

from __future__ import annotations

import pytest

from domain.tables import TableError, header_key, read_table, write_csv, write_xlsx

HEADERS = ["Họ và tên", "Năm sinh", "Phường"]
ROWS = [["Nguyễn Thị Hằng", 1985, "Đông Hải"], ["Trần Văn Đức", 1990, "Bảo An"]]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_written_tables_read_back_with_vietnamese_intact(kind: str) -> None:
    data = write_csv(HEADERS, ROWS) if kind == "csv" else write_xlsx(HEADERS, ROWS)
    rows = read_table(data, f"export.{kind}")
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].cells == {"ho_va_ten": "Nguyễn Thị Hằng", "nam_sinh": "1985",
                             "phuong": "Đông Hải"}


def test_csv_has_a_bom_for_excel_and_semicolons_are_read() -> None:
    assert write_csv(HEADERS, ROWS).startswith(b"\xef\xbb\xbf")
    rows = read_table("Họ và tên;Năm sinh\nAn;1990\n\n".encode(), "x.csv")
    assert rows == [rows[0]] and rows[0].cells == {"ho_va_ten": "An", "nam_sinh": "1990"}


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"a,b\n1,2\n", "x.pdf", "Please send a .csv or .xlsx file."),
        (b"", "x.csv", "The file is empty."),
        ("Tên\nAn\n".encode("utf-16"), "x.csv", "Please save the CSV file as UTF-8."),
        (b"not a zip", "x.xlsx", "This .xlsx file cannot be read."),
        (b",,\n1,2,3\n", "x.csv", "The first row must hold the column names."),
    ],
)
def test_unreadable_files_say_why(data: bytes, name: str, message: str) -> None:
    with pytest.raises(TableError) as error:
        read_table(data, name)
    assert error.value.message == message


def test_header_keys_fold_vietnamese() -> None:
    assert header_key("  Số điện thoại ") == "so_dien_thoai"
