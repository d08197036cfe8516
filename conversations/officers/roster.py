"""Inviting a ward officer (`off_invite`) and revoking one (`off_revoke`), both for admins.

    off_invite  wards      tick the wards (buttons, or type the names), then "Done"
                confirm    create the one-time code (INVITE_DAYS days) and show it
    off_revoke  confirm    revoke the officer (from /dscanbo), with an audit row

```mermaid
flowchart LR
    subgraph off_invite
    off_invite__wards[wards] --> off_invite__confirm[confirm]
    off_invite__confirm[confirm]
    end
    subgraph off_revoke
    off_revoke__confirm[confirm]
    end
```
"""

from __future__ import annotations

import re
from typing import Any, Literal

from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Step
from conversations.officers import INVITE_DAYS, city_wards, localities, match_ward, ward_label
from conversations.payloads import Payload, payload
from db.officers import roster as repo
from db.users import admin_by_invite
from domain.i18n import N_
from domain.messages import Choice, Reply
from domain.roles import ADMINS


@payload("oi")
class InviteButton(Payload):
    """"done" (the wards are ticked), "ok" (create the code)."""

    pick: Literal["done", "ok"]


@payload("oi.w")
class InviteWard(Payload):
    """A ward to tick or untick, by its place in the city's list."""

    n: int


@payload("or")
class RevokeButton(Payload):
    """The revoke confirmation."""

    pick: Literal["ok"]


# --- inviting an officer -----------------------------------------------------------------------


def ask_invite_wards(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: which wards is the invite for? (tap to select, then Done)"""
    chosen = set(data.get("wards", []))
    loc = localities(ctx)
    buttons = [
        Choice(("✅ " if ward in chosen else "") + ward_label(loc, ward), InviteWard(n).pack())
        for n, ward in enumerate(city_wards(loc))
    ]
    if chosen:
        buttons.append(Choice(ctx._("➡️ Done"), InviteButton("done").pack()))
    return Reply(ctx._("Which wards is the officer invite for? Tap each ward, then \"Done\". "
                       "You can also type the names, e.g.: Phan Rang, Đông Hải"), tuple(buttons))


def accept_invite_wards(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Toggles a ward, or takes typed names; Done goes on to the confirmation."""
    loc, chosen = localities(ctx), list(data.get("wards", []))
    pressed, ticked = InviteButton.unpack(answer.choice), InviteWard.unpack(answer.choice)
    if pressed is not None and pressed.pick == "done" and chosen:
        return Next()
    if ticked is not None:
        wards = city_wards(loc)
        if ticked.n >= len(wards):  # the list changed while the person was answering
            return Retry(ctx._("That ward is no longer in my list. Please choose again."))
        ward = wards[ticked.n]
        data["wards"] = [w for w in chosen if w != ward] if ward in chosen else [*chosen, ward]
        return Next("wards")
    names = [part for part in re.split(r"[,;\n]", answer.text) if part.strip()]
    found = [match_ward(loc, name) for name in names]
    if not names or None in found:
        return Retry(ctx._("I could not find one of those wards. Tap the buttons, or type names "
                           "from the list."), "Phan Rang, Đông Hải")
    data["wards"] = list(dict.fromkeys(w for w in found if w))
    return Next()


def ask_invite_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: create the code for these wards?"""
    loc = localities(ctx)
    wards = ", ".join(ward_label(loc, w) for w in data["wards"])
    return Reply(ctx._("Create a one-time officer code for: {wards}? It works once, within {days} "
                       "days.", wards=wards, days=INVITE_DAYS),
                 (Choice(ctx._("✅ Create the code"), InviteButton("ok").pack()),))


async def accept_invite_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Creates the code and shows it."""
    pressed = InviteButton.unpack(answer.choice)
    if pressed is None or pressed.pick != "ok":
        return Retry(ctx._("Press \"Create the code\", or Back to change the wards."))
    invite = await repo.create_invite(ctx.session, data["wards"], ctx.user, ctx.now, INVITE_DAYS)
    text = ctx._("Officer code: {code}\nThe officer sends this to the bot: /canbo {code}",
                 code=invite.code)
    return Done([Reply(text)], menu=True)


INVITE = Dialog(
    name="off_invite",
    title=N_("Invite a ward officer"),
    steps=[
        Step("wards", ask_invite_wards, accept_invite_wards, multi=True),
        Step("confirm", ask_invite_confirm, accept_invite_confirm),
    ],
    roles=ADMINS,
)


# --- revoking an officer -----------------------------------------------------------------------


async def ask_revoke(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: really revoke this officer?"""
    wards = await repo.wards_of(ctx.session, data["officer_id"])
    loc = localities(ctx)
    return Reply(ctx._("Revoke officer #{id} ({wards})? They lose access to the ward's data at "
                       "once.", id=data["officer_id"],
                       wards=", ".join(ward_label(loc, w) for w in wards) or "—"),
                 (Choice(ctx._("🚫 Revoke"), RevokeButton("ok").pack()),))


async def accept_revoke(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Revokes (with an audit row)."""
    if RevokeButton.unpack(answer.choice) is None:
        return Retry(ctx._("Press \"Revoke\", or Cancel to keep the officer."))
    officer = await repo.user_by_id(ctx.session, data["officer_id"])
    if officer is not None and officer.role == "admin" and not await admin_by_invite(
            ctx.session, officer):
        return Done([Reply(ctx._("This admin is set in ADMIN_IDS: remove them there and "
                                 "restart the bot."))], menu=True)
    if officer is None or officer.role not in ("officer", "admin") or officer.id == ctx.user.id:
        return Done([Reply(ctx._("That person is no longer an officer."))], menu=True)
    await repo.revoke_officer(ctx.session, officer, ctx.user, ctx.now)
    return Done([Reply(ctx._("Officer #{id} revoked.", id=officer.id))], menu=True)


REVOKE = Dialog(
    name="off_revoke",
    title=N_("Revoke an officer"),
    steps=[Step("confirm", ask_revoke, accept_revoke)],
    roles=ADMINS,
)
