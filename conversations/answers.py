"""Reading the answers several dialogs ask for in the same way: a person's full name, a mobile
number (typed, or shared with the channel's contact button), and a ward (a button or its name
typed, an old ward name leading to the ward it is in now, said with its confidence). The name
and phone readers return the value or a `Retry` that says what is wrong and gives an example,
so every dialog re-asks alike. `former_commune_question` asks "nơi bạn ở trước đây là xã …?"
for a ward that holds a former rural commune, so the rural income line is never dropped
silently."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from conversations import paging
from conversations.engine import Answer, Links, Next, Outcome, Retry, Step
from conversations.payloads import Payload, payload
from domain.localities import Match, Unit, find_unit, normalise_name, office_for
from domain.messages import Choice, Kind, Reply
from domain.text import parse_phone

if TYPE_CHECKING:
    from conversations.context import Ctx

T = TypeVar("T")


def storing(
    key: str, read: Callable[[Ctx, Answer], T | Retry]
) -> Callable[[Ctx, dict[str, Any], Answer], Outcome]:
    """A step's `accept` that reads the answer with `read` (e.g. `mobile_phone`), keeps it
    under `key` and goes on along the step's link (`Step(next=…)`, the next row by default);
    an unusable answer is asked again."""

    def accept(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
        value = read(ctx, answer)
        if isinstance(value, Retry):
            return value
        data[key] = value
        return Next()

    accept.__doc__ = f"Stores `{key}` read by {read.__name__}."
    return accept


def full_name(ctx: Ctx, answer: Answer) -> str | Retry:
    """2 to 100 characters with at least one letter, spaces tidied."""
    name = " ".join(answer.text.split())
    if not 2 <= len(name) <= 100 or not any(ch.isalpha() for ch in name):
        return Retry(ctx._("Please type a full name."), "Nguyễn Văn An")
    return name


def mobile_phone(ctx: Ctx, answer: Answer) -> str | Retry:
    """A Vietnamese mobile number, normalised to 0xxxxxxxxx."""
    raw = str(answer.payload.get("phone", "")) if answer.kind == Kind.CONTACT else answer.text
    phone = parse_phone(raw)
    if phone is None:
        return Retry(ctx._("That does not look like a Vietnamese mobile number."), "0912345678")
    return phone


def phone_question(ctx: Ctx, with_button: str, typed: str) -> Reply:
    """The phone question: mentioning the share button only where the channel has one."""
    if ctx.can_receive(Kind.CONTACT):
        return Reply(with_button, request="phone")
    return Reply(typed)


def no_files_here(ctx: Ctx) -> str:
    """Where a file can be sent instead, for a channel that cannot receive one (Zalo)."""
    return ctx._("This chat cannot receive files. Send the file on Telegram or in the web chat, "
                 "or ask the labour office to import it (giamngheo admin import).")


def ward_names(ctx: Ctx) -> list[str]:
    """The current wards' full names ("phường Đông Hải"), in the data file's order."""
    return [unit.full_name for unit in current_units(ctx)]


def ward_by_text(ctx: Ctx, text: str) -> str | None:
    """The current ward a typed name means (an old ward name leads to the ward it is in now)."""
    localities = ctx.services.content.get("localities")
    match = find_unit(localities, text) if localities else None
    return match.current_unit.full_name if match and match.current_unit else None


def labour_office_name(ctx: Ctx) -> str:
    """The labour office's display name from wards.yaml (a role; the locality names it)."""
    localities = ctx.services.content.get("localities")
    return localities.labour_office.display_name if localities else ctx._("the labour office")


def office_text(ctx: Ctx, ward: str | None) -> str:
    """Where a household of `ward` is sent: the ward office from wards.yaml, with its address
    and phone only where the data has them from a source; an unknown ward is "UBND
    phường/xã nơi bạn ở". Never an abolished office: the data names only current ones."""
    localities = ctx.services.content.get("localities")
    if localities is None:
        return ctx._("the ward office (UBND phường/xã) where you live")
    office = office_for(localities, ward)
    name = office.name or ctx._("the ward office (UBND phường/xã) where you live")
    details = [d for d in (office.address, office.phone) if d]
    if details:
        return ", ".join([name, *details])
    return ctx._("{name} (address and phone: ask at UBND phường/xã)", name=name)


def ward_mapping_note(ctx: Ctx, match: Match | None) -> str | None:
    """"phường Tấn Tài nay thuộc phường Phan Rang" when an old name was typed, with "(theo đề án
    sáp nhập, chưa xác nhận)" where wards.yaml does not confirm the mapping; None otherwise."""
    if match is None or match.current_unit is None or not match.renamed:
        return None
    names = {"old": match.unit.full_name, "new": match.current_unit.full_name}
    if match.confirmed:
        return ctx._("{old} is now part of {new}.", **names)
    return ctx._("{old} is now part of {new} (according to the merger plan; not confirmed).",
                 **names)


