"""`giamngheo admin …`: what the labour office does from a terminal.

    giamngheo admin import KIND FILE          CSV or XLSX; every bad row reported, nothing
                                              imported when any row is bad
    giamngheo admin export KIND --format csv|xlsx --out FILE

KIND is whatever a feature registered (`Registry.importer` / `Registry.exporter`), e.g. courses,
households, registrations. Features with other admin actions add their own subcommands by
listing a module in ADMIN_MODULES that defines `add_admin_parsers(admin_sub) -> {name: handler}`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.settings import Settings

Handler = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]

ADMIN_MODULES: tuple[str, ...] = ("bot.cli_officers",)


def add_parsers(sub: Any) -> dict[str, Handler]:
    admin = sub.add_parser("admin", help="labour-office actions: import, export …")
    actions = admin.add_subparsers(dest="admin_command", required=True)
    imp = actions.add_parser("import", help="import records from a .csv or .xlsx file")
    imp.add_argument("kind")
    imp.add_argument("file", type=Path)
    exp = actions.add_parser("export", help="export records as .csv or .xlsx")
    exp.add_argument("kind")
    exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    exp.add_argument("--out", type=Path, required=True)
    handlers: dict[str, Handler] = {"import": _import, "export": _export}
    for name in ADMIN_MODULES:
        handlers.update(importlib.import_module(name).add_admin_parsers(actions))

    async def dispatch(settings: Settings, args: argparse.Namespace) -> int:
        return await handlers[args.admin_command](settings, args)

    return {"admin": dispatch}


async def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import App
    from domain.tables import TableError, read_table

    app = App(settings)
    await app.open()
    try:
        _ = app.translate
        importer = app.core.registry.importers.get(args.kind)  # type: ignore[union-attr]
        if importer is None:
            return _fail(_("Unknown kind {kind}; one of: {kinds}").format(
                kind=args.kind, kinds=", ".join(sorted(app.core.registry.importers))))  # type: ignore[union-attr]
        try:
            rows = read_table(args.file.read_bytes(), args.file.name)
        except OSError:
            return _fail(_("Cannot read the file {name}.").format(name=args.file))
        except TableError as exc:
            return _fail(_(exc.message).format(**exc.values))
        result = await importer.run(app.core, rows, app.catalogs[settings.locale], None)
        for number, reason in result.errors:
            print(_("Row {number}: {reason}").format(number=number, reason=reason),
                  file=sys.stderr)
        if result.errors:
            return _fail(_("Nothing was imported: {count} rows need fixing.").format(
                count=len(result.errors)))
        print(_("Imported {count} rows.").format(count=result.imported))
        return 0
    finally:
        await app.close()


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import App
    from domain.tables import write_csv, write_xlsx

    app = App(settings)
    await app.open()
    try:
        _ = app.translate
        exporter = app.core.registry.exporters.get(args.kind)  # type: ignore[union-attr]
        if exporter is None:
            return _fail(_("Unknown kind {kind}; one of: {kinds}").format(
                kind=args.kind, kinds=", ".join(sorted(app.core.registry.exporters))))  # type: ignore[union-attr]
        headers, rows = await exporter.run(app.core, app.catalogs[settings.locale])
        data = write_csv(headers, rows) if args.format == "csv" else write_xlsx(
            headers, rows, args.kind)
        args.out.write_bytes(data)
        print(_("Wrote {count} rows to {path}.").format(count=len(rows), path=args.out))
        return 0
    finally:
        await app.close()


def _fail(message: str) -> int:
    print(f"giamngheo: {message}", file=sys.stderr)
    return 2
