"""The admin's dialog that sets the year's poverty-reduction targets (/chitieu).

Asks the year, the document that sets the targets, the poor and the near-poor household rates
(start and end of the year, in percent) with how many households that means, and the new
houses; shows them and saves on "Lưu". The targets are kept in the database with who set them
and when (db/targets.py, with an audit row); /baocao compares the year's figures with them.

```mermaid
flowchart LR
    subgraph set_targets
    set_targets__year[year] --> set_targets__title[title]
    set_targets__title[title] --> set_targets__poor[poor]
    set_targets__poor[poor] --> set_targets__near[near]
    set_targets__near[near] --> set_targets__houses[houses]
    set_targets__houses[houses] --> set_targets__confirm[confirm]
    set_targets__confirm[confirm]
    end
```
"""

from __future__ import annotations

from typing import Any, Literal

from conversations.answers import storing
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Step
from conversations.payloads import Payload, payload
from db import targets as repo
from domain.folding import fold
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.numbers import parse_int
from domain.roles import ADMINS
from domain.targets import RateTarget, YearTargets, parse_rate_line

_NONE_WORDS = {"khong", "ko", "k", "0", "-"}


@payload("tg")
class TargetsButton(Payload):
    """A year to set the targets for, or "Lưu" (save) at the end."""

    pick: Literal["y", "save"]
    year: int = 0


def ask_year(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: for which year? (this year and next as buttons)."""
    year = ctx.local_now.year
    return Reply(ctx._("Set the poverty-reduction targets for which year? Press a year or type "
                       "it."),
                 (Choice(str(year), TargetsButton("y", year).pack()),
                  Choice(str(year + 1), TargetsButton("y", year + 1).pack())))


def accept_year(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the year (2000-2100)."""
    pressed = TargetsButton.unpack(answer.choice)
    year = pressed.year if pressed is not None and pressed.pick == "y" else parse_int(answer.text)
    if year is None or not 2000 <= year <= 2100:
        return Retry(ctx._("Please type a year, e.g. {year}.", year=ctx.local_now.year),
                     str(ctx.local_now.year))
    data["year"] = year
    return Next()


def ask_title(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which document sets these targets (its name, number and date)?"""
    return Reply(ctx._("Which document sets these targets? Type its name, number and date."))


def document_title(ctx: Ctx, answer: Answer) -> str | Retry:
    """The document's name (the source shown under the targets in /baocao), spaces tidied."""
    text = " ".join(answer.text.split())
    if not 5 <= len(text) <= 500:
        return Retry(ctx._("Please type the document's name, number and date."),
                     "Kế hoạch giảm nghèo năm 2027, số 12/KH-UBND ngày 10/3/2027")
    return text


def _ask_rates(ctx: Ctx, label: str, example: str) -> Reply:
    return Reply(ctx._("{label}: the rate at the start of the year (%), the rate at the end of "
                       "the year (%) and how many households to bring down, with spaces in "
                       "between. For example: {example}", label=label, example=example))


def _accept_rates(ctx: Ctx, data: dict[str, Any], answer: Answer, key: str,
                  example: str) -> Outcome:
    target = parse_rate_line(answer.text)
    if target is None:
        return Retry(ctx._("Please type three numbers: the start rate, the end rate (not "
                           "higher than the start) and the number of households."), example)
    data[key] = target.model_dump()
    return Next()


def ask_poor(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: poor households' rates and how many to bring down."""
    return _ask_rates(ctx, ctx._("Poor households"), "1,30 1,15 71")


def accept_poor(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the poor-household target."""
    return _accept_rates(ctx, data, answer, "poor", "1,30 1,15 71")


def ask_near(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: near-poor households' rates and how many to bring down."""
    return _ask_rates(ctx, ctx._("Near-poor households"), "3,11 2,91 95")


def accept_near(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the near-poor target."""
    return _accept_rates(ctx, data, answer, "near_poor", "3,11 2,91 95")


def ask_houses(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: how many new houses for poor households (or none)."""
    return Reply(ctx._("How many new houses for poor households does the plan set? Type a "
                       "number, or \"không\" if it sets none."))


def accept_houses(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the number of houses, or none."""
    if fold(answer.text) in _NONE_WORDS:
        data["new_houses"] = None
        return Next()
    count = parse_int(answer.text)
    if count is None or not 0 <= count <= 100000:
        return Retry(ctx._("Please type a number, or \"không\"."), "13")
    data["new_houses"] = count
    return Next()


def _targets(ctx: Ctx, data: dict[str, Any]) -> YearTargets:
    localities = ctx.services.content.get("localities")
    return YearTargets(
        year=data["year"], city=localities.city if localities else "-", title=data["title"],
        confirmed=True, sources=(data["title"],), poor=RateTarget(**data["poor"]),
        near_poor=RateTarget(**data["near_poor"]), new_houses=data.get("new_houses"),
    )


def _rate(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def ask_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the targets; asks to save them."""
    t = _targets(ctx, data)
    lines = [
        ctx._("🎯 Targets {year}: {title}", year=t.year, title=t.title),
        ctx._("• Poor households: {rate_from}% → {rate_to}%, reduce by {target}",
              rate_from=_rate(t.poor.rate_from), rate_to=_rate(t.poor.rate_to),
              target=t.poor.reduce_by),
        ctx._("• Near-poor households: {rate_from}% → {rate_to}%, reduce by {target}",
              rate_from=_rate(t.near_poor.rate_from), rate_to=_rate(t.near_poor.rate_to),
              target=t.near_poor.reduce_by),
    ]
    if t.new_houses is not None:
        lines.append(ctx._("• New houses for poor households: {count}", count=t.new_houses))
    return Reply("\n".join(lines), (Choice(ctx._("✅ Save"), TargetsButton("save").pack()),))


async def accept_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the targets with who set them (audit), then the menu."""
    pressed = TargetsButton.unpack(answer.choice)
    if pressed is None or pressed.pick != "save":
        return Retry(ctx._("Press \"Save\", or Cancel."))
    targets = _targets(ctx, data)
    await repo.save_year(ctx.session, ctx.user, targets, ctx.now)
    return Done(menu=ctx._("Saved the targets for {year}. /baocao now compares the year's "
                           "figures with them.", year=targets.year))


DIALOG = Dialog(
    "set_targets",
    N_("Set the year's targets"),
    (
        Step("year", ask_year, accept_year, numeric=True),
        Step("title", ask_title, storing("title", document_title)),
        Step("poor", ask_poor, accept_poor),
        Step("near", ask_near, accept_near),
        Step("houses", ask_houses, accept_houses),
        Step("confirm", ask_confirm, accept_confirm),
    ),
    roles=ADMINS,
)
