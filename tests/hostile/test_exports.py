"""What households and officers typed never runs as a formula when an export is opened in
Excel or LibreOffice: read back from the CSV and the XLSX the bot writes."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from domain.tables import write_csv, write_xlsx
from tests.handlers.test_officers import _join
from tests.support import Chat, open_app

HOSTILE = ['=HYPERLINK("http://x.invalid","bấm")', "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


async def test_household_cells_from_typed_text_are_formula_safe(sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    app = await open_app(sqlite_url, clock, admin_ids="web:admin")
    try:
        officer = await _join(app, Chat(app, user="admin"), "officer-a", "Phan Rang")
        for n, typed in enumerate(HOSTILE):
            await officer.send("/themho")
            for answer in (f"PR-{n:03d}", "Trần Văn Bình", typed, "0912 345 678", "4"):
                await officer.send(answer)
            await officer.press("Nghèo")
            await officer.press("2026")
            await officer.send(typed)  # the notes
            await officer.press("Lưu")
            assert "Đã lưu" in officer.text, officer.text
        assert app.core is not None
        headers, rows = await app.core.registry.exporters["households"].run(
            app.core, app.catalogs["vi"])
    finally:
        await app.close()

    read = list(csv.reader(io.StringIO(write_csv(headers, rows).decode("utf-8-sig"))))
    addresses = {row[3] for row in read[1:]} | {row[8] for row in read[1:]}
    assert addresses and all(cell.startswith("'") for cell in addresses)
    assert {cell[1:].strip() for cell in addresses} == {t.strip() for t in HOSTILE}

    sheet = load_workbook(io.BytesIO(write_xlsx(headers, rows, "ho"))).active
    cells = [row[3] for row in sheet.iter_rows(min_row=2)] + [
        row[8] for row in sheet.iter_rows(min_row=2)]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert {c.value.strip() for c in cells} == {t.strip() for t in HOSTILE}
    numbers = [row[5].value for row in sheet.iter_rows(min_row=2)]
    assert numbers == [4] * len(HOSTILE)  # numbers stay numbers
