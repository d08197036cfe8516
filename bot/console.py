"""The console channel: `giamngheo console [--user ID]` for support staff and scripts.

Reads one message per line from stdin (piped or typed), prints the replies with choices as a
numbered list, and ends cleanly on end of input.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from bot.channel import Capabilities, ChannelKind
from conversations.render import numbered_text
from domain.messages import Handler, Incoming, Kind, Reply

# Typed lines only. Run by `giamngheo console`, not built by the app: no settings of its own.
KIND = ChannelKind("console", "console", Capabilities(frozenset({Kind.TEXT})), send_rate=100.0)


def render(reply: Reply, _: Callable[[str], str]) -> str:
    text = numbered_text(reply, _("Answer with the number, for example: 1"), _)
    if reply.image is not None:
        text += "\n" + _("[picture]")
    if reply.document is not None:
        text += "\n" + _("[file: {name}]").format(name=reply.document.file_name)
    return text


async def run_console(
    handler: Handler, user: str, translate: Callable[[str], str],
    stdin: TextIO | None = None, stdout: TextIO | None = None,
) -> None:
    """Feed each input line to the core and print what it answers, until end of input."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            return
        text = line.strip()
        if not text:
            continue
        replies = await handler.handle(Incoming("console", user, user, Kind.TEXT, text))
        for reply in replies:
            stdout.write(render(reply, translate) + "\n\n")
        stdout.flush()
