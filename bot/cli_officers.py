"""`giamngheo admin invite …` and `giamngheo admin revoke …`: officers and admins from a terminal.

    giamngheo admin invite --ward NAME [--ward NAME]   a one-time code for a ward officer
    giamngheo admin invite --admin                     a one-time code for the labour office
    giamngheo admin revoke CHANNEL:ID                  take an admin's (or officer's) role away

Invite codes print on stdout; the person sends `/canbo CODE` to the bot within INVITE_DAYS days.
Ward names are looked up in the current ward list (with or without diacritics; a former ward's
name leads to the ward it merged into). CHANNEL:ID is what the person's /toi shows (the same form
as ADMIN_IDS). Every invite and revocation is audited with no actor (the terminal).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli_admin import _fail
from bot.settings import Settings


def add_admin_parsers(actions: Any) -> dict[str, Any]:
    invite = actions.add_parser("invite", help="create a one-time code for a ward officer or an "
                                               "admin")
    who = invite.add_mutually_exclusive_group(required=True)
    who.add_argument("--ward", action="append", metavar="NAME",
                     help="a ward the officer will see (repeat for several)")
    who.add_argument("--admin", action="store_true",
                     help="the code makes its user an admin (the labour office)")
    revoke = actions.add_parser("revoke", help="take an admin's or officer's role away")
    revoke.add_argument("who", metavar="CHANNEL:ID", help="as /toi shows it, e.g. telegram:123")
    return {"invite": _invite, "revoke": _revoke}


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import App
    from conversations.officers import INVITE_DAYS, match_ward
    from db.officers import roster as repo

    app = App(settings)
    await app.open()
    try:
        assert app.core is not None
        _ = app.translate
        loc = app.core.services.content["localities"]
        wards = []
        for name in args.ward or ():
            ward = match_ward(loc, name)
            if ward is None:
                known = ", ".join(unit.name for unit in loc.current.units)
                print("giamngheo: " + _("Unknown ward {name}; one of: {wards}").format(
                    name=name, wards=known), file=sys.stderr)
                return 2
            wards.append(ward)
        now = app.core.services.clock()
        role = "admin" if args.admin else "officer"
        async with app.core.sessions() as session, session.begin():
            invite = await repo.create_invite(session, list(dict.fromkeys(wards)), None, now,
                                              INVITE_DAYS, role=role)
        print(invite.code)
        hint = (_("The new admin sends /canbo {code} to the bot within {days} days.")
                if args.admin else
                _("The officer sends /canbo {code} to the bot within {days} days."))
        print(hint.format(code=invite.code, days=INVITE_DAYS), file=sys.stderr)
        return 0
    finally:
        await app.close()


async def _revoke(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import App
    from db.officers import roster as repo
    from db.users import find_user

    channel, _sep, external_id = args.who.partition(":")
    app = App(settings)
    await app.open()
    try:
        assert app.core is not None
        _ = app.translate
        if channel not in settings.channel_names() or not external_id:
            return _fail(_("Expected CHANNEL:ID as /toi shows it, e.g. telegram:123, not {who}")
                         .format(who=args.who))
        if (channel, external_id) in settings.admins:
            return _fail(_("{who} is in ADMIN_IDS: remove it there and restart, or it becomes "
                           "an admin again with its next message.").format(who=args.who))
        now = app.core.services.clock()
        async with app.core.sessions() as session, session.begin():
            user = await find_user(session, channel, external_id)
            if user is None or user.role == "citizen":
                return _fail(_("{who} is not an admin or an officer.").format(who=args.who))
            if user.role == "admin":
                await repo.revoke_admin(session, user, None, now)
            else:
                await repo.revoke_officer(session, user, None, now)
            role = user.role
        names = {"citizen": _("resident"), "officer": _("ward officer")}
        print(_("{who} is now: {role}.").format(who=args.who, role=names[role]))
        return 0
    finally:
        await app.close()