def former_commune_question(ctx: Ctx, communes: tuple[Unit, ...], prefix: str) -> Reply:
    """Asks whether the household lives in the part of the ward that was a rural commune (xã),
    with buttons `<prefix>yes`, `<prefix>no`, `<prefix>unknown`."""
    names = ", ".join(unit.full_name for unit in communes)
    return Reply(
        ctx._("Was the place where you live a commune (xã) before: {names}?", names=names),
        (
            Choice(ctx._("Yes, it was {names}", names=names), f"{prefix}yes"),
            Choice(ctx._("No"), f"{prefix}no"),
            Choice(ctx._("I don't know"), f"{prefix}unknown"),
        ),
    )




# --- the ward question, one step for every dialog that asks it -----------------------------------


@payload("wd")
class WardButton(Payload):
    """A button of the ward question: a ward by its place in the list, "none", or a page."""

    pick: Literal["at", "none", "page"]
    n: int = 0


def ward_step(
    name: str, question: Callable[[Ctx, dict[str, Any]], str], *,
    key: str = "ward", store: Callable[[Unit], str] = lambda unit: unit.full_name,
    label: Callable[[Unit], str] = lambda unit: unit.full_name,
    none: str | None = None, unknown: str | None = None,
    picked: Callable[[Ctx, dict[str, Any], Unit | None, Match | None], Outcome] | None = None,
    next: Links = None,
    offered: Callable[[Ctx, dict[str, Any]], Awaitable[Collection[str]]] | None = None,
) -> Step:
    """The ward question as one table row: the current wards as buttons (PAGE_SIZE a page, with
    the paging buttons), a typed name looked up (an old name leads to today's ward, said with
    its confidence), and `none` (a msgid, e.g. "Whole city / elsewhere") storing None.

    `store`: what is kept under `key` (the full name by default). `unknown`: the Retry reason
    for a name that is no ward (a msgid). `picked(ctx, data, unit, match)`: what comes next
    when the default (store it, follow the link) is not enough; `unit` is None for `none`,
    `match` is the typed lookup (None for a button). `offered(ctx, data)`: the names of the
    wards to offer, in that order, when not every current one (e.g. an officer's own wards, read
    when asked and again when answered); another ward, pressed or typed, gets `unknown`."""

    page_key = f"{key}_page"

    async def shown(ctx: Ctx, data: dict[str, Any]) -> dict[int, Unit]:
        """The wards offered, by their place in today's list (what their buttons carry)."""
        units = dict(enumerate(current_units(ctx)))
        if offered is None:
            return units
        by_name = {normalise_name(unit.name): (n, unit) for n, unit in units.items()}
        wanted = [normalise_name(name) for name in await offered(ctx, data)]
        return dict(by_name[name] for name in wanted if name in by_name)

    async def ask(ctx: Ctx, data: dict[str, Any]) -> Reply:
        units, page, pages = paging.page_of(list((await shown(ctx, data)).items()),
                                            data.get(page_key, 1))
        buttons = [Choice(label(unit), WardButton("at", n).pack()) for n, unit in units]
        buttons += paging.page_buttons(ctx, lambda n: WardButton("page", n).pack(), page, pages)
        if none is not None:
            buttons.append(Choice(ctx._(none), WardButton("none").pack()))
        return Reply(question(ctx, data), tuple(buttons))

    async def accept(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
        pressed = WardButton.unpack(answer.choice)
        units, match = await shown(ctx, data), None
        if pressed is not None and pressed.pick == "page":
            data[page_key] = pressed.n
            return Next(name)
        if pressed is not None and pressed.pick == "none" and none is not None:
            unit = None
        elif pressed is not None and pressed.pick == "at":
            if pressed.n not in units:  # the list changed while the person was answering
                return Retry(ctx._("That ward is no longer in my list. Please choose again."))
            unit = units[pressed.n]
        else:
            localities = ctx.services.content.get("localities")
            match = find_unit(localities, answer.text) if localities and answer.text else None
            if match is None or match.current_unit not in units.values():
                return Retry(ctx._(unknown) if unknown else
                             ctx._("I could not find that ward. Choose a button, or type its "
                                   "name."), [*units.values()][0].name if units else None)
            unit = match.current_unit
        data.pop(page_key, None)
        if picked is not None:
            return picked(ctx, data, unit, match)
        data[key] = store(unit) if unit is not None else None
        note = ward_mapping_note(ctx, match)
        return Next(None, [Reply(note)] if note else [])

    ask.__doc__ = f"Asks: the ward ({name})."
    return Step(name, ask, accept, next=next)


def current_units(ctx: Ctx) -> list[Unit]:
    """Today's wards and communes, in the data file's order."""
    localities = ctx.services.content.get("localities")
    return list(localities.current.units) if localities else []
