"""The support-policy pages' buttons as typed payloads: the pages are handlers/policy_pages.py's,
and other features link to them (the self-assessment result's "🎁 Tôi được hỗ trợ gì?").

    pol:cats[:-:<page>]              the policy categories
    pol:cat:<category>[:<page>]      the entries of one category, most useful first
    pol:for                          ask which household category applies
    pol:for:<household>[:<page>]     the entries for that household category, most useful first
    pol:expired[:-:<page>]           admins: entries past their effective-to date
    pol:assess                       start the self-assessment, where that feature is registered
    pol:menu                         the main menu
    pe:show:<id>[:<from>]            an entry's first screen ("📄 Xem thêm" for the rest)
    pe:more:<id>[:<from>]            the rest of the entry

`<from>` says where "⬅️ Danh sách" returns: `c` (the entry's category), a household category
(the personal view) or `x` (the expired list). A page or a `<from>` at its default is left out
when packed, so a button is as short as it can be and the result's button stays
"pol:for:near_poor".
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from conversations.payloads import Payload, payload, slug
from domain.policies import MAX_CATEGORY_LENGTH, MAX_ID_LENGTH

NO_KEY = "-"  # the lists that have no category or household
FROM_CATEGORY = "c"
FROM_EXPIRED = "x"


@payload("pol")
class PolicyList(Payload):
    """A page of a list (`key`: the category or household category, NO_KEY for the others), or
    one of the plain buttons (assess, menu)."""

    view: Literal["cats", "cat", "for", "expired", "assess", "menu"]
    key: str = dataclasses.field(default=NO_KEY, metadata={"slug": MAX_CATEGORY_LENGTH})
    page: int = 1


@payload("pe")
class PolicyEntry(Payload):
    """One entry: its first screen ("show") or the rest ("more"), and where its list button
    returns (`origin`)."""

    action: Literal["show", "more"]
    policy: str = slug(MAX_ID_LENGTH)
    origin: str = dataclasses.field(default=FROM_CATEGORY, metadata={"slug": 13})
