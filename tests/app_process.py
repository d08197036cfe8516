"""One bot process for the multi-process tests and benchmarks (tests/bot/test_scale_out.py,
bench/scale): what `giamngheo run` does, with settings and delivery timings given as JSON.

    python -m tests.app_process '{"database_url": "...", "telegram_bot_token": "...", ...}'

Settings keys are the app's settings (validated as `load_settings` does; `telegram_send_rate`
may exceed Telegram's default 30/s here, as for a bot with paid broadcasts); "delivery" holds
`Delivery` options (heartbeat_seconds, stale_seconds, ...); "jobs_first_run_at" (epoch seconds)
makes every scheduled job fire at that moment first. Prints `READY <web url>` once the
channels, the scheduler and delivery run; stops when stdin closes (or SIGTERM); kill -9 is the
crash the tests make.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

os.environ.setdefault("PTB_TIMEDELTA", "true")


async def serve(options: dict) -> None:  # type: ignore[type-arg]
    from datetime import UTC, datetime

    from bot.app import App
    from bot.settings import load_settings

    delivery = options.pop("delivery", {})
    first_run = options.pop("jobs_first_run_at", None)  # epoch seconds: every job fires then
    scheduler = {"first_run_at": datetime.fromtimestamp(first_run, UTC)} if first_run else {}
    send_rate = options.pop("telegram_send_rate", None)
    settings = load_settings(_env_file=None, **options)
    if send_rate is not None:
        settings = settings.model_copy(update={"telegram_send_rate": float(send_rate)})
    app = App(settings, delivery_options=delivery, scheduler_options=scheduler)
    await app.open()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.read(1) else None)
    try:
        app.build_channels()
        url = await app.serve_web()
        await app.start_channels()
        print(f"READY {url}", flush=True)
        await stop.wait()
    finally:
        await app.close()


def main() -> None:
    import logging

    from bot.cli import run_async

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    run_async(serve(json.loads(sys.argv[1])))


if __name__ == "__main__":
    main()
