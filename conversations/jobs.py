"""Posting a job notice (/vieclammoi, admins; a CSV/XLSX sent at the first question imports
many), and the job board's rules the dialog shares with the import: trades, wages, the notice as
households see it, and posting one (to matching seekers and subscribers).

The notice record (`NOTICE`) declares each field of a notice once: its rows give the dialog's
questions, the edit menu and the notice's lines (`notice_text`, also the review). The seeker's
profile is in conversations/job_seeker.py.

```mermaid
flowchart LR
    subgraph job_new
    job_new__title[title] --> job_new__employer[employer]
    job_new__employer[employer] --> job_new__workplace[workplace]
    job_new__workplace[workplace] --> job_new__ward[ward]
    job_new__ward[ward] --> job_new__trade[trade]
    job_new__trade[trade] --> job_new__wage[wage]
    job_new__wage[wage] --> job_new__requirements[requirements]
    job_new__requirements[requirements] --> job_new__deadline[deadline]
    job_new__deadline[deadline] --> job_new__contact[contact]
    job_new__contact[contact] --> job_new__review[review]
    job_new__review[review] -->|edit| job_new__pick[pick]
    job_new__pick[pick]
    end
```
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from conversations import answers
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Step
from conversations.fields import Field, Read, Record
from conversations.payloads import Payload, payload
from db import jobs as job_repo
from db import users as users_repo
from domain.folding import fold
from domain.formatting import format_date, format_money, parse_date
from domain.i18n import N_, Translator
from domain.messages import Choice, Kind, Reply
from domain.numbers import parse_money
from domain.roles import ADMINS
from domain.tables import ImportResult, Row, TableError, read_table
from domain.text import match_choice

TRADES = {
    "garment": N_("Garment, textiles"),
    "construction": N_("Construction"),
    "farming": N_("Farming, fishing"),
    "factory": N_("Factory work"),
    "services": N_("Shops, restaurants, services"),
    "mechanics": N_("Mechanics, electrics"),
    "domestic": N_("Housework, care"),
    "other": N_("Other trades"),
}
_RANGE = re.compile(r"\s*(?:-|–|đến|den|tới|toi)\s*")
_NEGOTIABLE = frozenset({"thoa thuan", "negotiable", "tt", "khong", "none"})


# -- shared rules (dialog and import) -------------------------------------------------------


def trade_by_text(text: str, t: Translator) -> str | None:
    """A trade id from its id, its label in English or in the translator's language."""
    wanted = fold(text)
    for key, label in TRADES.items():
        if wanted in (key, fold(label), fold(t.gettext(label))):
            return key
    labels = [t.gettext(label) for label in TRADES.values()]
    index = match_choice(text, labels, allow_number=False)
    return list(TRADES)[index] if index is not None else None


def parse_wage(text: str) -> tuple[int | None, int | None] | None:
    """"5-7 triệu", "5 triệu - 7 triệu", "5000000", "thỏa thuận" → (min, max); None: unreadable.

    A bare small number next to a number in millions is in millions too ("5-7 triệu")."""
    if fold(text) in _NEGOTIABLE or not text.strip():
        return (None, None)
    parts = [p for p in _RANGE.split(text.strip()) if p]
    if not 1 <= len(parts) <= 2:
        return None
    values = [parse_money(p) for p in parts]
    if any(v is None for v in values):
        return None
    amounts = [v * 1_000_000 if v is not None and v < 1000 else v for v in values]
    low, high = amounts[0], amounts[-1]
    if low is None or high is None or low > high:
        return None
    return (low, high if len(amounts) == 2 else None)


def wage_text(t: Translator, low: int | None, high: int | None) -> str:
    _ = t.gettext
    if low is None and high is None:
        return _("negotiable")
    if high is None:
        return _("from {amount}").format(amount=format_money(low or 0))
    return f"{format_money(low or 0)} – {format_money(high)}"


