"""The officers' buttons outside any dialog ("off:…", "off.hs:…"), and the reply to someone they
are not for.

A payload can be sent by anyone (a client is not held to the buttons it was shown), so
handlers/officers/__init__.py checks the role of every press before it acts on one.
"""

from __future__ import annotations

import re
from typing import Literal

from conversations.context import Ctx
from conversations.payloads import Payload, payload, slug
from domain.folding import fold
from domain.messages import Reply
from handlers.menu import main_menu


@payload("off")
class OfficerButton(Payload):
    """`action` on `n`: a page ("ol" officers, "rl" reminders, "q" the queue), an officer to
    revoke ("rv"), a household ("hh" its card, "vs" log a visit, "cat" change its list), a
    reminder ("rd" done, "rs" tomorrow), a shared result ("qh" contacted), or the report's
    Excel file ("rx")."""

    action: Literal["ol", "rv", "hh", "vs", "cat", "rl", "rd", "rs", "q", "qh", "rx"]
    n: int = 0


@payload("off.hs")
class SearchPage(Payload):
    """A page of the households /ho found for `query` (`SearchPage.of(text, page)`)."""

    page: int
    query: str = slug(40)

    @staticmethod
    def of(text: str, page: int) -> SearchPage:
        """The button for `page` of the search `text`: folded, "_" for spaces (a payload has
        none), and only what a payload may hold."""
        return SearchPage(page, re.sub(r"[^a-z0-9._-]", "", "_".join(fold(text).split()))[:40])

    @property
    def text(self) -> str:
        """The search again, as /ho takes it."""
        return self.query.replace("_", " ")


def refuse(ctx: Ctx) -> list[Reply]:
    return [main_menu(ctx, ctx._("This command is only for ward officers and the labour office."))]
