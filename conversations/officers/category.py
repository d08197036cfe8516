"""Changing a household's category after the ward's review (`off_category`, from the household's
card in /ho): the new list, then confirm; the change counts in the report's "since 1/1".

```mermaid
flowchart LR
    subgraph off_category
    off_category__pick[pick] --> off_category__confirm[confirm]
    off_category__confirm[confirm]
    end
```
"""

from __future__ import annotations

from typing import Any, Literal

from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Step
from conversations.officers import (
    CATEGORY_LABELS,
    category_buttons,
    chosen_household,
    household_line,
    parse_category,
)
from conversations.payloads import Payload, payload, slug
from db.officers import households as repo
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.roles import OFFICERS


@payload("oc")
class ConfirmButton(Payload):
    """Confirm the change."""

    pick: Literal["ok"]


@payload("oc.c")
class ListButton(Payload):
    """The new category (a key of CATEGORY_LABELS)."""

    category: str = slug(16)


async def ask_cat_pick(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: the household's new list (after the review's decision)."""
    household = await chosen_household(ctx, data)
    current = household.category if household else None
    return Reply(ctx._("{household}\nWhich list is it on now, after the review's decision?",
                       household=household_line(ctx, household) if household else "—"),
                 category_buttons(ctx, lambda key: ListButton(key).pack(),
                                  skip=current))


def accept_cat_pick(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Sets the new category."""
    pressed = ListButton.unpack(answer.choice)
    category = pressed.category if pressed else parse_category(answer.text)
    if category not in CATEGORY_LABELS:
        return Retry(ctx._("Please choose one of the buttons."))
    data["category"] = category
    return Next()


def ask_cat_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: confirm the change?"""
    return Reply(ctx._("Move the household to the list \"{category}\" from {year}?",
                       category=ctx._(CATEGORY_LABELS[data["category"]]),
                       year=ctx.local_now.year),
                 (Choice(ctx._("✅ Confirm"), ConfirmButton("ok").pack()),))


async def accept_cat_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Records the change (it counts in the report's "since the start of the year")."""
    if ConfirmButton.unpack(answer.choice) is None:
        return Retry(ctx._("Press \"Confirm\", or Back to choose again."))
    household = await chosen_household(ctx, data)
    if household is None:
        return Done([Reply(ctx._("I cannot find that household in your wards."))], menu=True)
    await repo.change_category(ctx.session, household, data["category"], ctx.local_now.year,
                               ctx.user, ctx.now)
    return Done([Reply(ctx._("Saved: {household}.", household=household_line(ctx, household)))],
                menu=True)


CATEGORY = Dialog(
    name="off_category",
    title=N_("Change a household's list"),
    steps=[Step("pick", ask_cat_pick, accept_cat_pick),
           Step("confirm", ask_cat_confirm, accept_cat_confirm)],
    roles=OFFICERS,
)