def notice_text(t: Translator, job: job_repo.JobNotice | job_repo.NoticeFields) -> str:
    """The notice as households see it: the notice record's lines."""
    return "\n".join(NOTICE.lines(t, job))


def match_text(t: Translator, job: job_repo.JobNotice) -> str:
    """What a matching seeker receives."""
    _ = t.gettext
    return "\n".join([_("A new job that fits your profile:"), notice_text(t, job), "",
                      _("To stop these notices: /huytheodoi")])


def subscriber_text(t: Translator, job: job_repo.JobNotice) -> str:
    """What a household subscribed to "Việc làm" of the job's ward (or the city) receives."""
    _ = t.gettext
    return "\n".join([_("A new job post:"), notice_text(t, job), "",
                      _("To stop these notices: /huytheodoi")])


def matching_reply(t: Translator, job: job_repo.JobNotice) -> Callable[[int, bool], Reply]:
    fits, posted = match_text(t, job), subscriber_text(t, job)
    return lambda _user_id, fitting: Reply(fits if fitting else posted)


COLUMNS = ("tieu_de", "nha_tuyen_dung", "noi_lam_viec", "phuong_xa", "nganh_nghe", "muc_luong",
           "yeu_cau", "han_nop", "lien_he")
REQUIRED = ("tieu_de", "nha_tuyen_dung", "noi_lam_viec", "nganh_nghe", "han_nop", "lien_he")


def row_fields(
    row: Row, t: Translator, wards: Callable[[str], str | None], today: date
) -> tuple[job_repo.NoticeFields | None, str | None]:
    """One sheet row → notice fields, or the reason it is not usable (translated)."""
    _ = t.gettext
    cells = {key: (row.cells.get(key) or "").strip() for key in COLUMNS}
    missing = [key for key in REQUIRED if not cells[key]]
    if missing:
        return None, _("missing {columns}").format(columns=", ".join(missing))
    trade = trade_by_text(cells["nganh_nghe"], t)
    if trade is None:
        return None, _("unknown trade “{text}”").format(text=cells["nganh_nghe"])
    ward = None
    if cells["phuong_xa"]:
        ward = wards(cells["phuong_xa"])
        if ward is None:
            return None, _("unknown ward “{text}”").format(text=cells["phuong_xa"])
    wage = parse_wage(cells["muc_luong"])
    if wage is None:
        return None, _("unreadable wage “{text}”").format(text=cells["muc_luong"])
    deadline = parse_date(cells["han_nop"], today)
    if deadline is None or deadline < today:
        return None, _("the deadline “{text}” is not a date from today on").format(
            text=cells["han_nop"])
    return job_repo.NoticeFields(
        title=cells["tieu_de"][:200], employer=cells["nha_tuyen_dung"][:200],
        workplace=cells["noi_lam_viec"][:300], ward=ward, trade=trade, wage_min=wage[0],
        wage_max=wage[1], requirements=cells["yeu_cau"] or None, deadline=deadline,
        contact=cells["lien_he"][:200],
    ), None


async def import_notices(
    session: Any, rows: list[Row], t: Translator, wards: Callable[[str], str | None],
    actor: Any, now: Any, today: date,
) -> ImportResult:
    """All or nothing: every row checked, every bad one reported; else all posted (audited) and
    each sent to the matching subscribed seekers."""
    if not rows:
        return ImportResult(0, [(1, t.gettext("the file has no rows"))])
    parsed, errors = [], []
    for row in rows:
        fields, reason = row_fields(row, t, wards, today)
        if reason is not None:
            errors.append((row.number, reason))
        else:
            parsed.append(fields)
    if errors:
        return ImportResult(0, errors)
    for fields in parsed:
        await post_notice(session, fields, t, actor, now)
    return ImportResult(len(parsed))


