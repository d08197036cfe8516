"""One support-policy entry as a household reads it: its paragraphs in reading order (who
qualifies, what they get with the dates the sources give, how to apply, the legal basis,
validity and review dates, sources) and where the first screen ends ("📄 Xem thêm" shows the
rest). An unconfirmed figure is never shown, only "chưa xác nhận — hỏi …".
"""

from __future__ import annotations

import re
import unicodedata

from conversations.context import Ctx
from domain.formatting import format_date
from domain.policies import Benefit, Catalogue, Policy

SCREEN_CHARS = 600  # the first message of an entry fits a phone screen
_UNCONFIRMED = re.compile(r"chưa xác nhận|chua xac nhan", re.IGNORECASE)


def _benefit_line(ctx: Ctx, benefit: Benefit, contact: str) -> str:
    """A confirmed figure with the date it applies from; an unconfirmed one without any figure."""
    if not benefit.confirmed:
        return f"• {benefit.label}: {_unconfirmed_text(ctx, benefit.value, contact)}"
    if benefit.as_of is not None:
        return ctx._(
            "• {label}: {value} (applies from {date})",
            label=benefit.label, value=benefit.value, date=format_date(benefit.as_of),
        )
    # No sentence of a source gives the day the figure took effect: say so, never guess one.
    return ctx._("• {label}: {value} (start date: not confirmed)", label=benefit.label,
                 value=benefit.value)


def _unconfirmed_text(ctx: Ctx, value: str, contact: str) -> str:
    """Only the "chưa xác nhận — hỏi …" part of an unconfirmed item: a guessed number is never
    shown. The data promises that part (domain.policies checks it); if it is written in a form
    we cannot find, say it generically and name the entry's contact."""
    match = _UNCONFIRMED.search(unicodedata.normalize("NFC", value))
    if match is None:
        return ctx._("not confirmed yet — please ask {contact}", contact=contact)
    text = unicodedata.normalize("NFC", value)[match.start() :].strip()
    if text.count(")") > text.count("("):  # the mark sat inside a bracket of the value
        text = text.rstrip(" )")
    return text


def _validity_line(ctx: Ctx, policy: Policy) -> str:
    start, end = policy.effective_from, policy.effective_to
    if start and end:
        return ctx._("📅 In force from {start} to {end}", start=format_date(start),
                     end=format_date(end))
    if start:
        return ctx._("📅 In force from {start}", start=format_date(start))
    if end:
        return ctx._("📅 In force until {end}", end=format_date(end))
    return ctx._("📅 In force; start date: not confirmed")


def _source_text(source: str) -> str:
    return source.removeprefix("doc:").strip()


def entry_blocks(ctx: Ctx, policy: Policy) -> list[str]:
    """The entry as paragraphs, in reading order; the first is always shown."""
    catalogue: Catalogue = ctx.services.content["policies"]
    header = [f"📄 {policy.title}", policy.summary]
    if not policy.confirmed and policy.note:
        header.append(f"⚠️ {policy.note}")
    households = ", ".join(
        catalogue.household_categories[c] for c in policy.eligibility.household_categories
    )
    who = [ctx._("👥 Who qualifies: {households}", households=households)]
    who += [f"• {condition}" for condition in policy.eligibility.conditions]
    what = [ctx._("🎁 What you get:")]
    what += [_benefit_line(ctx, b, policy.apply.contact) for b in policy.benefits]
    how = [
        ctx._("📝 How to apply: {where}", where=policy.apply.where),
        ctx._("Papers to bring:"),
        *(f"• {paper}" for paper in policy.apply.papers),
        ctx._("Contact: {contact}", contact=policy.apply.contact),
    ]
    law = [ctx._("⚖️ Legal basis:"), *(f"• {basis}" for basis in policy.legal_basis)]
    dates = [
        _validity_line(ctx, policy),
        ctx._("Last reviewed: {date}", date=format_date(policy.last_reviewed)),
    ]
    sources = [ctx._("🔗 Sources:"), *(f"• {_source_text(s)}" for s in policy.sources)]
    return ["\n".join(block) for block in (header, who, what, how, law, dates, sources)]


def split_entry(blocks: list[str], limit: int = SCREEN_CHARS) -> tuple[str, str]:
    """The first screen (paragraphs, then lines of the next one, while they fit in `limit`) and
    the rest. A paragraph is cut only after its heading and at least one of its lines."""
    shown = blocks[0]
    for index, block in enumerate(blocks[1:], start=1):
        lines = block.split("\n")
        fit = 0
        while fit < len(lines) and len(f"{shown}\n\n" + "\n".join(lines[: fit + 1])) <= limit:
            fit += 1
        if fit == len(lines):
            shown = f"{shown}\n\n{block}"
            continue
        if fit < 2:
            return shown, "\n\n".join(blocks[index:])
        shown = f"{shown}\n\n" + "\n".join(lines[:fit])
        return shown, "\n\n".join(["\n".join(lines[fit:]), *blocks[index + 1 :]])
    return shown, ""

