"""A household signing up for a vocational course (`course_signup`, started with the course's
`course_id`): the course is named (or its waiting list offered), the registration record's
questions are asked, the answers are shown for consent, and the sign-up gets its code.

The registration record (`REGISTRATION`) is the one place a sign-up's fields are declared:
its rows give the questions, the edit menu, the confirmation's lines, and (in
handlers/courses.py) the admins' list line, the export's columns and /dulieucuatoi's line;
db/courses.py `register` stores whatever fields it holds, by column. The admin's course dialogs
are in conversations/course_editor.py, the course's own fields in conversations/course_fields.py.

```mermaid
flowchart LR
    subgraph course_signup
    course_signup__start[start] --> course_signup__full_name[full_name]
    course_signup__full_name[full_name] --> course_signup__birth_year[birth_year]
    course_signup__birth_year[birth_year] --> course_signup__phone[phone]
    course_signup__phone[phone] --> course_signup__ward[ward]
    course_signup__ward[ward] --> course_signup__household[household]
    course_signup__household[household] --> course_signup__confirm[confirm]
    course_signup__confirm[confirm] -->|fix| course_signup__fix[fix]
    course_signup__fix[fix]
    end
```
"""

from __future__ import annotations

from typing import Any, Literal

from conversations import answers
from conversations.context import Ctx
from conversations.course_fields import ward_label
from conversations.engine import Answer, Dialog, Done, Next, Outcome, Retry, Step
from conversations.fields import Field, Record
from conversations.payloads import Payload, payload
from db import courses as repo
from db import users
from domain.formatting import format_date
from domain.i18n import N_
from domain.messages import Choice, Kind, Reply
from domain.numbers import parse_int
from domain.text import parse_yes_no

SIGNUP = "course_signup"
CONSENT_PURPOSE = "course_registration"
MIN_AGE, MAX_AGE = 15, 80  # working age and a generous upper bound; outside: a typo
HOUSEHOLD_NAMES = {
    "poor": N_("Poor household"),
    "near_poor": N_("Near-poor household"),
    "escaped": N_("Newly escaped poverty"),
    "other": N_("Other"),
    "unknown": N_("Don't know"),
}


@payload("kd")
class Signup(Payload):
    """The sign-up's own buttons: start (or join the waiting list), "no, thanks", agree, edit,
    don't send (the questions' and the edit menu's buttons are the record's)."""

    action: Literal["start", "no-thanks", "ok", "fix", "no"]


def ask_birth_year(ctx: Ctx, data: dict[str, Any]) -> str:
    return ctx._("In which year was {name} born? Type 4 digits, for example: 1990",
                 name=data["full_name"])


def birth_year(ctx: Ctx, answer: Answer) -> int | Retry:
    """A year giving an age from MIN_AGE to MAX_AGE this year."""
    year = parse_int(answer.text)
    this_year = ctx.local_now.year
    if year is None or not this_year - MAX_AGE <= year <= this_year - MIN_AGE:
        return Retry(ctx._("The year of birth must be 4 digits, from {first} to {last}.",
                           first=this_year - MAX_AGE, last=this_year - MIN_AGE), "1990")
    return year


def ask_phone(ctx: Ctx, data: dict[str, Any]) -> Reply:
    office = answers.labour_office_name(ctx)
    return answers.phone_question(
        ctx, ctx._("Which phone number can the {office} call? Type it, for example "
                   "0912345678, or press the button to share your number.", office=office),
        ctx._("Which phone number can the {office} call? Type it, for example 0912345678.",
              office=office))


REGISTRATION = Record("kr", __name__, (
    Field("full_name", N_("Name"), N_("What is the full name of the person who will study? "
                                      "For example: Nguyễn Văn An"),
          read=answers.full_name, column=N_("Full name")),
    Field("birth_year", N_("Year of birth"), ask_birth_year, read=birth_year, numeric=True,
          personal=N_("born {value}")),
    Field("phone", N_("Phone"), ask_phone, read=answers.mobile_phone,
          accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.CONTACT}),
          personal=N_("phone {value}")),
    Field("ward", N_("Ward"), step=answers.ward_step(
        "ward", lambda ctx, data: ctx._("Which ward or commune do you live in? Choose one, or "
                                        "type its name."),
        label=ward_label, none=N_("🤷 Don't know / somewhere else"),
        unknown=N_("I could not find that ward. Choose a button, or press \"Don't know / "
                   "somewhere else\"."))),
    Field("household", N_("Household"), N_("Which group is your household in?"),
          choices=HOUSEHOLD_NAMES),
))


async def _signup_start(ctx: Ctx, data: dict[str, Any]) -> Outcome | None:
    """Refuses a closed course or a second sign-up before asking anything."""
    course = await repo.course(ctx.session, int(data.get("course_id", 0)))
    if course is None or not course.accepting(ctx.local_now.date()):
        return Done([Reply(ctx._("Sorry, this course is not taking sign-ups any more."))],
                    menu=True)
    existing = await repo.active_for(ctx.session, course.id, ctx.user.id)
    if existing is not None:
        return Done([Reply(already_text(ctx, course, existing))], menu=True)
    return None


