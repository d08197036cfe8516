"""The command line: `giamngheo` and `python -m bot` (the same entry point).

    giamngheo run                 all configured channels + the web chat
    giamngheo run --demo          the web chat on example data (its own database file)
    giamngheo console [--user ID] chat on stdin/stdout
    giamngheo db upgrade          apply database migrations
    giamngheo policies search "…" find support policies (--json for scripts)

A configuration or content error prints one line on stderr and exits 2; no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bot import cli_admin, cli_assessment, cli_policies
from bot.app import App, RefusedToStart
from bot.content import ContentError
from bot.i18n import CatalogError
from bot.settings import Settings, SettingsError, load_settings

SHUTDOWN_SECONDS = 5


def build_parser(handlers: dict[str, Any] | None = None) -> argparse.ArgumentParser:
    """`handlers` receives the handlers of subcommands that feature modules add."""
    parser = argparse.ArgumentParser(prog="giamngheo", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run",
                         help="run the bot: web chat, and Telegram/Zalo when tokens are set")
    run.add_argument("--demo", action="store_true",
                     help="try every role on example data, in a database file of its own")
    console = sub.add_parser("console", help="chat with the bot on stdin/stdout")
    console.add_argument("--user", default="console", help="who you are in the bot's records")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    added = handlers if handlers is not None else {}
    for feature in (cli_policies, cli_assessment, cli_admin):
        added.update(feature.add_parsers(sub))
    return parser


def run_async(coroutine: Coroutine[Any, Any, int]) -> int:
    """Run on uvloop where it is installed (Linux, macOS): the same asyncio API with a faster
    event loop, which the Telegram benchmark's latency target needs; plain asyncio elsewhere."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the process's own command line (`giamngheo`, `python -m bot`)
        # Everything imported so far lives as long as the process: exempt it from the cyclic
        # garbage collector. Collections then walk only what the bot makes while it runs, and
        # the exit does not collect the whole import graph (seconds on a busy 2-core server).
        gc.freeze()
    added: dict[str, Any] = {}
    args = build_parser(added).parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.command == "run" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    commands: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
        "run": _run,
        "console": _console,
        "db": _db,
        **added,
    }
    try:
        settings = load_settings()
        return run_async(commands[args.command](settings, args))
    except (SettingsError, ContentError, CatalogError, RefusedToStart) as exc:
        print(f"giamngheo: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _db(settings: Settings, _args: argparse.Namespace) -> int:
    app = App(settings)
    await app.open(migrate=True)
    await app.close()
    print("database is up to date")
    return 0


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import run_console

    app = App(settings)
    await app.open()
    try:
        assert app.core is not None
        await run_console(app.core, args.user, app.translate)
    finally:
        await app.close()
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    demo_mode = bool(getattr(args, "demo", False))
    if demo_mode:  # the web chat on a fresh database of examples; the real one is not opened
        from bot import demo

        settings = demo.demo_settings(settings)
        demo.reset_demo_file()
    app = App(settings, demo=demo_mode)
    await app.open()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        _ = app.translate
        if demo_mode:
            counts = await demo.seed(app)
        else:
            app.build_channels()
        url = await app.serve_web()
        await app.start_channels()
        if demo_mode:
            print(_("Demo on example data ({courses} courses, {jobs} jobs, {households} "
                    "households, {visits} visits) in {file}; the real database is not used.")
                  .format(file=demo.DEMO_FILE, **counts), flush=True)
        print(_("Web chat: {url}").format(url=url), flush=True)
        waits = [asyncio.ensure_future(event.wait()) for event in [stop, *app.conflicts()]]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()
    finally:
        await asyncio.wait_for(app.close(), timeout=SHUTDOWN_SECONDS)
    if not stop.is_set():
        print("giamngheo: another process is polling this Telegram bot (409 Conflict); stopped. "
              "Run one poller, or use webhook mode.", file=sys.stderr)
        return 1
    return 0
