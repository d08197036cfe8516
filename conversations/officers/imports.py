"""Importing a ward's household list from a .csv or .xlsx file (`off_import`, /nhapho; the same
rules serve `giamngheo admin import households`): every row is checked, and nothing is written
while any row is bad; the reply lists the rows to fix.

```mermaid
flowchart LR
    subgraph off_import
    off_import__file[file]
    end
```
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from conversations import answers
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Outcome, Retry, Step
from conversations.officers import (
    MAX_MEMBERS,
    clean_code,
    localities,
    match_ward,
    parse_category,
    visible_wards,
)
from conversations.payloads import as_int
from db.officers import households as repo
from domain.i18n import N_
from domain.localities import Localities
from domain.messages import Kind, Reply
from domain.numbers import parse_int
from domain.roles import OFFICERS
from domain.tables import Row, TableError, read_table
from domain.text import parse_phone

COLUMNS: dict[str, tuple[str, ...]] = {
    "ward": ("phuong", "phuong_xa", "xa_phuong", "ward"),
    "code": ("ma_ho", "ma", "code"),
    "head_name": ("ho_ten_chu_ho", "chu_ho", "ho_ten", "ho_va_ten", "name"),
    "address": ("dia_chi", "address"),
    "phone": ("so_dien_thoai", "dien_thoai", "sdt", "phone"),
    "members": ("so_nhan_khau", "nhan_khau", "so_thanh_vien", "so_nguoi", "members"),
    "category": ("phan_loai", "dien", "loai_ho", "category"),
    "category_year": ("nam", "nam_phan_loai", "year"),
    "notes": ("ghi_chu", "notes"),
}


def _cell(row: Row, field: str, present: dict[str, tuple[str, ...]] | None = None) -> str:
    """The row's value for `field` (the first of its column names with a value); `present`:
    the column names this sheet has, found once per sheet rather than once per row."""
    keys = COLUMNS[field] if present is None else present[field]
    return next((row.cells[key] for key in keys if row.cells.get(key)), "").strip()


def _present_columns(rows: Sequence[Row]) -> dict[str, tuple[str, ...]]:
    seen = set().union(*(row.cells for row in rows[:1])) if rows else set()
    return {field: tuple(k for k in keys if k in seen) or keys for field, keys in COLUMNS.items()}


def validate_rows(
    rows: Sequence[Row], t: Any, loc: Localities, wards: Sequence[str], year: int,
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Every row checked: (values to write, [(row number, reason)]). `wards`: where the person
    importing may write; without a ward column, a person with one ward writes there."""
    _ = t.gettext
    values: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    ward_of: dict[str, str | None] = {}
    present = _present_columns(rows)
    category_of = functools.lru_cache(maxsize=256)(parse_category)  # a handful of values
    count_of = functools.lru_cache(maxsize=256)(parse_int)
    for row in rows:
        reasons: list[str] = []
        cells = {field: _cell(row, field, present) for field in COLUMNS}
        ward_text = cells["ward"]
        if ward_text not in ward_of:  # a sheet names a few wards many times: look each up once
            ward_of[ward_text] = match_ward(loc, ward_text) if ward_text else (
                wards[0] if len(wards) == 1 else None)
        ward = ward_of[ward_text]
        if ward is None:
            reasons.append(_("unknown ward \"{ward}\"").format(ward=ward_text))
        elif ward not in wards:
            reasons.append(_("you are not an officer of {ward}").format(ward=ward))
        code = clean_code(cells["code"])
        if code is None:
            reasons.append(_("missing or invalid household code"))
        name = " ".join(cells["head_name"].split())
        if not 2 <= len(name) <= 128:
            reasons.append(_("missing head of household's name"))
        phone_text = cells["phone"]
        phone = parse_phone(phone_text) if phone_text else None
        if phone_text and phone is None:  # the number itself is not repeated: personal data
            reasons.append(_("the phone number is not a mobile number"))
        members = count_of(cells["members"])
        if members is None or not 1 <= members <= MAX_MEMBERS:
            reasons.append(_("number of people must be 1 to {most}").format(most=MAX_MEMBERS))
        category = category_of(cells["category"])
        if category is None:
            reasons.append(_("unknown list \"{value}\" (nghèo, cận nghèo, mới thoát nghèo, "
                             "khác)").format(value=cells["category"]))
        year_text = cells["category_year"]
        row_year = as_int(year_text) if year_text else year
        if row_year is None or not 2000 <= row_year <= year:
            reasons.append(_("invalid year \"{value}\"").format(value=year_text))
        if ward and code and (ward, code) in seen:
            reasons.append(_("code {code} appears twice").format(code=code))
        if reasons:
            errors.append((row.number, "; ".join(reasons)))
            continue
        assert ward and code and category and members and row_year
        seen.add((ward, code))
        values.append({
            "ward": ward, "code": code, "head_name": name,
            "address": " ".join(cells["address"].split())[:256], "phone": phone,
            "members": members, "category": category, "category_year": row_year,
            "notes": cells["notes"][:2000] or None,
        })
    return values, errors