def already_text(ctx: Ctx, course: repo.Course, existing: repo.CourseRegistration) -> str:
    return ctx._("You have already signed up for {title} (code {code}). To cancel, type "
                 "/huydangky.", title=course.title, code=existing.code)


async def ask_start(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Names the course; when full, offers the waitlist with the place in line."""
    course = await repo.course(ctx.session, data["course_id"])
    assert course is not None
    counts = await repo.count_for(ctx.session, course.id)
    start = Signup("start").pack()
    if counts.registered >= course.capacity:
        text = ctx._("{title} is full ({capacity} places). You can join the waiting list: you "
                     "would be number {position}. If someone cancels, I will tell you.",
                     title=course.title, capacity=course.capacity,
                     position=counts.waitlist + 1)
        return Reply(text, (Choice(ctx._("📝 Join the waiting list"), start),
                            Choice(ctx._("No, thanks"), Signup("no-thanks").pack())))
    questions = sum(f.asked for f in REGISTRATION.fields) + 1  # and the consent
    text = ctx.ngettext("Sign up for {title}, starting {date}. I will ask {n} short question.",
                        "Sign up for {title}, starting {date}. I will ask {n} short questions.",
                        questions, title=course.title, date=format_date(course.starts_on))
    return Reply(text, (Choice(ctx._("✅ Start"), start),))


def accept_start(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Goes on, or ends on "no"."""
    pressed = Signup.unpack(answer.choice)
    action = pressed.action if pressed is not None else None
    said = parse_yes_no(answer.text)
    if action == "no-thanks" or said is False:
        return Done(menu=ctx._("All right. Nothing was saved."))
    if not (action == "start" or (answer.choice is None and said)):
        return Retry(ctx._("Please choose one of the buttons."))
    return Next()


def ask_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the answers; asks consent to send them to the labour office."""
    text = "\n".join([
        *REGISTRATION.lines(ctx.translator, data),
        ctx._("I will send these details to the {office} to arrange the class. You can see or "
              "delete them with /dulieucuatoi and /xoadulieu. Do you agree?",
              office=answers.labour_office_name(ctx)),
    ])
    return Reply(text, (Choice(ctx._("✅ I agree, sign me up"), Signup("ok").pack()),
                        Choice(ctx._("✏️ Edit"), Signup("fix").pack()),
                        Choice(ctx._("Don't send"), Signup("no").pack())))


async def accept_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Registers (a place or the waitlist) and gives the code; or ends without saving."""
    pressed = Signup.unpack(answer.choice)
    action = pressed.action if pressed is not None else None
    said = parse_yes_no(answer.text) if answer.choice is None else None
    if action == "fix":
        return Next("fix")
    if action == "no" or said is False:
        return Done(menu=ctx._("Nothing was sent, and nothing about you was kept."))
    if not (action == "ok" or said):
        return Retry(ctx._("Please answer yes or no."), ctx._("yes"))
    try:
        reg = await repo.register(ctx.session, data["course_id"], ctx.user,
                                  REGISTRATION.values(data), ctx.now, ctx.local_now.date())
    except repo.CourseError as error:
        course = await repo.course(ctx.session, data["course_id"])
        if error.reason == "duplicate" and course and error.existing:
            return Done([Reply(already_text(ctx, course, error.existing))], menu=True)
        return Done([Reply(ctx._("Sorry, this course is not taking sign-ups any more."))],
                    menu=True)
    await users.grant_consent(ctx.session, ctx.user, CONSENT_PURPOSE, ctx.now)
    course = await repo.course(ctx.session, reg.course_id)
    assert course is not None
    if reg.status == repo.WAITLIST:
        position = await repo.waitlist_position(ctx.session, reg)
        text = ctx._("You are on the waiting list for {title}: number {position}. Your code: "
                     "{code}. If a place frees up, I will tell you.", title=course.title,
                     position=position, code=reg.code)
    else:
        text = ctx._("Signed up for {title}! Your code: {code}. It starts on {date} at {place}. "
                     "I will remind you the day before. To cancel: /huydangky.",
                     title=course.title, code=reg.code, date=format_date(course.starts_on),
                     place=course.place)
    return Done([Reply(text)], menu=True)


def build_signup_dialog() -> Dialog:
    """The household's sign-up for one course (`course_id` in the start data)."""
    return Dialog(
        name=SIGNUP, title=N_("Course sign-up"), on_start=_signup_start,
        steps=[
            Step("start", ask_start, accept_start),
            *REGISTRATION.steps(),
            Step("confirm", ask_confirm, accept_confirm, next={"fix": "fix"}),
            REGISTRATION.fix_step("fix", "confirm"),
        ],
    )
