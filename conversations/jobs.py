"""The job board's dialogs and the rules they share with the import: posting a job notice
(/vieclammoi, admins; a CSV/XLSX sent at the first question imports many) and a household
member's job-seeker profile (/timviec, with consent).

Posting (`NEW_NOTICE`):

```mermaid
flowchart LR
    title -->|file| imported((imported))
    title --> employer --> workplace --> ward --> trade --> wage --> requirements
    requirements --> deadline --> contact --> review -->|Đăng| posted((posted))
    review -->|Sửa| pick -->|one field| review
```

Profile (`SEEKER`): trade → ward → availability → phone → consent and save (or delete).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from conversations import answers
from conversations.answers import picked_ward, ward_by_text, ward_names
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Edit, Next, Outcome, Retry, Step
from db import broadcasts as repo
from db import users as users_repo
from domain.formatting import format_date, format_money, parse_date
from domain.i18n import N_, Translator
from domain.messages import Choice, Kind, Reply
from domain.roles import ADMINS
from domain.tables import ImportResult, Row, TableError, read_table
from domain.text import fold, match_choice, parse_money

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
AVAILABILITY = {
    "full": N_("Full-time"),
    "part": N_("Part-time"),
    "seasonal": N_("Seasonal"),
}
SEEKER_PURPOSE = "job_seeker"
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


def notice_text(t: Translator, job: repo.JobNotice | repo.NoticeFields) -> str:
    """The notice as households see it."""
    _ = t.gettext
    place = job.workplace + (f" ({job.ward})" if job.ward else "")
    lines = [
        f"💼 {job.title}",
        _("🏢 Employer: {employer}").format(employer=job.employer),
        _("📍 Workplace: {place}").format(place=place),
        _("🔧 Trade: {trade}").format(trade=_(TRADES.get(job.trade, TRADES["other"]))),
        _("💰 Wage: {wage}").format(wage=wage_text(t, job.wage_min, job.wage_max)),
    ]
    if job.requirements:
        lines.append(_("📋 Requirements: {text}").format(text=job.requirements))
    lines.append(_("⏰ Apply by: {date}").format(date=format_date(job.deadline)))
    lines.append(_("☎️ Contact: {contact}").format(contact=job.contact))
    return "\n".join(lines)


def match_text(t: Translator, job: repo.JobNotice) -> str:
    """What a matching seeker receives."""
    _ = t.gettext
    return "\n".join([_("A new job that fits your profile:"), notice_text(t, job), "",
                      _("To stop these notices: /huytheodoi")])


def subscriber_text(t: Translator, job: repo.JobNotice) -> str:
    """What a household subscribed to "Việc làm" of the job's ward (or the city) receives."""
    _ = t.gettext
    return "\n".join([_("A new job post:"), notice_text(t, job), "",
                      _("To stop these notices: /huytheodoi")])


def matching_reply(t: Translator, job: repo.JobNotice) -> Callable[[int, bool], Reply]:
    fits, posted = match_text(t, job), subscriber_text(t, job)
    return lambda _user_id, fitting: Reply(fits if fitting else posted)


COLUMNS = ("tieu_de", "nha_tuyen_dung", "noi_lam_viec", "phuong_xa", "nganh_nghe", "muc_luong",
           "yeu_cau", "han_nop", "lien_he")
REQUIRED = ("tieu_de", "nha_tuyen_dung", "noi_lam_viec", "nganh_nghe", "han_nop", "lien_he")


def row_fields(
    row: Row, t: Translator, wards: Callable[[str], str | None], today: date
) -> tuple[repo.NoticeFields | None, str | None]:
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
    return repo.NoticeFields(
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
    session: Any, fields: repo.NoticeFields, t: Translator, actor: Any, now: Any
) -> tuple[repo.JobNotice, int]:
    """Save a notice with its audit row and queue it to matching seekers and to households
    subscribed to its ward's (or the city's) job notices; (notice, queued)."""
    job = await repo.add_notice(session, fields, actor, now)
    await users_repo.audit(session, actor, "create", "job_notice", job.id, now,
                           after={"title": job.title, "trade": job.trade, "ward": job.ward,
                                  "deadline": job.deadline.isoformat()})
    queued = await repo.queue_matches(session, job, matching_reply(t, job), now)
    return job, queued


