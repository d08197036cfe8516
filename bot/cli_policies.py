"""The `giamngheo policies` subcommand: the support-policy catalogue from the command line.

    giamngheo policies search "vay vốn làm ăn" [--json] [--limit N] [--on YYYY-MM-DD]

Search reads the same content files as the bot (DATA_DIR or the packaged copies) and needs no
database. `--json` prints a list of {"id", "title", "score"}, best first, for scripts; without
it, a numbered list for people. `--on` (default: today in the configured time zone) decides
which entries are in force.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from typing import Any

from bot.settings import Settings
from domain.i18n import N_

Handler = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


def add_parsers(sub: Any) -> dict[str, Handler]:
    """Add `policies` to the CLI's subparsers; returns its handler by command name."""
    policies = sub.add_parser("policies", help="the support-policy catalogue")
    actions = policies.add_subparsers(dest="action", required=True)
    search = actions.add_parser("search", help="find policies from a question in plain words")
    search.add_argument("query", help='the question, e.g. "vay vốn làm ăn"')
    search.add_argument("--json", action="store_true", help="print JSON for scripts")
    search.add_argument("--limit", type=_positive, default=5, help="at most this many (5)")
    search.add_argument("--on", type=_iso_date, default=None,
                        help="the day that decides what is in force (default: today)")
    return {"policies": _policies}


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-27: {value!r}") from None


async def _policies(settings: Settings, args: argparse.Namespace) -> int:
    from bot.content import load_all
    from domain.policy_search import search

    catalogue = load_all(settings.data_dir)["policies"]
    # The CLI has no app clock; the household's day is the configured time zone's.
    on = args.on or datetime.now(settings.tz).date()
    found = search(catalogue, args.query, on, limit=args.limit)
    if args.json:
        rows = [{"id": p.id, "title": p.title, "score": score} for p, score in found]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(_translate(settings, N_("No policy matches. Try other words, e.g. vay vốn.")))
        return 0
    for number, (policy, score) in enumerate(found, start=1):
        print(f"{number}. {policy.title} [{policy.id}] {score:g}")
    return 0


def _translate(settings: Settings, message: str) -> str:
    from bot.i18n import load_catalogs

    return load_catalogs((settings.locale,))[settings.locale].gettext(message)
