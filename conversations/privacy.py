"""The /xoadulieu dialog: one question, "delete everything I keep about you?", then every
registered personal-data section deletes its rows and the person gets a short receipt
(handlers/privacy.py registers the dialog and the sections' order).

```mermaid
flowchart LR
    subgraph erase
    erase__confirm[confirm]
    end
```
"""

from __future__ import annotations

from typing import Any, Literal

from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Outcome, Retry, Step
from conversations.payloads import Payload, payload
from domain.formatting import format_datetime
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.text import parse_yes_no


@payload("erase")
class EraseButton(Payload):
    """Delete everything, or keep it."""

    reply: Literal["yes", "no"]


def _ask_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: really delete everything?"""
    return Reply(
        ctx._(
            "Delete everything I keep about you? This cannot be undone. Registrations and "
            "shared results are deleted too."
        ),
        (Choice(ctx._("🗑️ Yes, delete"), EraseButton("yes").pack()),
         Choice(ctx._("No, keep"), EraseButton("no").pack())),
    )


async def _accept_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Deletes every section on yes; keeps everything on no."""
    pressed = EraseButton.unpack(answer.choice)
    typed = parse_yes_no(answer.text) if answer.choice is None else None
    yes = (pressed is not None and pressed.reply == "yes") or typed is True
    no = (pressed is not None and pressed.reply == "no") or typed is False
    if no:
        return Done(menu=ctx._("Nothing was deleted."))
    if not yes:
        return Retry(ctx._("Please answer yes or no."), ctx._("yes"))
    counts = []
    for section in ctx.registry.personal_data:
        removed = await section.delete(ctx)
        if removed:
            counts.append(f"{ctx._(section.name)}: {removed}")
    when = format_datetime(ctx.now, ctx.settings.timezone)
    receipt = ctx._("Deleted at {when}. What was removed:", when=when)
    kept = ctx._("What stays: a household on a ward's list that a ward officer entered is the "
                 "ward's own record for the yearly poverty review, not your account, so it is "
                 "kept. To correct it, ask your ward office.")
    bye = ctx._("If you write again, I will start fresh. Thank you!")
    # forget_history: the web chat clears the transcript on screen and in the browser too
    return Done([Reply("\n".join([receipt, *counts, kept, bye]), forget_history=True)])


ERASE = Dialog(
    name="erase",
    title=N_("Delete my data"),
    steps=[Step("confirm", _ask_confirm, _accept_confirm)],
)