# -- posting a notice -------------------------------------------------------------------------


def _text_step(name: str, question: str, example: str, nxt: str, limit: int,
               skip: str | None = None) -> Step:
    """A step that stores a short typed text (or, with `skip`, nothing)."""

    def ask(ctx: Ctx, data: dict[str, Any]) -> Reply:
        choices = (Choice(ctx._(skip), f"jd:skip:{name}"),) if skip else ()
        return Reply(ctx._(question), choices)

    def accept(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
        if skip and answer.choice == f"jd:skip:{name}":
            data[name] = None
            return Next(nxt)
        text = answer.text.strip()
        if not 2 <= len(text) <= limit:
            return Retry(ctx._("Please type 2 to {n} characters.", n=limit), ctx._(example))
        data[name] = text
        return Next(nxt)

    return Step(name, ask, accept)


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
    title = answer.text.strip()
    if not 2 <= len(title) <= 200:
        return Retry(ctx._("Please type 2 to {n} characters.", n=200), ctx._("Sewing worker"))
    data["title"] = title
    return Next("employer")


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
                                  lambda text: ward_by_text(ctx, text), ctx.user, ctx.now,
                                  ctx.local_now.date())
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


def _ask_ward(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the workplace's ward (or the whole city)."""
    choices = [Choice(name, f"jd:w:{i}") for i, name in enumerate(ward_names(ctx))]
    choices.append(Choice(ctx._("Whole city / elsewhere"), "jd:w:none"))
    return Reply(ctx._("In which ward is the work?"), tuple(choices))


def _accept_ward(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the ward, asks the trade."""
    choice = answer.choice or ""
    if choice == "jd:w:none":
        data["ward"] = None
        return Next("trade")
    ward = picked_ward(ctx, answer, "jd:w:")
    if ward is None:
        return Retry(ctx._("Please press one of the buttons."))
    data["ward"] = ward
    return Next("trade")


def trade_choices(ctx: Ctx, prefix: str) -> tuple[Choice, ...]:
    return tuple(Choice(ctx._(label), f"{prefix}{key}") for key, label in TRADES.items())


def _ask_trade(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the trade."""
    return Reply(ctx._("Which trade is it?"), trade_choices(ctx, "jd:t:"))


def _accept_trade(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the trade, asks the wage."""
    key = (answer.choice or "").removeprefix("jd:t:")
    if key not in TRADES:
        return Retry(ctx._("Please press one of the buttons."))
    data["trade"] = key
    return Next("wage")


def _ask_wage(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the wage range."""
    return Reply(ctx._("What is the monthly wage? Type a range, e.g. 5-7 triệu, or one amount."),
                 (Choice(ctx._("Negotiable"), "jd:wage:none"),))


def _accept_wage(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the wage range, asks the requirements."""
    wage = (None, None) if answer.choice == "jd:wage:none" else parse_wage(answer.text)
    if wage is None:
        return Retry(ctx._("I could not read that wage."), "5-7 triệu")
    data["wage_min"], data["wage_max"] = wage
    return Next("requirements")


def _ask_deadline(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the application deadline."""
    return Reply(ctx._("Until when can people apply? Type a date, e.g. 15/12/2026."))


def _accept_deadline(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the deadline (today or later), asks the contact."""
    today = ctx.local_now.date()
    deadline = parse_date(answer.text, today)
    if deadline is None:
        return Retry(ctx._("I could not read that date."), "15/12/2026")
    if deadline < today:
        return Retry(ctx._("That date has passed. Please type today's date or a later one."),
                     "15/12/2026")
    data["deadline"] = deadline.isoformat()
    return Next("contact")


def _fields(data: dict[str, Any]) -> repo.NoticeFields:
    return repo.NoticeFields(
        title=data["title"], employer=data["employer"], workplace=data["workplace"],
        ward=data.get("ward"), trade=data["trade"], wage_min=data.get("wage_min"),
        wage_max=data.get("wage_max"), requirements=data.get("requirements"),
        deadline=date.fromisoformat(data["deadline"]), contact=data["contact"],
    )


def _ask_review(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the notice as households will see it; asks to post."""
    text = "\n".join([ctx._("Please check the notice:"), notice_text(ctx.translator,
                                                                      _fields(data))])
    return Reply(text, (Choice(ctx._("✅ Post it"), "jd:post"),
                        Choice(ctx._("✏️ Change something"), "jd:edit")))


async def _accept_review(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Posts the notice and sends it to matching seekers, or asks what to change."""
    if answer.choice == "jd:edit":
        return Next("pick")
    if answer.choice != "jd:post":
        return Retry(ctx._("Please press one of the buttons."))
    job, queued = await post_notice(ctx.session, _fields(data), ctx.translator, ctx.user,
                                    ctx.now)
    if queued:
        ctx.services.wake_delivery()
    return Done(menu=ctx.ngettext(
        "Job notice #{id} is posted; sent to {n} person who receives job notices.",
        "Job notice #{id} is posted; sent to {n} people who receive job notices.",
        queued, id=job.id))


_EDITABLE = {
    "title": N_("Job title"), "employer": N_("Employer"), "workplace": N_("Workplace"),
    "ward": N_("Ward"), "trade": N_("Trade"), "wage": N_("Wage"),
    "requirements": N_("Requirements"), "deadline": N_("Deadline"), "contact": N_("Contact"),
}


def _ask_pick(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks which field to change."""
    return Reply(ctx._("What would you like to change?"),
                 tuple(Choice(ctx._(label), f"jd:e:{key}") for key, label in _EDITABLE.items()))


def _accept_pick(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Goes to that field's question, then back to the review."""
    key = (answer.choice or "").removeprefix("jd:e:")
    if key not in _EDITABLE:
        return Retry(ctx._("Please press one of the buttons."))
    return Edit(key, "review")


NEW_NOTICE = Dialog(
    loose=True, name="job_new",
    title=N_("New job notice"),
    steps=[
        Step("title", _ask_title, _accept_title,
             accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.DOCUMENT})),
        _text_step("employer", N_("Which employer? Type its name."), N_("Hoa Sen garment "
                   "company"), "workplace", 200),
        _text_step("workplace", N_("Where is the work? Type the address."),
                   N_("12 Thống Nhất street"), "ward", 300),
        Step("ward", _ask_ward, _accept_ward),
        Step("trade", _ask_trade, _accept_trade),
        Step("wage", _ask_wage, _accept_wage),
        _text_step("requirements", N_("What are the requirements? Type them briefly."),
                   N_("aged 18-45, no experience needed"), "deadline", 500,
                   skip=N_("No special requirements")),
        Step("deadline", _ask_deadline, _accept_deadline),
        _text_step("contact", N_("Whom should people contact? Type a name and phone number."),
                   N_("Ms Lan, 0912345678"), "review", 200),
        Step("review", _ask_review, _accept_review),
        Step("pick", _ask_pick, _accept_pick),
    ],
    roles=ADMINS,
)


# -- the job-seeker profile -----------------------------------------------------------------


async def _seeker_start(ctx: Ctx, data: dict[str, Any]) -> None:
    """Starts from the saved profile, if any, so it can be changed or deleted."""
    with ctx.session.no_autoflush:  # see conversations/broadcasts.py _subscribe_start
        mine = await repo.seeker(ctx.session, ctx.user.id)
    data["existing"] = mine is not None
    if mine is not None:
        data.update(trade=mine.trade, ward=mine.ward, availability=mine.availability,
                    phone=mine.phone)


def _ask_seeker_trade(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the trade the person is looking for."""
    lines = []
    if data.get("existing"):
        lines.append(ctx._("You have a job-seeker profile. Answer again to change it, or "
                           "delete it at the end."))
    lines.append(ctx._("What kind of work are you looking for?"))
    return Reply("\n".join(lines), trade_choices(ctx, "sk:t:"))


def _accept_seeker_trade(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the trade, asks the ward."""
    key = (answer.choice or "").removeprefix("sk:t:")
    if key not in TRADES:
        return Retry(ctx._("Please press one of the buttons."))
    data["trade"] = key
    return Next("ward")


def _ask_seeker_ward(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks where the person wants to work."""
    choices = [Choice(name, f"sk:w:{i}") for i, name in enumerate(ward_names(ctx))]
    choices.append(Choice(ctx._("Anywhere in the city"), "sk:w:none"))
    return Reply(ctx._("In which ward would you like to work?"), tuple(choices))


def _accept_seeker_ward(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the ward, asks the availability."""
    choice = answer.choice or ""
    if choice == "sk:w:none":
        data["ward"] = None
        return Next("availability")
    ward = picked_ward(ctx, answer, "sk:w:")
    if ward is None:
        return Retry(ctx._("Please press one of the buttons."))
    data["ward"] = ward
    return Next("availability")


def _ask_availability(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks how much the person can work."""
    return Reply(ctx._("How much can you work?"), tuple(
        Choice(ctx._(label), f"sk:a:{key}") for key, label in AVAILABILITY.items()))


def _accept_availability(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the availability, asks the phone."""
    key = (answer.choice or "").removeprefix("sk:a:")
    if key not in AVAILABILITY:
        return Retry(ctx._("Please press one of the buttons."))
    data["availability"] = key
    return Next("phone")


def _ask_phone(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the phone number employers can call."""
    office = answers.labour_office_name(ctx)
    return answers.phone_question(
        ctx, ctx._("Which phone number can the {office} or an employer call? Type it, "
                   "e.g. 0912345678, or press the button to share it.", office=office),
        ctx._("Which phone number can the {office} or an employer call? Type it, "
              "e.g. 0912345678.", office=office))


def _ask_consent(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the profile and asks for consent to share it with the labour office."""
    lines = [
        ctx._("Your profile: {trade}; {ward}; {availability}; {phone}.",
              trade=ctx._(TRADES[data["trade"]]),
              ward=data.get("ward") or ctx._("anywhere in the city"),
              availability=ctx._(AVAILABILITY[data["availability"]]), phone=data["phone"]),
        ctx._("The {office} will see it to connect you with employers. Do you agree?",
              office=answers.labour_office_name(ctx)),
    ]
    choices = [Choice(ctx._("✅ I agree, save it"), "sk:yes")]
    if data.get("existing"):
        choices.append(Choice(ctx._("🗑️ Delete my profile"), "sk:delete"))
    return Reply("\n".join(lines), tuple(choices))


async def _accept_consent(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the profile with consent, or deletes it."""
    if answer.choice == "sk:delete":
        await repo.delete_seeker(ctx.session, ctx.user.id)
        await withdraw(ctx, SEEKER_PURPOSE)
        return Done(menu=ctx._("Your job-seeker profile is deleted."))
    if answer.choice != "sk:yes":
        return Retry(ctx._("Please press “I agree” to save, or Cancel."))
    await users_repo.grant_consent(ctx.session, ctx.user, SEEKER_PURPOSE, ctx.now)
    await repo.save_seeker(ctx.session, ctx.user, trade=data["trade"], ward=data.get("ward"),
                           availability=data["availability"], phone=data["phone"], now=ctx.now)
    text = ctx._("Saved. The {office} can now see your profile.",
                 office=answers.labour_office_name(ctx))
    if not await repo.is_subscribed(ctx.session, ctx.user.id, "jobs"):
        text += "\n" + ctx._("To get new jobs that fit you, subscribe to job notices: /theodoi")
    return Done(menu=text)


async def withdraw(ctx: Ctx, purpose: str) -> None:
    consent = await users_repo.active_consent(ctx.session, ctx.user, purpose)
    if consent is not None:
        consent.withdrawn_at = ctx.now


SEEKER = Dialog(
    loose=True, name="job_seeker",
    title=N_("Job-seeker profile"),
    steps=[
        Step("trade", _ask_seeker_trade, _accept_seeker_trade),
        Step("ward", _ask_seeker_ward, _accept_seeker_ward),
        Step("availability", _ask_availability, _accept_availability),
        Step("phone", _ask_phone, answers.storing("phone", answers.mobile_phone, "consent"),
             numeric=True,
             accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.CONTACT})),
        Step("consent", _ask_consent, _accept_consent),
    ],
    on_start=_seeker_start,
)
