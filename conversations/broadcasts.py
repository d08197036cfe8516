"""Two dialogs: a household's opt-in to notices (/theodoi) and the labour office's broadcast
composer (/thongbao).

Opt-in (`SUBSCRIBE`): topics (tick any of three) → ward (or the whole city only) → household
category (optional) → consent and save. Nobody receives a broadcast they did not subscribe to.

```mermaid
flowchart LR
    topics -->|tick / untick| topics
    topics -->|Xong| ward --> category --> confirm -->|Đồng ý| saved((saved))
```

Composer (`COMPOSE`, admins): text → attachment (photo, file or none) → audience (a topic's
subscribers, or the ward officers) → wards (tick, none = all) → household category → now or
a local time → preview with the exact number of recipients → send or schedule.

```mermaid
flowchart LR
    text --> attach --> audience -->|topic| wards --> category --> when
    audience -->|cán bộ| when
    when -->|Ngay| preview
    when -->|Hẹn giờ| time --> preview
    preview -->|Sửa| text & audience & when
    preview -->|Gửi| queued((queued))
```
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conversations.answers import picked_ward, ward_names
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Edit, Next, Outcome, Retry, Step
from db import broadcasts as repo
from db import outbox
from db import users as users_repo
from domain.formatting import format_datetime, parse_date, parse_time
from domain.i18n import N_
from domain.messages import Choice, Document, Kind, Reply
from domain.roles import ADMINS
from domain.text import fold

TOPIC_LABELS = {
    "jobs": N_("💼 Jobs"),
    "courses": N_("🎓 Vocational courses"),
    "policies": N_("📜 Support policies"),
}
CATEGORY_LABELS = {
    "poor": N_("Poor household"),
    "near_poor": N_("Near-poor household"),
    "none": N_("Neither of these"),
}
AUDIENCE_CATEGORIES = {
    "all": (),
    "poor": ("poor",),
    "near_poor": ("near_poor",),
    "both": ("poor", "near_poor"),
}
MAX_TEXT = 1000  # fits a photo's caption (1024 on Telegram)
CONSENT_PURPOSE = "job_notices"


# -- shared helpers -------------------------------------------------------------------------


def topics_line(ctx: Ctx, topics: list[str] | frozenset[str]) -> str:
    return ", ".join(ctx._(TOPIC_LABELS[t]) for t in repo.TOPICS if t in topics)


def _tick(ctx: Ctx, on: bool, label: str) -> str:
    return f"{'✅' if on else '▫️'} {ctx._(label)}"


# -- opt-in ---------------------------------------------------------------------------------


async def _subscribe_start(ctx: Ctx, data: dict[str, Any]) -> None:
    """Starts from what the household chose before, so /theodoi also shows and changes it."""
    # No autoflush: the stepper has just set the state's data; flushing it now would make the
    # update below an untracked in-place change.
    with ctx.session.no_autoflush:
        mine = await repo.subscription(ctx.session, ctx.user.id)
    if mine is not None:
        data.update(topics=sorted(mine.topics), ward=mine.ward, category=mine.category,
                    existing=True)
    else:
        data.update(topics=[], ward=None, category=None, existing=False)


def _ask_topics(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks which topics (tick any), then Done."""
    lines = []
    if data.get("existing"):
        lines.append(ctx._("You now receive: {topics}.", topics=topics_line(ctx, data["topics"])))
    lines.append(ctx._("Which notices would you like to receive? Press a topic to tick or "
                       "untick it, then press “Done”."))
    lines.append(ctx._("You can also type several numbers at once, e.g. 1 3."))
    choices = [Choice(_tick(ctx, t in data["topics"], TOPIC_LABELS[t]), f"subs:t:{t}")
               for t in repo.TOPICS]
    choices.append(Choice(ctx._("➡️ Done"), "subs:done"))
    return Reply("\n".join(lines), tuple(choices))


