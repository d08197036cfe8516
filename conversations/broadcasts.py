"""The labour office's broadcast composer (/thongbao, admins): text → attachment (photo, file or
none) → audience (a topic's subscribers, or the ward officers) → wards (tick, none = all) →
household category → now or a local time → preview with the exact number of recipients → send
or schedule. Who subscribes, and to what, is `conversations.subscriptions`.

```mermaid
flowchart LR
    subgraph broadcast
    broadcast__text[text] --> broadcast__attach[attach]
    broadcast__attach[attach] --> broadcast__audience[audience]
    broadcast__audience[audience] --> broadcast__wards[wards]
    broadcast__audience[audience] -->|officers| broadcast__when[when]
    broadcast__wards[wards] --> broadcast__category[category]
    broadcast__category[category] --> broadcast__when[when]
    broadcast__when[when] --> broadcast__preview[preview]
    broadcast__when[when] -->|later| broadcast__time[time]
    broadcast__time[time] --> broadcast__preview[preview]
    broadcast__preview[preview] -->|text| broadcast__text[text]
    broadcast__preview[preview] -->|audience| broadcast__audience[audience]
    broadcast__preview[preview] -->|when| broadcast__when[when]
    end
```
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from conversations.answers import ward_by_text, ward_names
from conversations.context import Ctx
from conversations.engine import Answer, Dialog, Done, Edit, Next, Outcome, Retry, Step
from conversations.payloads import Payload, payload
from conversations.subscriptions import TOPIC_LABELS, tick
from db import broadcasts as repo
from db import outbox
from db import users as users_repo
from domain.formatting import format_datetime, parse_date, parse_time
from domain.i18n import N_
from domain.messages import Choice, Document, Kind, Reply
from domain.roles import ADMINS

AUDIENCE_CATEGORIES = {
    "all": (),
    "poor": ("poor",),
    "near_poor": ("near_poor",),
    "both": ("poor", "near_poor"),
}
MAX_TEXT = 1000  # fits a photo's caption (1024 on Telegram)


@payload("bcd")
class ComposeButton(Payload):
    """No attachment; send now or at a chosen time; send (or schedule) from the preview."""

    pick: Literal["noatt", "now", "later", "send"]


@payload("bcd.a")
class AudienceButton(Payload):
    """A topic's subscribers (db.broadcasts.TOPICS), or the ward officers."""

    audience: Literal["jobs", "courses", "policies", "officers"]


@payload("bcd.w")
class WardTick(Payload):
    """A ward to tick or untick, by its place in `ward_names`, or "done"."""

    pick: Literal["at", "done"]
    n: int = 0


@payload("bcd.c")
class CategoryButton(Payload):
    """Which households: a key of AUDIENCE_CATEGORIES."""

    key: Literal["all", "poor", "near_poor", "both"]


@payload("bcd.e")
class ChangeButton(Payload):
    """From the preview: change the text, the audience or the time."""

    part: Literal["text", "audience", "when"]


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
    return Next()