async def import_rows(
    ctx_session: Any, rows: Sequence[Row], t: Any, loc: Localities, wards: Sequence[str],
    year: int, actor: Any, now: datetime,
) -> tuple[int, list[tuple[int, str]]]:
    """Validate everything, write only when every row is good."""
    values, errors = validate_rows(rows, t, loc, wards, year)
    if errors:
        return 0, errors
    return await repo.import_households(ctx_session, values, actor, now), []


def ask_import_file(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: send the list as a .csv or .xlsx file."""
    return Reply(ctx._(
        "Send the ward's household list as a .csv or .xlsx file. Columns: Phường, Mã hộ, Họ tên "
        "chủ hộ, Địa chỉ, Số điện thoại, Số nhân khẩu, Phân loại (nghèo / cận nghèo / mới thoát "
        "nghèo / khác), Năm, Ghi chú. A household already on the list (same code) is updated."))


async def accept_import_file(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Imports every row, or nothing and the list of bad rows."""
    if answer.kind != Kind.DOCUMENT or not answer.payload.get("data"):
        return Retry(ctx._("Please send the list as a file (.csv or .xlsx)."))
    try:
        rows = await asyncio.to_thread(  # a big sheet must not stall everyone else
            read_table, answer.payload["data"], answer.payload.get("file_name") or "")
    except TableError as exc:
        return Retry(ctx._(exc.message, **exc.values))
    count, errors = await import_rows(
        ctx.session, rows, ctx.translator, localities(ctx), await visible_wards(ctx),
        ctx.local_now.year, ctx.user, ctx.now,
    )
    if errors:
        lines = [ctx._("Row {number}: {reason}", number=n, reason=r) for n, r in errors[:10]]
        if len(errors) > 10:
            lines.append(ctx._("… and {count} more.", count=len(errors) - 10))
        head = ctx.ngettext("Nothing was imported: {n} row needs fixing.",
                            "Nothing was imported: {n} rows need fixing.", len(errors))
        tail = ctx._("Fix the file and send it again.")
        return Retry("\n".join([head, *lines, tail]))
    return Done([Reply(ctx.ngettext("Imported {n} household.", "Imported {n} households.",
                                    count))], menu=True)


async def start_import(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """Where the channel cannot receive files, say where to send it instead, and stop."""
    if ctx.can_receive(Kind.DOCUMENT):
        return None
    return Done([Reply(answers.no_files_here(ctx))], menu=True)


IMPORT = Dialog(
    name="off_import",
    title=N_("Import the household list"),
    on_start=start_import,
    steps=[Step("file", ask_import_file, accept_import_file,
                accepts=frozenset({Kind.DOCUMENT, Kind.TEXT, Kind.CHOICE}))],
    roles=OFFICERS,
)
