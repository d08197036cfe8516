"""`giamngheo admin invite --ward NAME [--ward NAME]`: a one-time officer code from a terminal.

Prints the code; the officer sends `/canbo CODE` to the bot. Ward names are looked up in the
current ward list (with or without diacritics; a former ward's name leads to the ward it merged
into). The invite is audited with no actor (the terminal).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.settings import Settings


def add_admin_parsers(actions: Any) -> dict[str, Any]:
    invite = actions.add_parser("invite", help="create a one-time code for a ward officer")
    invite.add_argument("--ward", action="append", required=True, metavar="NAME",
                        help="a ward the officer will see (repeat for several)")
    return {"invite": _invite}


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import App
    from conversations.officers import INVITE_DAYS, match_ward
    from db import officers as repo

    app = App(settings)
    await app.open()
    try:
        assert app.core is not None
        _ = app.translate
        loc = app.core.services.content["localities"]
        wards = []
        for name in args.ward:
            ward = match_ward(loc, name)
            if ward is None:
                known = ", ".join(unit.name for unit in loc.current.units)
                print("giamngheo: " + _("Unknown ward {name}; one of: {wards}").format(
                    name=name, wards=known), file=sys.stderr)
                return 2
            wards.append(ward)
        now = app.core.services.clock()
        async with app.core.sessions() as session, session.begin():
            invite = await repo.create_invite(session, list(dict.fromkeys(wards)), None, now,
                                              INVITE_DAYS)
        print(invite.code)
        print(_("The officer sends /canbo {code} to the bot within {days} days.").format(
            code=invite.code, days=INVITE_DAYS), file=sys.stderr)
        return 0
    finally:
        await app.close()
