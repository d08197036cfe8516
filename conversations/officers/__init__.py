"""The ward officers' dialogs, one module each (or a close pair), and what they and the officers'
handlers share, here: the ward scope, the labels of categories and visit kinds, and reading a
household's code and category.

    roster.py     inviting an officer, revoking one (admins)           off_invite, off_revoke
    household.py  adding a household                                  off_household
    visit.py      logging a visit (also in one line)                   off_visit
    category.py   changing a household's category after the review    off_category
    imports.py    importing a ward's list from a file                  off_import

Ward scope: `scope` is the wards a person may see, read again whenever something is saved, so
an officer who lost a ward cannot write into it; the dialogs' `roles` (enforced by the stepper)
say who may use them at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from conversations.context import Ctx
from db.officers import households as households_repo
from db.officers import roster as roster_repo
from db.officers.households import Household
from domain.folding import fold_plain
from domain.i18n import N_
from domain.localities import Localities, find_unit
from domain.messages import Choice

MAX_MEMBERS = 30
INVITE_DAYS = 7  # an officer's code works this long (the invite dialog, `giamngheo admin invite`)

CATEGORY_LABELS: dict[str, str] = {
    "poor": N_("Poor"),
    "near_poor": N_("Near-poor"),
    "escaped": N_("Newly escaped poverty"),
    "other": N_("Other"),
}
KIND_LABELS: dict[str, str] = {
    "checkin": N_("Check-in visit"),
    "livelihood": N_("Livelihood guidance"),
    "loan": N_("Loan check"),
    "review": N_("Yearly review (rà soát)"),
    "other": N_("Other"),
}
PROPOSAL_LABELS: dict[str, str] = {
    "escaped": N_("Propose: escaped poverty"),
    "near_poor": N_("Propose: near-poor"),
    "poor": N_("Propose: poor"),
    "other": N_("Propose: no longer near-poor"),
}
# What people type for a category (folded, without "hộ"); the first word list wins.
_CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    ("moi thoat ngheo", "escaped"), ("thoat ngheo", "escaped"), ("escaped", "escaped"),
    ("can ngheo", "near_poor"), ("near poor", "near_poor"), ("ngheo", "poor"),
    ("poor", "poor"), ("khac", "other"), ("other", "other"), ("khong", "other"),
)


def localities(ctx: Ctx) -> Localities:
    return ctx.services.content["localities"]  # type: ignore[no-any-return]


def city_wards(loc: Localities) -> list[str]:
    return [unit.name for unit in loc.current.units]


async def scope(ctx: Ctx) -> list[str] | None:
    """The wards this user may see: None (every ward) for admins, their own for officers."""
    if ctx.user.role == "admin":
        return None
    if ctx.user.role != "officer":
        return []
    return await roster_repo.wards_of(ctx.session, ctx.user.id)


async def visible_wards(ctx: Ctx) -> list[str]:
    wards = await scope(ctx)
    return city_wards(localities(ctx)) if wards is None else wards


def ward_label(loc: Localities, ward: str) -> str:
    unit = loc.current.unit(ward)
    return unit.full_name if unit is not None else ward


def match_ward(loc: Localities, text: str) -> str | None:
    """The current ward a typed name means (old ward names lead to the ward they merged into)."""
    found = find_unit(loc, text)
    return found.current_unit.name if found and found.current_unit else None


def parse_category(text: str) -> str | None:
    folded = fold_plain(text).removeprefix("ho ").strip()
    return next((cat for word, cat in _CATEGORY_WORDS if folded == word), None)


def category_buttons(
    ctx: Ctx, pack: Callable[[str], str], skip: str | None = None
) -> tuple[Choice, ...]:
    """A button per category (but `skip`, the current one), its payload `pack(category)`."""
    return tuple(Choice(ctx._(label), pack(key))
                 for key, label in CATEGORY_LABELS.items() if key != skip)


def clean_code(text: str) -> str | None:
    code = text.strip().upper()
    return code if re.fullmatch(r"[A-Z0-9][A-Z0-9._/-]{0,31}", code) else None


def household_line(ctx: Ctx, household: Household) -> str:
    return ctx._("{code} · {name} ({category})", code=household.code,
                 name=household.head_name,
                 category=ctx._(CATEGORY_LABELS.get(household.category, household.category)))


async def chosen_household(ctx: Ctx, data: dict[str, Any]) -> Household | None:
    """The dialog's household (`household_id`), if it is still in the person's wards."""
    return await households_repo.get_household(ctx.session, data["household_id"],
                                               await scope(ctx))