async def post_notice(
    session: Any, fields: job_repo.NoticeFields, t: Translator, actor: Any, now: Any
) -> tuple[job_repo.JobNotice, int]:
    """Save a notice with its audit row and queue it to matching seekers and to households
    subscribed to its ward's (or the city's) job notices; (notice, queued)."""
    job = await job_repo.add_notice(session, fields, actor, now)
    await users_repo.audit(session, actor, "create", "job_notice", job.id, now,
                           after={"title": job.title, "trade": job.trade, "ward": job.ward,
                                  "deadline": job.deadline.isoformat()})
    queued = await job_repo.queue_matches(session, job, matching_reply(t, job), now)
    return job, queued




# -- posting a notice: the notice record and its dialog ---------------------------------------


@payload("jd")
class Posting(Payload):
    """The review's buttons: post the notice, or change something."""

    action: Literal["post", "edit"]


def typed(limit: int, example: str) -> Read:
    """Reads a short typed text, 2 to `limit` characters (`example`: a msgid)."""

    def read(ctx: Ctx, answer: Answer) -> str | Retry:
        text = answer.text.strip()
        if not 2 <= len(text) <= limit:
            return Retry(ctx._("Please type 2 to {n} characters.", n=limit), ctx._(example))
        return text

    return read


def _ask_title(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the job title (or a file to import)."""
    if not ctx.can_receive(Kind.DOCUMENT):
        return Reply(ctx._("Type the job title, e.g. “Sewing worker”."))
    return Reply(ctx._("Type the job title, e.g. “Sewing worker”. To post many at once, send "
                       "a CSV or XLSX file with the columns: {columns}.",
                       columns=", ".join(COLUMNS)))


async def _accept_title(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the title, or imports a sent file (all or nothing)."""
    if answer.kind == Kind.DOCUMENT:
        return await _import_file(ctx, answer)
    title = typed(200, N_("Sewing worker"))(ctx, answer)
    if isinstance(title, Retry):
        return title
    data["title"] = title
    return Next()


async def _import_file(ctx: Ctx, answer: Answer) -> Outcome:
    raw = answer.payload.get("data")
    name = answer.payload.get("file_name") or ""
    if not raw:
        return Retry(ctx._("I could not read that file (at most 5 MB). Please send it again."))
    try:
        rows = await asyncio.to_thread(read_table, bytes(raw), name)  # off the event loop
    except TableError as exc:
        return Retry(ctx._(exc.message, **exc.values))
    result = await import_notices(ctx.session, rows, ctx.translator,
                                  lambda text: answers.ward_by_text(ctx, text), ctx.user,
                                  ctx.now, ctx.local_now.date())
    if result.errors:
        lines = [ctx._("Nothing was posted. Please fix these rows and send the file again:")]
        lines += [ctx._("Row {number}: {reason}", number=n, reason=r)
                  for n, r in result.errors[:15]]
        if len(result.errors) > 15:
            lines.append(ctx._("… and {n} more.", n=len(result.errors) - 15))
        return Retry("\n".join(lines))
    ctx.services.wake_delivery()
    return Done(menu=ctx.ngettext("Posted {n} job notice.", "Posted {n} job notices.",
                                  result.imported))


def _wage(ctx: Ctx, answer: Answer) -> tuple[int | None, int | None] | Retry:
    wage = parse_wage(answer.text)
    return Retry(ctx._("I could not read that wage."), "5-7 triệu") if wage is None else wage


def _deadline(ctx: Ctx, answer: Answer) -> str | Retry:
    """Today or a later day, as ISO text."""
    today = ctx.local_now.date()
    deadline = parse_date(answer.text, today)
    if deadline is None:
        return Retry(ctx._("I could not read that date."), "15/12/2026")
    if deadline < today:
        return Retry(ctx._("That date has passed. Please type today's date or a later one."),
                     "15/12/2026")
    return deadline.isoformat()


def _place(job: Any) -> str:
    return job.workplace + (f" ({job.ward})" if job.ward else "")


def _show_trade(t: Translator, key: str) -> str:
    return t.gettext(TRADES.get(key, TRADES["other"]))


def _show_date(t: Translator, value: date | str) -> str:
    return format_date(value if isinstance(value, date) else date.fromisoformat(value))


NOTICE = Record("jn", __name__, (
    Field("title", N_("Job title"), summary=N_("💼 {value}"), step=Step(
        "title", _ask_title, _accept_title,
        accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.DOCUMENT}))),
    Field("employer", N_("Employer"), N_("Which employer? Type its name."),
          read=typed(200, N_("Hoa Sen garment company")),
          summary=N_("🏢 Employer: {value}")),
    Field("workplace", N_("Workplace"), N_("Where is the work? Type the address."),
          read=typed(300, N_("12 Thống Nhất street")), get=_place,
          summary=N_("📍 Workplace: {value}")),
    Field("ward", N_("Ward"), summary=None, step=answers.ward_step(  # shown with the workplace
        "ward", lambda ctx, data: ctx._("In which ward is the work?"),
        none=N_("Whole city / elsewhere"), unknown=N_("Please press one of the buttons."))),
    Field("trade", N_("Trade"), N_("Which trade is it?"), choices=TRADES, show=_show_trade,
          summary=N_("🔧 Trade: {value}")),
    Field("wage", N_("Wage"),
          N_("What is the monthly wage? Type a range, e.g. 5-7 triệu, or one amount."),
          read=_wage, skip=N_("Negotiable"), get=lambda job: (job.wage_min, job.wage_max),
          show=lambda t, wage: wage_text(t, *wage), summary=N_("💰 Wage: {value}")),
    Field("requirements", N_("Requirements"),
          N_("What are the requirements? Type them briefly."),
          read=typed(500, N_("aged 18-45, no experience needed")),
          skip=N_("No special requirements"), blank=None,
          summary=N_("📋 Requirements: {value}")),
    Field("deadline", N_("Deadline"),
          N_("Until when can people apply? Type a date, e.g. 15/12/2026."), read=_deadline,
          show=_show_date, summary=N_("⏰ Apply by: {value}")),
    Field("contact", N_("Contact"),
          N_("Whom should people contact? Type a name and phone number."),
          read=typed(200, N_("Ms Lan, 0912345678")), summary=N_("☎️ Contact: {value}")),
), press=N_("Please press one of the buttons."))


