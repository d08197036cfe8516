"""/baocao: the figures of the officer's wards (admins: the whole city, with the year's targets),
as text, a chart and an Excel file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from conversations.context import Ctx
from conversations.officers import CATEGORY_LABELS, city_wards, localities, scope, ward_label
from db.officers import reports as repo
from db.officers.households import CATEGORIES
from domain.formatting import format_datetime
from domain.messages import Choice, Document, Reply
from domain.tables import write_xlsx
from domain.targets import progress, start_of_year
from handlers.menu import main_menu
from handlers.officers.buttons import OfficerButton
from handlers.targets import targets_for

NOT_VISITED_DAYS = 30
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

def report_periods(now: datetime, tz: Any) -> dict[str, datetime]:
    """The start of this month and year (local midnight, as UTC) and the not-visited cut-off."""
    local = now.astimezone(tz)
    month = datetime(local.year, local.month, 1, tzinfo=tz).astimezone(UTC)
    year = datetime(local.year, 1, 1, tzinfo=tz).astimezone(UTC)
    return {"month_start": month, "year_start": year,
            "cutoff": now - timedelta(days=NOT_VISITED_DAYS)}


async def figures_for(ctx: Ctx) -> tuple[list[repo.WardFigures], bool]:
    wards = await scope(ctx)
    city = wards is None
    names = city_wards(localities(ctx)) if city else wards
    rows = await repo.report(ctx.session, names or [],
                             **report_periods(ctx.now, ctx.settings.tz))
    return rows, city


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else ("−" + str(-n) if n < 0 else "0")


def _rate(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def total_figures(rows: list[repo.WardFigures], name: str) -> repo.WardFigures:
    total = repo.WardFigures(name)
    for row in rows:
        for category, count in row.by_category.items():
            total.by_category[category] = total.by_category.get(category, 0) + count
        total.visits_this_month += row.visits_this_month
        total.not_visited += row.not_visited
        total.changes.extend(row.changes)
    return total


def _figure_lines(ctx: Ctx, row: repo.WardFigures, label: str) -> list[str]:
    counts = {c: row.by_category.get(c, 0) for c in CATEGORIES}
    start = start_of_year(counts, row.changes)
    return [
        ctx._("📍 {ward}: {total} households — poor {poor}, near-poor {near}, newly escaped "
              "{escaped}, other {other}", ward=label, total=row.households, poor=counts["poor"],
              near=counts["near_poor"], escaped=counts["escaped"], other=counts["other"]),
        ctx._("   Visits this month: {visits} · not visited for {days} days: {idle}",
              visits=row.visits_this_month, days=NOT_VISITED_DAYS, idle=row.not_visited),
        ctx._("   Since 1/1: poor {poor_start} → {poor} ({poor_change}), near-poor "
              "{near_start} → {near} ({near_change})", poor_start=start.get("poor", 0),
              poor=counts["poor"], poor_change=_signed(counts["poor"] - start.get("poor", 0)),
              near_start=start.get("near_poor", 0), near=counts["near_poor"],
              near_change=_signed(counts["near_poor"] - start.get("near_poor", 0))),
    ]


async def _target_lines(ctx: Ctx, total: repo.WardFigures, year: int) -> list[str]:
    targets = await targets_for(ctx, year)
    if targets is None:
        lines = [ctx._("🎯 There are no targets for {year} yet, so the figures are not compared "
                       "with a target.", year=year)]
        if ctx.user.role == "admin":
            lines.append(ctx._("You can set the year's targets with /chitieu."))
        return lines
    counts = {c: total.by_category.get(c, 0) for c in CATEGORIES}
    start = start_of_year(counts, total.changes)
    poor = progress(start.get("poor", 0), counts["poor"], targets.poor)
    near = progress(start.get("near_poor", 0), counts["near_poor"], targets.near_poor)
    lines = [
        ctx._("🎯 Targets {year}: {title}", year=year, title=targets.title),
        ctx._("• Poor households: reduce by {target} ({rate_from}% → {rate_to}%); so far "
              "{done}", target=targets.poor.reduce_by, rate_from=_rate(targets.poor.rate_from),
              rate_to=_rate(targets.poor.rate_to), done=_signed(-poor.reduced)),
        ctx._("• Near-poor households: reduce by {target} ({rate_from}% → {rate_to}%); so far "
              "{done}", target=targets.near_poor.reduce_by,
              rate_from=_rate(targets.near_poor.rate_from),
              rate_to=_rate(targets.near_poor.rate_to), done=_signed(-near.reduced)),
    ]
    if targets.new_houses is not None:
        lines.append(ctx._("• New houses for poor households: {count} (not tracked by the bot)",
                           count=targets.new_houses))
    lines.append(ctx._("Source: {source}", source="; ".join(targets.sources)))
    return lines


async def report(ctx: Ctx, _args: str = "") -> list[Reply]:
    """/baocao: the figures as text, a chart, and a button for the Excel file."""
    from handlers.charts import BarChart, render

    rows, city = await figures_for(ctx)
    if not rows:
        return [main_menu(ctx, ctx._("You are not an officer of any ward yet."))]
    loc = localities(ctx)
    when = format_datetime(ctx.now, ctx.settings.timezone)
    scope_name = loc.city if city else ", ".join(ward_label(loc, r.ward) for r in rows)
    lines = [ctx._("📊 Figures at {when} — {scope}", when=when, scope=scope_name)]
    for row in rows:
        lines += _figure_lines(ctx, row, ward_label(loc, row.ward))
    if city:
        total = total_figures(rows, loc.city)
        lines += _figure_lines(ctx, total, ctx._("Whole city"))
        lines += await _target_lines(ctx, total, ctx.local_now.year)
    chart = BarChart(
        title=ctx._("Households by list — {scope}", scope=loc.city if city else scope_name),
        groups=[r.ward for r in rows],
        series=[ctx._(label) for label in CATEGORY_LABELS.values()],
        values=[[r.by_category.get(c, 0) for r in rows] for c in CATEGORY_LABELS],
        y_label=ctx._("Households"),
    )
    # The Excel button rides on the chart's own message, so it is not below a tall picture.
    # Drawing takes ~0.1 s of CPU: in a thread, so other people are answered meanwhile.
    excel = Choice(ctx._("📥 Excel file"), OfficerButton("rx").pack())
    image = Reply(ctx._("Chart: households by list"), (excel,),
                  image=await asyncio.to_thread(render, chart))
    return [Reply("\n".join(lines)), image]


def report_table(ctx: Ctx, rows: list[repo.WardFigures]) -> tuple[list[str], list[list[Any]]]:
    headers = [ctx._("Ward"), *(ctx._(label) for label in CATEGORY_LABELS.values()),
               ctx._("Total"), ctx._("Visits this month"),
               ctx._("Not visited for {days} days", days=NOT_VISITED_DAYS),
               ctx._("Poor at 1/1"), ctx._("Near-poor at 1/1")]
    table = []
    for row in rows:
        counts = {c: row.by_category.get(c, 0) for c in CATEGORIES}
        start = start_of_year(counts, row.changes)
        table.append([row.ward, *counts.values(), row.households, row.visits_this_month,
                      row.not_visited, start.get("poor", 0), start.get("near_poor", 0)])
    return headers, table


async def report_xlsx(ctx: Ctx) -> list[Reply]:
    rows, city = await figures_for(ctx)
    if city:
        rows = [*rows, total_figures(rows, ctx._("Whole city"))]
    headers, table = report_table(ctx, rows)
    name = f"baocao-{ctx.local_now:%Y-%m-%d}.xlsx"
    data = await asyncio.to_thread(write_xlsx, headers, table, ctx._("Report"))
    document = Document(data, name, XLSX_MIME)
    return [Reply(ctx._("The figures as an Excel file."), document=document)]
