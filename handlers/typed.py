"""Typed text that means something else: "/cmd args" typed as a command, "quay lại" or 0 as
Back, a shown button's number or label as that button, "1 3" as several ticks; and what the
last reply offered, which a typed number refers to next (kept in the dialog state). The core
(handlers/core.py) applies these before routing an event."""

from __future__ import annotations

import re

from conversations import payloads
from conversations.context import Ctx
from conversations.engine import BACK, NAVIGATION, Step
from domain.folding import fold, fold_plain
from domain.messages import Incoming, Kind, Reply
from domain.text import is_back, match_choice

MAX_LABEL_TEXT = 200  # longer than any button label


def as_command(event: Incoming) -> Incoming:
    """Typed "/cmd args" (web chat, console, Zalo) becomes a command event."""
    if event.kind != Kind.TEXT or not event.text.startswith("/"):
        return event
    head, _, args = event.text[1:].partition(" ")
    name = head.split("@")[0].lower()
    if not name.isascii() or not name.replace("_", "").isalnum():
        return event
    return Incoming(
        event.channel, event.chat_id, event.user_id, Kind.COMMAND, args, name,
        update_id=event.update_id, language=event.language,
    )


def interpret_text(ctx: Ctx, event: Incoming) -> Incoming:
    """Typed text that means a button: "quay lại"/0, or a shown button's number or label.

    Numbers count the shown choices without Back and Cancel (those are words to type, see
    conversations/render.py). At a question that takes numbers, digits stay the answer here;
    `numbered_choice` tries them as a choice when the step cannot use them."""
    step = ctx.dialogs.current_step(ctx)
    text = event.text.strip()
    active = step is not None and not ctx.dialogs.paused(ctx)
    back = is_back(text) and (text != "0" or not (step and step.zero_is_answer))
    if active and back:
        return with_choice(event, BACK)
    offered = [(label, payload) for label, payload in ctx.state.offered]
    if not offered or not text:
        return event
    own = [(label, payload) for label, payload in offered if payload not in NAVIGATION]
    if not own:  # only Back/Cancel shown: a typed answer ("Nguyễn Quang Huy") is not "Hủy"
        if len(text) > MAX_LABEL_TEXT:
            return event
        typed = fold_plain(text)
        payload = next((p for label, p in offered if fold_plain(label) == typed), None)
        return event if payload is None else with_choice(event, payload)
    if step is not None and step.numeric and active and fold(text).isdigit():
        return event
    index = match_choice(text, [label for label, _ in own])
    if index is not None:
        return with_choice(event, own[index][1])
    index = match_choice(text, [label for label, _ in offered], allow_number=False)
    return event if index is None else with_choice(event, offered[index][1])


def numbered_choice(ctx: Ctx, step: Step, event: Incoming) -> Incoming | None:
    """At a question that takes numbers, the listed choice typed digits name (if any)."""
    number = payloads.as_int(fold(event.text)) if event.kind == Kind.TEXT else None
    if not step.numeric or number is None:  # ASCII digits only: "¹²³".isdigit() is true
        return None
    own = [payload for _, payload in ctx.state.offered if payload not in NAVIGATION]
    return with_choice(event, own[number - 1]) if 1 <= number <= len(own) else None


_SEPARATORS = re.compile(r"\s*(?:[,;+&/\n]|\bva\b|\bvoi\b)\s*|\s+(?=\d)")


def several_choices(ctx: Ctx, event: Incoming) -> list[Incoming]:
    """Typed "1 3", "1, 3 và 5" or "việc làm, học nghề" at a tick-the-items question: one
    choice per item, "Done" last; [] when any part names no shown choice."""
    own = [(label, payload) for label, payload in ctx.state.offered if payload not in NAVIGATION]
    parts = [p for p in _SEPARATORS.split(fold(event.text)) if p and p.strip()]
    if len(parts) < 2 or not own:
        return []
    payloads = []
    for part in parts:
        index = match_choice(part, [label for label, _ in own])
        if index is None:
            return []
        payloads.append(own[index][1])
    payloads = list(dict.fromkeys(payloads))
    done = [p for p in payloads if p.endswith(("done", ":ok"))]
    ordered = [p for p in payloads if p not in done] + done
    return [with_choice(event, p) for p in ordered]


def with_choice(event: Incoming, payload: str) -> Incoming:
    return Incoming(
        event.channel, event.chat_id, event.user_id, Kind.CHOICE, event.text,
        choice=payload, update_id=event.update_id, language=event.language,
    )


def remember_offered(ctx: Ctx, replies: list[Reply]) -> None:
    """The buttons of the last reply are what a typed number or label refers to next."""
    choices = next((r.choices for r in reversed(replies) if r.choices), ())
    offered = [[c.label, c.payload] for c in choices]
    if replies and offered != ctx.state.offered:  # no write when the same buttons are shown
        ctx.state.offered = offered