def _ask_attach(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks for an optional photo or file."""
    if not ctx.can_receive(Kind.DOCUMENT):  # (Zalo's photos arrive as a link, not the picture)
        text = ctx._("Press “No attachment” to go on: this chat cannot receive photos or files.")
        return Reply(text, (Choice(ctx._("No attachment"), ComposeButton("noatt").pack()),))
    return Reply(ctx._("Add a photo or a file? Send it now, or press “No attachment”."),
                 (Choice(ctx._("No attachment"), ComposeButton("noatt").pack()),))


async def _accept_attach(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the photo or file once (the outbox rows refer to it), asks the audience."""
    pressed = ComposeButton.unpack(answer.choice)
    if pressed is not None and pressed.pick == "noatt":
        data["media_id"], data["media_kind"] = None, None
        return Next()
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
    return Next()


def _ask_audience(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks who should receive it."""
    choices = [Choice(ctx._("Subscribers: {topic}", topic=ctx._(label)),
                      AudienceButton(topic).pack()) for topic, label in TOPIC_LABELS.items()]
    choices.append(Choice(ctx._("👮 Ward officers"), AudienceButton("officers").pack()))
    return Reply(ctx._("Who should receive it?"), tuple(choices))


def _accept_audience(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Stores the audience; officers skip the ward and category questions."""
    pressed = AudienceButton.unpack(answer.choice)
    if pressed is None:
        return Retry(ctx._("Please press one of the buttons."))
    if pressed.audience == "officers":
        data["audience"] = repo.Audience(officers=True).to_json()
        return Next("officers")
    data["audience"] = repo.Audience(topic=pressed.audience).to_json()
    data.setdefault("wards", [])
    return Next()


def _ask_wards(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks which wards (tick any; none ticked means every ward)."""
    chosen = set(data.get("wards", []))
    text = ctx._("Which wards? Press to tick, then “Done”. With none ticked, it goes to every "
                 "ward.")
    choices = [Choice(tick(ctx, name in chosen, name), WardTick("at", i).pack())
               for i, name in enumerate(ward_names(ctx))]
    choices.append(Choice(ctx._("➡️ Done"), WardTick("done").pack()))
    return Reply(text, tuple(choices))


def _accept_wards(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Toggles a ward (asks again) or goes on to the category."""
    pressed = WardTick.unpack(answer.choice)
    if pressed is not None and pressed.pick == "done":
        wards = ", ".join(data.get("wards", [])) or ctx._("every ward")
        return Next(None, [Reply(ctx._("Wards: {wards}.", wards=wards))])
    names = ward_names(ctx)
    if pressed is not None:
        ward = names[pressed.n] if pressed.n < len(names) else None
    else:
        ward = ward_by_text(ctx, answer.text)
    if ward is None:
        return Retry(ctx._("Please press a ward to tick it, then “Done”."))
    chosen = set(data.get("wards", [])) ^ {ward}
    data["wards"] = [name for name in names if name in chosen]
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
    return Reply(text, tuple(Choice(ctx._(label), CategoryButton(key).pack())
                             for key, label in _CATEGORY_CHOICES.items()))


def _accept_category_filter(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Completes the audience, asks when."""
    pressed = CategoryButton.unpack(answer.choice)
    if pressed is None:
        return Retry(ctx._("Please press one of the buttons."))
    audience = repo.Audience.from_json(data["audience"])
    data["audience"] = repo.Audience(topic=audience.topic, wards=tuple(data.get("wards", [])),
                                     categories=AUDIENCE_CATEGORIES[pressed.key]).to_json()
    return Next()


def _ask_when(ctx: Ctx, data: dict[str, Any]) -> Reply:
    """Asks: now or at a chosen time?"""
    return Reply(ctx._("When should it go out?"), (
        Choice(ctx._("🚀 Now"), ComposeButton("now").pack()),
        Choice(ctx._("🕒 At a chosen time"), ComposeButton("later").pack())))


def _accept_when(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Now goes to the preview; later asks the time."""
    pressed = ComposeButton.unpack(answer.choice)
    if pressed is not None and pressed.pick == "now":
        data["at"] = None
        return Next()
    if pressed is not None and pressed.pick == "later":
        return Next("later")
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
    return Next()


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
        choices.append(Choice(label, ComposeButton("send").pack()))
    else:
        lines.append(ctx._("Nobody is in this audience yet. Change the audience or cancel."))
    choices += [Choice(ctx._("✏️ Change the text"), ChangeButton("text").pack()),
                Choice(ctx._("✏️ Change the audience"), ChangeButton("audience").pack()),
                Choice(ctx._("✏️ Change the time"), ChangeButton("when").pack())]
    return Reply("\n".join(lines), tuple(choices))


async def _accept_preview(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
    """Creates the broadcast (starting it when it is for now), or goes back to change a part."""
    change = ChangeButton.unpack(answer.choice)
    if change is not None and change.part == "text":
        return Edit("text", "preview")
    if change is not None:
        return Next(change.part)
    pressed = ComposeButton.unpack(answer.choice)
    if pressed is None or pressed.pick != "send":
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
    name="broadcast",
    title=N_("New broadcast"),
    steps=[
        Step("text", _ask_text, _accept_text),
        Step("attach", _ask_attach, _accept_attach,
             accepts=frozenset({Kind.TEXT, Kind.CHOICE, Kind.PHOTO, Kind.DOCUMENT})),
        Step("audience", _ask_audience, _accept_audience, next={"": "wards", "officers": "when"}),
        Step("wards", _ask_wards, _accept_wards, multi=True),
        Step("category", _ask_category_filter, _accept_category_filter),
        Step("when", _ask_when, _accept_when, next={"": "preview", "later": "time"}),
        Step("time", _ask_time, _accept_time, numeric=True),
        # "text" is an Edit: the text step comes back to the preview
        Step("preview", _ask_preview, _accept_preview,
             next={"text": "text", "audience": "audience", "when": "when"}),
    ],
    roles=ADMINS,
)