def _accept_topics(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Toggles a topic (asks again) or goes on to the ward."""
    choice = answer.choice or ""
    if choice.startswith("subs:t:") and choice[7:] in repo.TOPICS:
        topic = choice[7:]
        topics = set(data["topics"]) ^ {topic}
        data["topics"] = [t for t in repo.TOPICS if t in topics]
        return Next("topics")
    if choice == "subs:done":
        if not data["topics"]:
            return Retry(ctx._("Please tick at least one topic. To stop all notices, type "
                               "/huytheodoi."))
        chosen = ctx._("You chose: {topics}.", topics=topics_line(ctx, data["topics"]))
        return Next("ward", [Reply(chosen)])
    return Retry(ctx._("Please press a topic to tick it, then “Done”."))


def _ask_ward(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the household's ward (for notices about that ward)."""
    text = ctx._("Which ward do you live in? You will get notices for your ward and for the "
                 "whole city. Press a ward or type its name.")
    choices = [Choice(name, f"subs:w:{i}") for i, name in enumerate(ward_names(ctx))]
    choices.append(Choice(ctx._("Skip: whole-city notices only"), "subs:w:none"))
    return Reply(text, tuple(choices))


def _accept_ward(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the ward (or none), asks the category."""
    choice = answer.choice or ""
    if choice == "subs:w:none":
        data["ward"] = None
        return Next("category")
    ward = picked_ward(ctx, answer, "subs:w:")
    if ward is None:
        return Retry(ctx._("I could not find that ward. Please press one of the buttons."),
                     ward_names(ctx)[0] if ward_names(ctx) else None)
    data["ward"] = ward
    return Next("category")


def _ask_category(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks (optionally) whether the household is on the ward's poor or near-poor list."""
    text = ctx._("Is your household on the ward's list as poor or near-poor? Some notices are "
                 "only for them. You may skip this.")
    choices = [Choice(ctx._(label), f"subs:c:{key}") for key, label in CATEGORY_LABELS.items()]
    choices.append(Choice(ctx._("Skip"), "subs:c:skip"))
    return Reply(text, tuple(choices))


def _accept_category(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the category (or none), asks for the confirmation."""
    choice = (answer.choice or "").removeprefix("subs:c:")
    if choice == "skip":
        data["category"] = None
    elif choice in CATEGORY_LABELS:
        data["category"] = choice
    else:
        return Retry(ctx._("Please press one of the buttons."))
    return Next("confirm")


def _ask_confirm(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the choices and asks for consent."""
    lines = [
        ctx._("You will receive: {topics}.", topics=topics_line(ctx, data["topics"])),
        ctx._("Ward: {ward}", ward=data["ward"] or ctx._("whole city only")),
    ]
    if data.get("category"):
        lines.append(ctx._("Household: {category}", category=ctx._(
            CATEGORY_LABELS[data["category"]])))
    lines.append(ctx._("You can stop at any time: type /huytheodoi or reply “dừng”. Agree?"))
    return Reply("\n".join(lines), (
        Choice(ctx._("✅ Yes, send me these"), "subs:yes"),
        Choice(ctx._("✏️ Change"), "subs:edit"),
    ))


async def _accept_confirm(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Saves the subscription with the consent, or goes back to the topics."""
    if answer.choice == "subs:edit":
        return Next("topics")
    if answer.choice != "subs:yes":
        return Retry(ctx._("Please press “Yes” to save, or Cancel."))
    await users_repo.grant_consent(ctx.session, ctx.user, CONSENT_PURPOSE, ctx.now)
    await repo.subscribe(ctx.session, ctx.user, data["topics"], data["ward"], data["category"],
                         ctx.now)
    return Done(menu=ctx._("Saved. I will send you these notices. To stop: /huytheodoi."))


SUBSCRIBE = Dialog(
    loose=True, name="subscribe",
    title=N_("Notices I receive"),
    steps=[
        Step("topics", _ask_topics, _accept_topics, multi=True),
        Step("ward", _ask_ward, _accept_ward),
        Step("category", _ask_category, _accept_category),
        Step("confirm", _ask_confirm, _accept_confirm),
    ],
    on_start=_subscribe_start,
)


# -- the broadcast composer -----------------------------------------------------------------


def _ask_text(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the message text."""
    if not ctx.can_receive(Kind.DOCUMENT):
        return Reply(ctx._("Type the message to send (at most {n} characters).", n=MAX_TEXT))
    return Reply(ctx._("Type the message to send (at most {n} characters). You can add a "
                       "photo or a file in the next step.", n=MAX_TEXT))


def _accept_text(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the text, asks for an attachment."""
    text = answer.text.strip()
    if len(text) < 5 or len(text) > MAX_TEXT:
        return Retry(ctx._("The message must be 5 to {n} characters long.", n=MAX_TEXT),
                     ctx._("The ward opens a free sewing course on 1/12. Sign up with /khoahoc."))
    data["text"] = text
    return Next("attach")


def _ask_attach(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks for an optional photo or file."""
    if not ctx.can_receive(Kind.DOCUMENT):  # (Zalo's photos arrive as a link, not the picture)
        text = ctx._("Press “No attachment” to go on: this chat cannot receive photos or files.")
        return Reply(text, (Choice(ctx._("No attachment"), "bcd:noatt"),))
    return Reply(ctx._("Add a photo or a file? Send it now, or press “No attachment”."),
                 (Choice(ctx._("No attachment"), "bcd:noatt"),))


async def _accept_attach(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the photo or file once (the outbox rows refer to it), asks the audience."""
    if answer.choice == "bcd:noatt":
        data["media_id"], data["media_kind"] = None, None
        return Next("audience")
    if answer.kind not in (Kind.PHOTO, Kind.DOCUMENT):
        if not ctx.can_receive(Kind.DOCUMENT):
            return Retry(ctx._("Press “No attachment” to go on."))
        return Retry(ctx._("Please send a photo or a file, or press “No attachment”."))
    raw = answer.payload.get("data")
    if not raw:
        return Retry(ctx._("I could not read that file (at most 5 MB). Please send it again."))
    if answer.kind == Kind.PHOTO:
        media_id = await outbox.store_media(ctx.session, now=ctx.now, image=bytes(raw))
    else:
        document = Document(bytes(raw), answer.payload.get("file_name") or "file",
                            answer.payload.get("mime_type") or "application/octet-stream")
        media_id = await outbox.store_media(ctx.session, now=ctx.now, document=document)
    data["media_id"] = media_id
    data["media_kind"] = "image" if answer.kind == Kind.PHOTO else "document"
    return Next("audience")


def _ask_audience(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks who should receive it."""
    choices = [Choice(ctx._("Subscribers: {topic}", topic=ctx._(label)), f"bcd:a:{topic}")
               for topic, label in TOPIC_LABELS.items()]
    choices.append(Choice(ctx._("👮 Ward officers"), "bcd:a:officers"))
    return Reply(ctx._("Who should receive it?"), tuple(choices))


def _accept_audience(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the audience; officers skip the ward and category questions."""
    value = (answer.choice or "").removeprefix("bcd:a:")
    if value == "officers":
        data["audience"] = repo.Audience(officers=True).to_json()
        return Next("when")
    if value not in repo.TOPICS:
        return Retry(ctx._("Please press one of the buttons."))
    data["audience"] = repo.Audience(topic=value).to_json()
    data.setdefault("wards", [])
    return Next("wards")


def _ask_wards(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks which wards (tick any; none ticked means every ward)."""
    chosen = set(data.get("wards", []))
    text = ctx._("Which wards? Press to tick, then “Done”. With none ticked, it goes to every "
                 "ward.")
    choices = [Choice(_tick(ctx, name in chosen, name), f"bcd:w:{i}")
               for i, name in enumerate(ward_names(ctx))]
    choices.append(Choice(ctx._("➡️ Done"), "bcd:w:done"))
    return Reply(text, tuple(choices))


def _accept_wards(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Toggles a ward (asks again) or goes on to the category."""
    choice = answer.choice or ""
    if choice == "bcd:w:done":
        wards = ", ".join(data.get("wards", [])) or ctx._("every ward")
        return Next("category", [Reply(ctx._("Wards: {wards}.", wards=wards))])
    ward = picked_ward(ctx, answer, "bcd:w:")
    if ward is None:
        return Retry(ctx._("Please press a ward to tick it, then “Done”."))
    chosen = set(data.get("wards", [])) ^ {ward}
    data["wards"] = [name for name in ward_names(ctx) if name in chosen]
    return Next("wards")


_CATEGORY_CHOICES = {
    "all": N_("All subscribed households"),
    "poor": N_("Poor households"),
    "near_poor": N_("Near-poor households"),
    "both": N_("Poor and near-poor households"),
}


def _ask_category_filter(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks which households (by the category they told us)."""
    text = ctx._("Which households? Poor and near-poor means those who said so when they "
                 "subscribed.")
    return Reply(text, tuple(Choice(ctx._(label), f"bcd:c:{key}")
                             for key, label in _CATEGORY_CHOICES.items()))


def _accept_category_filter(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Completes the audience, asks when."""
    key = (answer.choice or "").removeprefix("bcd:c:")
    if key not in AUDIENCE_CATEGORIES:
        return Retry(ctx._("Please press one of the buttons."))
    audience = repo.Audience.from_json(data["audience"])
    data["audience"] = repo.Audience(topic=audience.topic, wards=tuple(data.get("wards", [])),
                                     categories=AUDIENCE_CATEGORIES[key]).to_json()
    return Next("when")


def _ask_when(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: now or at a chosen time?"""
    return Reply(ctx._("When should it go out?"), (
        Choice(ctx._("🚀 Now"), "bcd:now"), Choice(ctx._("🕒 At a chosen time"), "bcd:later")))


def _accept_when(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Now goes to the preview; later asks the time."""
    if answer.choice == "bcd:now":
        data["at"] = None
        return Next("preview")
    if answer.choice == "bcd:later":
        return Next("time")
    return Retry(ctx._("Please press one of the buttons."))


MAX_WHEN_CHARS = 40
MAX_WHEN_WORDS = 6


def parse_when(text: str, now_local: datetime) -> datetime | None:
    """"28/11 8h", "8:30 28/11/2026", "mai 8h", "14h" (today) → an aware local datetime.

    A date and a time take a few words: longer answers are not tried (each split of the words
    is parsed, so the work would grow with the square of the length)."""
    words = text.strip().split()
    if len(text) > MAX_WHEN_CHARS or len(words) > MAX_WHEN_WORDS:
        return None
    for cut in range(1, len(words)):
        for day_part, time_part in ((words[:cut], words[cut:]), (words[cut:], words[:cut])):
            day = parse_date(" ".join(day_part), now_local.date())
            at = parse_time(" ".join(time_part))
            if day is not None and at is not None:
                return datetime.combine(day, at, tzinfo=now_local.tzinfo)
    at = parse_time(text)
    if at is not None:
        return datetime.combine(now_local.date(), at, tzinfo=now_local.tzinfo)
    return None


def _ask_time(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks the local date and time."""
    return Reply(ctx._("Type the date and time to send it, for example: 28/11 8:00 or "
                       "“mai 8h”."))


def _accept_time(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the time (UTC) if it is in the future, shows the preview."""
    local = parse_when(answer.text, ctx.local_now)
    if local is None:
        return Retry(ctx._("I could not read that date and time."), "28/11 8:00")
    if local <= ctx.local_now:
        return Retry(ctx._("That time has already passed. Please type a later time."),
                     ctx._("tomorrow 8h"))
    data["at"] = local.astimezone(UTC).isoformat()
    return Next("preview")


def _scheduled_at(ctx: Ctx, data: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(data["at"]) if data.get("at") else ctx.now


def audience_line(ctx: Ctx, audience: repo.Audience) -> str:
    """The audience in words: "Subscribers: 💼 Jobs · phường Đông Hải · Poor households"."""
    if audience.officers:
        return ctx._("👮 Ward officers")
    parts = [ctx._("Subscribers: {topic}", topic=ctx._(TOPIC_LABELS[audience.topic or "jobs"]))]
    parts.append(", ".join(audience.wards) if audience.wards else ctx._("all wards"))
    key = next(k for k, v in AUDIENCE_CATEGORIES.items() if v == tuple(audience.categories))
    parts.append(ctx._(_CATEGORY_CHOICES[key]))
    return " · ".join(parts)


async def _ask_preview(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Shows the message, the audience, the exact number of recipients and when; asks to send."""
    audience = repo.Audience.from_json(data["audience"])
    reach = await repo.reach(ctx.session, audience)
    data_line = {"image": ctx._("📎 With a photo"), "document": ctx._("📎 With a file")}
    when = ctx._("now") if not data.get("at") else format_datetime(
        _scheduled_at(ctx, data), ctx.settings.timezone)
    lines = [ctx._("Preview:"), "———", data["text"], "———"]
    if data.get("media_kind"):
        lines.append(data_line[data["media_kind"]])
    lines.append(ctx._("To: {audience}", audience=audience_line(ctx, audience)))
    lines.append(ctx.ngettext("Recipients: exactly {n} person.",
                              "Recipients: exactly {n} people.", reach.recipients))
    if reach.blocked:
        lines.append(ctx.ngettext("({n} more blocked the bot and will be skipped.)",
                                  "({n} more blocked the bot and will be skipped.)",
                                  reach.blocked))
    lines.append(ctx._("When: {when}", when=when))
    choices = []
    if reach.recipients:
        label = ctx._("✅ Send now") if not data.get("at") else ctx._("✅ Schedule")
        choices.append(Choice(label, "bcd:send"))
    else:
        lines.append(ctx._("Nobody is in this audience yet. Change the audience or cancel."))
    choices += [Choice(ctx._("✏️ Change the text"), "bcd:e:text"),
                Choice(ctx._("✏️ Change the audience"), "bcd:e:aud"),
                Choice(ctx._("✏️ Change the time"), "bcd:e:when")]
    return Reply("\n".join(lines), tuple(choices))


async def _accept_preview(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Creates the broadcast (starting it when it is for now), or goes back to change a part."""
    edits = {"bcd:e:aud": "audience", "bcd:e:when": "when"}
    if answer.choice == "bcd:e:text":
        return Edit("text", "preview")
    if answer.choice in edits:
        return Next(edits[answer.choice])
    if answer.choice != "bcd:send":
        return Retry(ctx._("Please press one of the buttons."))
    audience = repo.Audience.from_json(data["audience"])
    broadcast = await repo.create_broadcast(
        ctx.session, sender=ctx.user, text=data["text"], media_id=data.get("media_id"),
        audience=audience, scheduled_at=_scheduled_at(ctx, data), now=ctx.now)
    await users_repo.audit(ctx.session, ctx.user, "create", "broadcast", broadcast.id, ctx.now,
                           after={"audience": audience.to_json(), "at": data.get("at"),
                                  "media": data.get("media_id")})
    if data.get("at"):
        when = format_datetime(broadcast.scheduled_at, ctx.settings.timezone)
        return Done(menu=ctx._("Broadcast #{id} is scheduled for {when}. To cancel it: "
                               "/huythongbao", id=broadcast.id, when=when))
    count = await repo.start(ctx.session, broadcast, ctx.now)
    ctx.services.wake_delivery()
    return Done(menu=ctx.ngettext(
        "Broadcast #{id} is being sent to {n} person. I will report progress here. To cancel "
        "it: /huythongbao",
        "Broadcast #{id} is being sent to {n} people. I will report progress here. To cancel "
        "it: /huythongbao", count, id=broadcast.id))


COMPOSE = Dialog(
    loose=True, name="broadcast",
    title=N_("New broadcast"),
    steps=[
        Step("text", _ask_text, _accept_text),
        Step("attach", _ask_attach, _accept_attach,
             accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.PHOTO, Kind.DOCUMENT})),
        Step("audience", _ask_audience, _accept_audience),
        Step("wards", _ask_wards, _accept_wards, multi=True),
        Step("category", _ask_category_filter, _accept_category_filter),
        Step("when", _ask_when, _accept_when),
        Step("time", _ask_time, _accept_time, numeric=True),
        Step("preview", _ask_preview, _accept_preview),
    ],
    roles=ADMINS,
)


STOP_WORDS = frozenset({"dung", "stop", "ngung", "dung nhan", "ngung nhan", "huy theo doi",
                        "dung nhan tin", "dung gui"})


def is_stop(text: str) -> bool:
    return fold(text).strip(" .!") in STOP_WORDS
