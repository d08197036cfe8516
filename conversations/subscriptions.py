"""A household's opt-in to notices (/theodoi): topics (tick any of three) → ward (or the whole
city only) → household category (optional) → consent and save. Nobody receives a broadcast they
did not subscribe to; "dừng" (`is_stop`) or /huytheodoi stops them all. The labour office's
composer that sends them is `conversations.broadcasts`.

```mermaid
flowchart LR
    subgraph subscribe
    subscribe__topics[topics] --> subscribe__ward[ward]
    subscribe__ward[ward] --> subscribe__category[category]
    subscribe__category[category] --> subscribe__confirm[confirm]
    subscribe__confirm[confirm] -->|edit| subscribe__topics[topics]
    end
```
"""

from __future__ import annotations

from typing import Any, Literal

from conversations.answers import ward_step
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Step
from conversations.payloads import Payload, payload
from db import broadcasts as repo
from db import users as users_repo
from domain.folding import fold
from domain.i18n import N_
from domain.messages import Choice, Reply

TOPIC_LABELS = {
    "jobs": N_("💼 Jobs"),
    "courses": N_("🎓 Vocational courses"),
    "policies": N_("📜 Support policies"),
}
CATEGORY_LABELS = {
    "poor": N_("Poor household"),
    "near_poor": N_("Near-poor household"),
    "none": N_("Neither of these"),
}
CONSENT_PURPOSE = "job_notices"
STOP_WORDS = frozenset({"dung", "stop", "ngung", "dung nhan", "ngung nhan", "huy theo doi",
                        "dung nhan tin", "dung gui"})


@payload("subs.t")
class TopicButton(Payload):
    """A topic to tick or untick (one of db.broadcasts.TOPICS), or "done"."""

    topic: Literal["jobs", "courses", "policies", "done"]


@payload("subs.c")
class CategoryButton(Payload):
    """The household category the household says it has (CATEGORY_LABELS), or "skip"."""

    category: Literal["poor", "near_poor", "none", "skip"]


@payload("subs")
class ConfirmButton(Payload):
    """Save the subscription, or change it from the topics on."""

    reply: Literal["yes", "edit"]


def topics_line(ctx: Ctx, topics: list[str] | frozenset[str]) -> str:
    return ", ".join(ctx._(TOPIC_LABELS[t]) for t in repo.TOPICS if t in topics)


def tick(ctx: Ctx, on: bool, label: str) -> str:
    return f"{'✅' if on else '▫️'} {ctx._(label)}"


def is_stop(text: str) -> bool:
    return fold(text).strip(" .!") in STOP_WORDS


async def _subscribe_start(ctx: Ctx, data: dict[str, Any]) -> None:
    """Starts from what the household chose before, so /theodoi also shows and changes it."""
    # No autoflush: the stepper has just set the state's data; flushing it now would make the
    # update below an untracked in-place change.
    with ctx.session.no_autoflush:
        mine = await repo.subscription(ctx.session, ctx.user.id)
    if mine is not None:
        data.update(topics=sorted(mine.topics), ward=mine.ward, category=mine.category,
                    existing=True)
    else:
        data.update(topics=[], ward=None, category=None, existing=False)


def _ask_topics(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks which topics (tick any), then Done."""
    lines = []
    if data.get("existing"):
        lines.append(ctx._("You now receive: {topics}.", topics=topics_line(ctx, data["topics"])))
    lines.append(ctx._("Which notices would you like to receive? Press a topic to tick or "
                       "untick it, then press “Done”."))
    lines.append(ctx._("You can also type several numbers at once, e.g. 1 3."))
    choices = [Choice(tick(ctx, t in data["topics"], TOPIC_LABELS[t]), TopicButton(t).pack())
               for t in repo.TOPICS]
    choices.append(Choice(ctx._("➡️ Done"), TopicButton("done").pack()))
    return Reply("\n".join(lines), tuple(choices))


def _accept_topics(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Toggles a topic (asks again) or goes on to the ward."""
    pressed = TopicButton.unpack(answer.choice)
    if pressed is not None and pressed.topic in repo.TOPICS:
        topics = set(data["topics"]) ^ {pressed.topic}
        data["topics"] = [t for t in repo.TOPICS if t in topics]
        return Next("topics")
    if pressed is not None:  # done
        if not data["topics"]:
            return Retry(ctx._("Please tick at least one topic. To stop all notices, type "
                               "/huytheodoi."))
        chosen = ctx._("You chose: {topics}.", topics=topics_line(ctx, data["topics"]))
        return Next(None, [Reply(chosen)])
    return Retry(ctx._("Please press a topic to tick it, then “Done”."))


def _ward_question(ctx: Ctx, data: dict[str, Any]) -> str:
    """Asks the household's ward (for notices about that ward)."""
    return ctx._("Which ward do you live in? You will get notices for your ward and for the "
                 "whole city. Press a ward or type its name.")


def _ask_category(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks (optionally) whether the household is on the ward's poor or near-poor list."""
    text = ctx._("Is your household on the ward's list as poor or near-poor? Some notices are "
                 "only for them. You may skip this.")
    choices = [Choice(ctx._(label), CategoryButton(key).pack())
               for key, label in CATEGORY_LABELS.items()]
    choices.append(Choice(ctx._("Skip"), CategoryButton("skip").pack()))
    return Reply(text, tuple(choices))


def _accept_category(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the category (or none), asks for the confirmation."""
    pressed = CategoryButton.unpack(answer.choice)
    if pressed is None:
        return Retry(ctx._("Please press one of the buttons."))
    data["category"] = None if pressed.category == "skip" else pressed.category
    return Next()


def _ask_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the choices and asks for consent."""
    lines = [
        ctx._("You will receive: {topics}.", topics=topics_line(ctx, data["topics"])),
        ctx._("Ward: {ward}", ward=data["ward"] or ctx._("whole city only")),
    ]
    if data.get("category"):
        lines.append(ctx._("Household: {category}", category=ctx._(
            CATEGORY_LABELS[data["category"]])))
    lines.append(ctx._("You can stop at any time: type /huytheodoi or reply “dừng”. Agree?"))
    return Reply("\n".join(lines), (
        Choice(ctx._("✅ Yes, send me these"), ConfirmButton("yes").pack()),
        Choice(ctx._("✏️ Change"), ConfirmButton("edit").pack()),
    ))


async def _accept_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the subscription with the consent, or goes back to the topics."""
    pressed = ConfirmButton.unpack(answer.choice)
    if pressed is not None and pressed.reply == "edit":
        return Next("edit")
    if pressed is None:
        return Retry(ctx._("Please press “Yes” to save, or Cancel."))
    await users_repo.grant_consent(ctx.session, ctx.user, CONSENT_PURPOSE, ctx.now)
    await repo.subscribe(ctx.session, ctx.user, data["topics"], data["ward"], data["category"],
                         ctx.now)
    return Done(menu=ctx._("Saved. I will send you these notices. To stop: /huytheodoi."))


SUBSCRIBE = Dialog(
    name="subscribe",
    title=N_("Notices I receive"),
    steps=[
        Step("topics", _ask_topics, _accept_topics, multi=True),
        ward_step("ward", _ward_question, none=N_("Skip: whole-city notices only"),
                  unknown=N_("I could not find that ward. Please press one of the buttons.")),
        Step("category", _ask_category, _accept_category),
        Step("confirm", _ask_confirm, _accept_confirm, next={"edit": "topics"}),
    ],
    on_start=_subscribe_start,
)
