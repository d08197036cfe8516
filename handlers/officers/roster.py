"""Joining as an officer with a code (/canbo), inviting one (/moicanbo, a dialog), the list of
officers with their Revoke buttons (/dscanbo), and an officer's part of /dulieucuatoi."""

from __future__ import annotations

from conversations import paging
from conversations.context import Ctx
from conversations.officers import localities, ward_label
from db.officers import roster as repo
from db.officers import visits as visits_repo
from db.users import admin_by_invite
from domain.messages import Choice, Reply
from handlers.menu import main_menu
from handlers.officers.buttons import OfficerButton, refuse


async def join(ctx: Ctx, args: str) -> list[Reply]:
    """/canbo CODE: become an officer of the invite's wards."""
    code = args.strip()
    if not code:
        return [main_menu(ctx, ctx._("Type /canbo and the code you were given, e.g. "
                                     "/canbo ABCD2345."))]
    try:
        wards = await repo.redeem_invite(ctx.session, code, ctx.user, ctx.now)
    except repo.InviteError as exc:
        reasons = {
            "unknown": ctx._("That code is not right. Check it and type /canbo CODE again."),
            "used": ctx._("That code has already been used. Ask the labour office for a new one."),
            "expired": ctx._("That code has expired. Ask the labour office for a new one."),
            "locked_person": ctx._("Too many wrong codes. Please try again in an hour, or ask "
                                   "the labour office for help."),
            "locked_everyone": ctx._("Joining is paused for a few minutes. Please try again "
                                     "later."),
        }
        return [main_menu(ctx, reasons[exc.reason])]
    if ctx.user.role == "admin" and not wards:  # an admin invite
        return [main_menu(ctx, ctx._("Welcome! You are now an admin of the labour office. "
                                     "Type /trogiup to see your commands, e.g. /thongbao to "
                                     "send a notice, /moicanbo to invite an officer."))]
    loc = localities(ctx)
    names = ", ".join(ward_label(loc, w) for w in wards)
    text = ctx._("Welcome! You are now an officer of: {wards}. Start with /themho or /nhapho "
                 "to add households, /thamho to log a visit.", wards=names)
    return [main_menu(ctx, text)]


async def invite(ctx: Ctx, _args: str) -> list[Reply]:
    return await ctx.dialogs.start(ctx, "off_invite")


async def list_officers(ctx: Ctx, _args: str = "", page: int = 0) -> list[Reply]:
    """Officers with their wards, a page at a time, each with a Revoke button."""
    if ctx.user.role != "admin":  # its page buttons can be sent by anyone
        return refuse(ctx)
    everyone = await repo.officers(ctx.session)
    if not everyone:
        return [main_menu(ctx, ctx._("There are no officers yet. Create an invite with "
                                     "/moicanbo."))]
    shown, page, pages = paging.page_of(everyone, page, first=0)
    loc = localities(ctx)
    lines = [ctx._("Officers ({count}), page {page}/{pages}:", count=len(everyone),
                   page=page + 1, pages=pages)]
    buttons = []
    for user, wards in shown:
        configured = user.role == "admin" and not await admin_by_invite(ctx.session, user)
        if user.role == "admin":
            lines.append(ctx._("#{id} ({channel}) — admin", id=user.id, channel=user.channel)
                         + (" · ADMIN_IDS" if configured else ""))
        else:
            lines.append(ctx._("#{id} ({channel}) — {wards}", id=user.id, channel=user.channel,
                               wards=", ".join(ward_label(loc, w) for w in wards) or "—"))
        if not configured and user.id != ctx.user.id:  # ADMIN_IDS admins: change the setting
            buttons.append(Choice(ctx._("🚫 Revoke #{id}", id=user.id),
                                  OfficerButton("rv", user.id).pack()))
    buttons += paging.page_buttons(ctx, lambda n: OfficerButton("ol", n).pack(), page, pages,
                                   first=0)
    return [Reply("\n".join(lines), tuple(buttons))]


async def personal_lines(ctx: Ctx) -> list[str]:
    """/dulieucuatoi: the person's wards as an officer and their open reminders."""
    wards = await repo.wards_of(ctx.session, ctx.user.id)
    if not wards:
        return []
    loc = localities(ctx)
    open_count = len(await visits_repo.open_reminders(ctx.session, ctx.user.id))
    return [ctx._("• Ward officer of: {wards}; open reminders: {count}",
                  wards=", ".join(ward_label(loc, w) for w in wards), count=open_count)]


async def delete_personal_data(ctx: Ctx) -> int:
    return await repo.delete_officer_data(ctx.session, ctx.user.id)
