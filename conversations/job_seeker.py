"""A household member's job-seeker profile (/timviec, with consent): what work, where, how much,
and a phone number the labour office and employers can call. Started from the saved profile,
so answering again changes it, and it can be deleted at the end.

The profile record (`SEEKER_PROFILE`) declares each field once: its rows give the questions,
the consent's summary, and (in handlers/jobs.py) the export's columns and /dulieucuatoi's line;
db/broadcasts.py `save_seeker` stores whatever fields it holds, by column.

```mermaid
flowchart LR
    subgraph job_seeker
    job_seeker__trade[trade] --> job_seeker__ward[ward]
    job_seeker__ward[ward] --> job_seeker__availability[availability]
    job_seeker__availability[availability] --> job_seeker__phone[phone]
    job_seeker__phone[phone] --> job_seeker__consent[consent]
    job_seeker__consent[consent]
    end
```
"""

from __future__ import annotations

from typing import Any, Literal

from conversations import answers
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Outcome, Retry, Step
from conversations.fields import Field, Record
from conversations.jobs import TRADES
from conversations.payloads import Payload, payload
from db import broadcasts as repo
from db import jobs as job_repo
from db import users as users_repo
from domain.i18n import N_
from domain.messages import Choice, Kind, Reply

SEEKER_PURPOSE = "job_seeker"
AVAILABILITY = {
    "full": N_("Full-time"),
    "part": N_("Part-time"),
    "seasonal": N_("Seasonal"),
}


@payload("sk")
class Consent(Payload):
    """The last question's buttons: save the profile with consent, or delete it."""

    action: Literal["yes", "delete"]


def _ask_trade(ctx: Ctx, data: dict[str, Any]) -> str:
    lines = []
    if data.get("existing"):
        lines.append(ctx._("You have a job-seeker profile. Answer again to change it, or "
                           "delete it at the end."))
    lines.append(ctx._("What kind of work are you looking for?"))
    return "\n".join(lines)


def _ask_phone(ctx: Ctx, data: dict[str, Any]) -> Reply:
    office = answers.labour_office_name(ctx)
    return answers.phone_question(
        ctx, ctx._("Which phone number can the {office} or an employer call? Type it, "
                   "e.g. 0912345678, or press the button to share it.", office=office),
        ctx._("Which phone number can the {office} or an employer call? Type it, "
              "e.g. 0912345678.", office=office))


SEEKER_PROFILE = Record("js", __name__, (
    Field("trade", N_("Trade"), _ask_trade, choices=TRADES),
    Field("ward", N_("Ward"), blank=N_("anywhere in the city"), step=answers.ward_step(
        "ward", lambda ctx, data: ctx._("In which ward would you like to work?"),
        none=N_("Anywhere in the city"), unknown=N_("Please press one of the buttons."))),
    Field("availability", N_("Availability"), N_("How much can you work?"),
          choices=AVAILABILITY),
    Field("phone", N_("Phone"), _ask_phone, read=answers.mobile_phone, numeric=True,
          accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.CONTACT})),
), press=N_("Please press one of the buttons."))


async def _seeker_start(ctx: Ctx, data: dict[str, Any]) -> None:
    """Starts from the saved profile, if any, so it can be changed or deleted."""
    with ctx.session.no_autoflush:  # see conversations/subscriptions.py _subscribe_start
        mine = await job_repo.seeker(ctx.session, ctx.user.id)
    data["existing"] = mine is not None
    if mine is not None:
        data.update(SEEKER_PROFILE.values(mine))


def _ask_consent(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the profile and asks for consent to share it with the labour office."""
    lines = [
        ctx._("Your profile: {fields}.",
              fields="; ".join(SEEKER_PROFILE.lines(ctx.translator, data, "value"))),
        ctx._("The {office} will see it to connect you with employers. Do you agree?",
              office=answers.labour_office_name(ctx)),
    ]
    choices = [Choice(ctx._("✅ I agree, save it"), Consent("yes").pack())]
    if data.get("existing"):
        choices.append(Choice(ctx._("🗑️ Delete my profile"), Consent("delete").pack()))
    return Reply("\n".join(lines), tuple(choices))


async def _accept_consent(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the profile with consent, or deletes it."""
    pressed = Consent.unpack(answer.choice)
    if pressed is not None and pressed.action == "delete":
        await job_repo.delete_seeker(ctx.session, ctx.user.id)
        await withdraw(ctx, SEEKER_PURPOSE)
        return Done(menu=ctx._("Your job-seeker profile is deleted."))
    if pressed is None:
        return Retry(ctx._("Please press “I agree” to save, or Cancel."))
    await users_repo.grant_consent(ctx.session, ctx.user, SEEKER_PURPOSE, ctx.now)
    await job_repo.save_seeker(ctx.session, ctx.user, SEEKER_PROFILE.values(data), ctx.now)
    text = ctx._("Saved. The {office} can now see your profile.",
                 office=answers.labour_office_name(ctx))
    if not await repo.is_subscribed(ctx.session, ctx.user.id, "jobs"):
        text += "\n" + ctx._("To get new jobs that fit you, subscribe to job notices: /theodoi")
    return Done(menu=text)


async def withdraw(ctx: Ctx, purpose: str) -> None:
    consent = await users_repo.active_consent(ctx.session, ctx.user, purpose)
    if consent is not None:
        consent.withdrawn_at = ctx.now


SEEKER = Dialog(
    name="job_seeker",
    title=N_("Job-seeker profile"),
    steps=[*SEEKER_PROFILE.steps(), Step("consent", _ask_consent, _accept_consent)],
    on_start=_seeker_start,
)
