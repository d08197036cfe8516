"""Golden transcripts: whole conversations replayed with a fixed clock and ids, compared with the
reviewed copies in tests/data/golden/. A change to any wording, button or step shows up as a
diff in review. Regenerate on purpose only: `UPDATE_GOLDEN=1 make test`.

A script renders replies as the numbered list (console, Zalo, SMS-like channels) unless it says
`render: buttons`: then each reply's buttons are shown in the rows Telegram lays them out in
(`[Có] [Không]`), and an input `{press: label}` presses the button whose label contains it."""

from __future__ import annotations

import os
import random
import secrets
from pathlib import Path

import pytest
import yaml

from bot.telegram import keyboard_rows
from conversations.render import numbered_text
from domain.messages import Incoming, Kind, Reply
from tests.support import Chat, open_app

DATA = Path(__file__).parent / "data"
SCRIPTS = sorted((DATA / "transcripts").glob("*.yaml"))


def _buttons_text(reply: Reply) -> str:
    """The reply's text, then its keyboard, one line per row: "[Có] [Không]"."""
    rows = [" ".join(f"[{c.label}]" for c in row) for row in keyboard_rows(reply.choices)]
    return "\n".join([reply.text, *rows] if reply.text else rows)


def _render(inputs: list[str], outputs: list[list[str]], final_state: str) -> str:
    lines: list[str] = []
    for typed, replies in zip(inputs, outputs, strict=True):
        lines.append(f">>> {typed}")
        lines.extend(replies)
    lines.append(f"=== final state: {final_state}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
async def test_transcript_matches_the_reviewed_copy(script: Path, sqlite_url, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    spec = yaml.safe_load(script.read_text(encoding="utf-8"))
    # fixed ids: codes the bot hands out (registration, invites) come from `secrets.choice`
    monkeypatch.setattr(secrets, "choice", random.Random(2026).choice)
    app = await open_app(sqlite_url, clock, **spec.get("settings", {}))
    assert app.core is not None
    translate = app.core.catalogs["vi"].gettext  # as Zalo and the console show it
    channel = spec.get("channel", "web")
    if spec.get("render") == "buttons":
        render = _buttons_text
    else:
        def render(reply: Reply) -> str:
            return numbered_text(reply, None, translate)
    chats: dict[str, Chat] = {}
    shown, outputs = [], []
    for step in spec["inputs"]:
        # a plain string is the script's user typing; {as: someone, send: text} another person;
        # {file: name, content: text} sends a file (as the web chat's 📎 does);
        # {press: label} the script's user pressing a button
        step = step if isinstance(step, dict) else {"send": step}
        who = step.get("as", spec["user"])
        chat = chats.setdefault(who, Chat(app, user=who, channel=channel))
        if "press" in step:
            typed = f"(presses) {step['press']}"
            replies = await chat.press(str(step["press"]))
        elif "file" in step:
            typed = f"📎 {step['file']}"
            replies = await chat.deliver(Incoming(
                chat.channel, who, who, Kind.DOCUMENT, update_id=f"file-{len(shown)}",
                payload={"file_id": step["file"], "file_name": step["file"],
                         "data": str(step["content"]).encode("utf-8")}))
        else:
            typed = str(step["send"])
            replies = await chat.send(typed)
        shown.append(typed if who == spec["user"] else f"[{who}] {typed}")
        outputs.append([render(reply) + "\n" for reply in replies])
        clock.advance(seconds=20)
    async with app.core.sessions() as session:
        from sqlalchemy import select

        from db.models import DialogState, User

        row = (await session.execute(
            select(DialogState.dialog, DialogState.step).join(User).where(
                User.external_id == spec["user"]))).first()
    await app.close()
    final = "none" if row is None else f"dialog={row[0]} step={row[1]}"
    transcript = _render(shown, outputs, final)
    golden = DATA / "golden" / f"{script.stem}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1" or not golden.exists():
        golden.write_text(transcript, encoding="utf-8")
        if os.environ.get("UPDATE_GOLDEN") != "1":
            pytest.fail(f"{golden.name} did not exist; written now — review and commit it")
    assert transcript == golden.read_text(encoding="utf-8")
