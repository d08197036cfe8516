"""Importing a ward's household list from a .csv or .xlsx file (`off_import`, /nhapho; the same
rules serve `giamngheo admin import households`): every row is checked, and nothing is written
while any row is bad; the reply lists the rows to fix. The columns, and how each cell is read,
are the household record's rows (`HOUSEHOLD` in conversations/officers/household.py); a code
twice in one ward is this module's check.

```mermaid
flowchart LR
    subgraph off_import
    off_import__file[file]
    end
```
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from conversations import answers
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Outcome, Retry, Step
from conversations.officers import localities, visible_wards
from conversations.officers.household import Sheet, file_columns, file_fields
from db.officers import households as repo
from domain.i18n import N_
from domain.localities import Localities
from domain.messages import Kind, Reply
from domain.roles import OFFICERS
from domain.tables import Row, TableError, header_key, read_table


def columns() -> dict[str, tuple[str, ...]]:
    """Each file field's column names, as header keys: its header first, then its aliases."""
    return {f.key: (header_key(f.sheet), *f.aliases) for f in file_fields()}


def _cell(row: Row, keys: tuple[str, ...]) -> str:
    """The row's value under the first of `keys` that holds one."""
    return next((row.cells[key] for key in keys if row.cells.get(key)), "").strip()


def _present_columns(rows: Sequence[Row]) -> dict[str, tuple[str, ...]]:
    """Each field's column names this sheet has (found once per sheet, not once per row)."""
    seen = set().union(*(row.cells for row in rows[:1])) if rows else set()
    return {field: tuple(k for k in keys if k in seen) or keys
            for field, keys in columns().items()}


def validate_rows(
    rows: Sequence[Row], t: Any, loc: Localities, wards: Sequence[str], year: int,
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Every row checked, each cell by its field's `parse` (the household record's rows) and
    then a code only once per ward: (values to write, [(row number, reasons)]). `wards`: where
    the person importing may write; without a ward column, a person with one ward writes
    there."""
    _ = t.gettext
    fields, sheet, present = file_fields(), Sheet(t, loc, wards, year), _present_columns(rows)
    values: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        reasons: list[str] = []
        household: dict[str, Any] = {}
        for f in fields:
            value = f.parse(_cell(row, present[f.key]), sheet)
            if isinstance(value, Retry):
                reasons.append(value.reason)
            else:
                household[f.key] = value
        ward, code = household.get("ward"), household.get("code")
        if ward and code and (ward, code) in seen:
            reasons.append(_("code {code} appears twice").format(code=code))
        if reasons:
            errors.append((row.number, "; ".join(reasons)))
            continue
        seen.add((ward, code))
        values.append(household)
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
    return Reply(ctx._("Send the ward's household list as a .csv or .xlsx file. Columns: "
                       "{columns}. A household already on the list (same code) is updated.",
                       columns=file_columns()))


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
