"""The command-line side of the self-assessment: `giamngheo assess` and `giamngheo reassess`.

    giamngheo assess                     one household (JSON object) or a list on stdin → JSON
    giamngheo reassess [--date Y-M-D]    re-assess shared results under the standard in force

`assess` needs no database: it loads the content files and the Vietnamese catalog, and follows
the JSON contract of domain.poverty (household_from_json / assessment_to_json). Bad input exits
with code 2 and one line on stderr naming the field ("[3].members: must be at least 1"), and
prints nothing on stdout. The default date is today in the configured time zone
(Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Any

from bot.settings import Settings

Handler = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]
BAD_INPUT = 2


def add_parsers(sub: argparse._SubParsersAction) -> dict[str, Handler]:  # type: ignore[type-arg]
    """Add the "assess" and "reassess" subcommands; returns name → handler."""
    sub.add_parser(
        "assess",
        help="assess households given as JSON on stdin (an object or a list); JSON on stdout",
    )
    reassess = sub.add_parser(
        "reassess", help="re-assess shared results under the standard in force and notify"
    )
    reassess.add_argument(
        "--date", type=_iso_date, default=None,
        help="the day to re-assess for, YYYY-MM-DD (default: today)",
    )
    return {"assess": _assess, "reassess": _reassess}


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2027-01-01: {text!r}") from None


def _today(settings: Settings) -> date:
    return datetime.now(settings.tz).date()


async def _assess(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.content import load_all
    from bot.i18n import load_catalogs
    from domain.formatting import format_money
    from domain.poverty import InputError, assess_json

    standards = load_all(settings.data_dir)["standards"]
    translator = load_catalogs(("vi",))["vi"]
    try:
        data = json.loads(sys.stdin.read())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"input: not valid JSON ({exc.__class__.__name__})", file=sys.stderr)
        return BAD_INPUT
    today = _today(settings)
    try:
        if isinstance(data, list):
            output: Any = [_one(item, f"[{i}]", standards, today, translator, format_money)
                           for i, item in enumerate(data)]
        else:
            output = assess_json(data, standards, today, translator, format_money)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return BAD_INPUT
    json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _one(item: Any, where: str, standards: Any, today: date, t: Any, money: Any) -> Any:
    """One list item; its InputError names the item's index first."""
    from domain.poverty import InputError, assess_json

    try:
        return assess_json(item, standards, today, t, money)
    except InputError as exc:
        field = where if exc.field == "input" else f"{where}.{exc.field}"
        raise InputError(field, exc.message) from None


async def _reassess(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import App
    from handlers.reassessment import reassess

    app = App(settings)
    await app.open()
    try:
        assert app.core is not None
        services = app.core.services
        report = await reassess(
            app.core.sessions,
            services.content["standards"],
            args.date or _today(settings),
            app.catalogs,
            now=datetime.now(UTC),
            default_locale=settings.locale,
        )
        _ = app.translate
        print(_(
            "Checked {checked}, changed {changed}, notices queued {notified}, skipped {failed}. "
            "The running bot delivers the notices."
        ).format(checked=report.checked, changed=report.changed, notified=report.notified,
                 failed=report.failed))
    finally:
        await app.close()
    return 0