def notice_fields(data: dict[str, Any]) -> job_repo.NoticeFields:
    """The dialog's answers as the notice to post (the wage is one answer, two columns)."""
    values = NOTICE.values(data)
    low, high = values.pop("wage") or (None, None)
    values["deadline"] = date.fromisoformat(values["deadline"])
    return job_repo.NoticeFields(**values, wage_min=low, wage_max=high)


def _ask_review(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the notice as households will see it; asks to post."""
    text = "\n".join([ctx._("Please check the notice:"),
                      notice_text(ctx.translator, notice_fields(data))])
    return Reply(text, (Choice(ctx._("✅ Post it"), Posting("post").pack()),
                        Choice(ctx._("✏️ Change something"), Posting("edit").pack())))


async def _accept_review(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Posts the notice and sends it to matching seekers, or asks what to change."""
    pressed = Posting.unpack(answer.choice)
    if pressed is None:
        return Retry(ctx._("Please press one of the buttons."))
    if pressed.action == "edit":
        return Next("edit")
    job, queued = await post_notice(ctx.session, notice_fields(data), ctx.translator, ctx.user,
                                    ctx.now)
    if queued:
        ctx.services.wake_delivery()
    return Done(menu=ctx.ngettext(
        "Job notice #{id} is posted; sent to {n} person who receives job notices.",
        "Job notice #{id} is posted; sent to {n} people who receive job notices.",
        queued, id=job.id))


NEW_NOTICE = Dialog(
    name="job_new",
    title=N_("New job notice"),
    steps=[
        *NOTICE.steps(),
        Step("review", _ask_review, _accept_review, next={"edit": "pick"}),
        NOTICE.fix_step("pick", "review", N_("What would you like to change?")),
    ],
    roles=ADMINS,
)
