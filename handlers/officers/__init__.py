"""The ward officers' workspace: commands, buttons, reminders, the report, imports and exports,
registered here; each part in its module (roster, households, reminders, queue, report) and the
dialogs in conversations/officers/.

Commands (roles checked by the core; buttons checked here, since a payload can be sent by anyone):
    /canbo CODE   everyone: join as an officer with a one-time code
    /moicanbo     admins: create a code for one or more wards
    /dscanbo      admins: list officers, revoke one
    /themho       officers: add a household        /nhapho  import the ward's list (CSV/XLSX)
    /ho [TEXT]    officers: find a household by code, name or phone (with or without diacritics)
    /thamho [CODE [kind] NOTE [hẹn dd/mm]]  log a visit (dialog, or one line)
    /nhacviec     an officer's reminders: done / snooze (when they come: reminders.py)
    /hangdoi      self-assessments households shared with the officer's wards
    /baocao       figures of the officer's wards (admins: the whole city), chart and Excel file
"""

from __future__ import annotations

from conversations.context import Ctx
from conversations.officers.category import CATEGORY
from conversations.officers.household import ADD_HOUSEHOLD
from conversations.officers.imports import IMPORT
from conversations.officers.roster import INVITE, REVOKE
from conversations.officers.visit import VISIT
from domain.i18n import N_
from domain.messages import Reply
from domain.roles import ADMINS, EVERYONE, OFFICERS
from handlers.menu import main_menu
from handlers.officers import households, queue, reminders, report, roster
from handlers.officers.buttons import OfficerButton, SearchPage, refuse
from handlers.registry import (
    Command,
    Exporter,
    Importer,
    Job,
    MenuItem,
    PersonalData,
    Registry,
)

DIALOGS = (INVITE, ADD_HOUSEHOLD, VISIT, CATEGORY, IMPORT, REVOKE)


async def on_button(ctx: Ctx, payload: str) -> list[Reply]:
    """Every "off:" button; households and other citizens get a refusal."""
    if ctx.user.role not in OFFICERS:
        return refuse(ctx)
    pressed = OfficerButton.unpack(payload)
    action, value = (pressed.action, pressed.n) if pressed else ("", 0)
    if action == "ol":
        return await roster.list_officers(ctx, page=value)
    if action == "rv":
        if ctx.user.role != "admin":
            return refuse(ctx)
        return await ctx.dialogs.start(ctx, "off_revoke", {"officer_id": value})
    if action == "hh":
        return await households.household_card(ctx, value)
    if action == "vs":
        return await households.start_on(ctx, "off_visit", value)
    if action == "cat":
        return await households.start_on(ctx, "off_category", value)
    if action == "rl":
        return await reminders.reminders(ctx, page=value)
    if action in ("rd", "rs"):
        return await reminders.reminder_done(ctx, value, snooze=action == "rs")
    if action == "q":
        return await queue.queue(ctx, page=value)
    if action == "qh":
        return await queue.mark_contacted(ctx, value)
    if action == "rx":
        return await report.report_xlsx(ctx)
    return _stale(ctx)


async def on_search_page(ctx: Ctx, payload: str) -> list[Reply]:
    """A page of /ho's households ("off.hs:")."""
    if ctx.user.role not in OFFICERS:
        return refuse(ctx)
    pressed = SearchPage.unpack(payload)
    return await households.find(ctx, pressed.text, pressed.page) if pressed else _stale(ctx)


def _stale(ctx: Ctx) -> list[Reply]:
    return [main_menu(ctx, ctx._("That button is no longer in use. Here is the menu."))]


# --- menu entries ------------------------------------------------------------------------------


async def _menu_visit(ctx: Ctx) -> list[Reply]:
    return await households.visit(ctx, "")


async def _menu_reminders(ctx: Ctx) -> list[Reply]:
    return await reminders.reminders(ctx)


async def _menu_report(ctx: Ctx) -> list[Reply]:
    return await report.report(ctx)


async def _menu_queue(ctx: Ctx) -> list[Reply]:
    return await queue.queue(ctx)


async def _menu_find(ctx: Ctx) -> list[Reply]:
    return await households.find(ctx, "")


def register(registry: Registry) -> None:
    """The officers' workspace: dialogs, commands, buttons, menu, job, import/export, data."""
    for dialog in DIALOGS:
        registry.dialog(dialog)
    registry.command(Command("canbo", N_("Join as a ward officer with your code"), roster.join,
                             EVERYONE))
    registry.command(Command("moicanbo", N_("Invite a ward officer"), roster.invite, ADMINS))
    registry.command(Command("dscanbo", N_("List and revoke officers"), roster.list_officers,
                             ADMINS))
    registry.command(Command("themho", N_("Add a household"), households.add_household,
                             OFFICERS))
    registry.command(Command("nhapho", N_("Import the ward's household list"),
                             households.import_households, OFFICERS))
    registry.command(Command("ho", N_("Find a household"), households.find, OFFICERS))
    registry.command(Command("thamho", N_("Log a visit"), households.visit, OFFICERS))
    registry.command(Command("nhacviec", N_("Your reminders"), reminders.reminders, OFFICERS))
    registry.command(Command("hangdoi", N_("Self-assessments shared with your wards"),
                             queue.queue, OFFICERS))
    registry.command(Command("baocao", N_("Your wards' figures"), report.report, OFFICERS))
    registry.choice_prefix(OfficerButton.PREFIX, on_button)
    registry.choice_prefix(SearchPage.PREFIX, on_search_page)
    # orders 1-5: an officer's own work comes first in their menu (households never see it)
    registry.menu_item(MenuItem("off_visit", N_("📝 Log a visit"), _menu_visit, OFFICERS, 1))
    registry.menu_item(MenuItem("off_find", N_("🏘️ Households"), _menu_find, OFFICERS, 2))
    registry.menu_item(MenuItem("off_reminders", N_("⏰ Reminders"), _menu_reminders, OFFICERS,
                                3))
    registry.menu_item(MenuItem("off_queue", N_("📥 Shared self-assessments"), _menu_queue,
                                OFFICERS, 4))
    registry.menu_item(MenuItem("off_report", N_("📊 Figures"), _menu_report, OFFICERS, 5))
    registry.job(Job("officers.reminders", reminders.run_reminders,
                     minutes=reminders.REMINDER_JOB_MINUTES))
    registry.importer(Importer("households", households.run_import))
    registry.exporter(Exporter("households", households.run_export))
    registry.personal_data.append(
        PersonalData(N_("ward officer role"), roster.personal_lines,
                     roster.delete_personal_data)
    )
