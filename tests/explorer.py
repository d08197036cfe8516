"""The dialog explorer: walks every registered dialog as a new user would, and reports where the
conversation breaks.

For each dialog and each rendering — numbered lists as Zalo and the console show them (the user
types a number or a label), and buttons as Telegram shows them (the user presses them) — it walks
the dialog breadth-first from its first question. At every question it reached it tries each
listed option by its number and by its label typed without diacritics, "quay lại", "0", /huy,
/menu followed by a free question, and a sticker and a photo where text is expected; typed
answers from a small pool of what people type (a name, a phone number, a year …) move the walk
on. Every try starts from the same saved dialog state (the state row is put back between tries),
so one try never changes what the next one sees.

Invariants checked at every question:
- every listed option can be chosen by its number (typing it does what pressing it does);
- no reply is empty;
- no question is asked again more than 3 times in a row for an option the question listed;
- "quay lại" (and "0" where 0 is not an answer) goes back and says so;
- /huy always ends in the main menu, with no dialog left;
- after /menu, a free question gets the answer it gets outside any dialog, not the question.

`EXPLORE_FULL=1` (or `make explore`) walks wider: more questions per dialog and every typed
answer of the pool at every question.
"""

from __future__ import annotations

import copy
import os
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.channels import RECEIVES
from conversations.engine import BACK, CANCEL
from conversations.render import numbered_text
from db import courses as course_repo
from db import users as user_repo
from db.models import DialogState, User
from db.officers.households import add_household
from db.officers.roster import create_invite
from domain.folding import fold_plain
from domain.messages import Incoming, Kind, Reply

FULL = os.environ.get("EXPLORE_FULL") == "1"
# questions walked per dialog: the numbered rendering is where typed numbers can go wrong
MAX_STATES = {"numbered": 400 if FULL else 5, "buttons": 400 if FULL else 2}
MAX_OPTIONS = 100 if FULL else 4  # options tried per question
LABELS_TRIED = 1  # options tried by their typed label per question (bounded walk)
ROTATING = 5  # the bounded walk tries one of 5 rarer probes at each question
MAX_REASKS = 3
# What people type at a question that wants typing, tried in this order.
TYPED_POOL = (
    "Nguyễn Văn An", "0912345678", "4", "1990", "2025", "HGD009", "12 Lê Lợi, khu phố 3",
    "4500000", "15/12/2026", "08:00", "Phan Rang", "May công nghiệp", "xong",
)
FREE_QUESTION = "bhyt"
# What a question says when it asks for something a channel may not be able to send.
CANNOT_OFFER = {
    Kind.CONTACT: ("chia sẻ số",),
    Kind.LOCATION: ("nút 📍",),
    Kind.DOCUMENT: ("tệp CSV", "ảnh hoặc tệp", ".csv hoặc .xlsx"),
    Kind.PHOTO: ("gửi ảnh", "kèm ảnh"),
}
NUMBERED_LINE = re.compile(r"^(\d{1,3})\. (.+)$")
MENU_PREFIX = "menu:"


@dataclass(frozen=True)
class Finding:
    dialog: str
    rendering: str
    step: str | None
    rule: str
    tried: str
    detail: str

    def __str__(self) -> str:
        return (f"[{self.rendering}] {self.dialog}.{self.step}: {self.rule} — "
                f"tried {self.tried!r}: {self.detail}")


@dataclass
class Snapshot:
    dialog: str | None
    step: str | None
    data: dict[str, Any]
    stack: list[Any]
    offered: list[Any]
    replies: list[Reply]


@dataclass
class Result:
    replies: list[Reply]
    state: Snapshot


@dataclass(frozen=True)
class Entry:
    """How a person of `role` reaches the dialog's first question: typed text or a pressed
    button ("press:<payload>", where `{course}`, `{household}`, `{officer}` are filled in)."""

    role: str
    inputs: tuple[str, ...]
    needs: Kind | None = None  # where the channel cannot receive it, the dialog says so and ends


ENTRIES: dict[str, Entry] = {
    "assessment": Entry("citizen", ("/tudanhgia",)),
    "subscribe": Entry("citizen", ("/theodoi",)),
    "broadcast": Entry("admin", ("/thongbao",)),
    "course_new": Entry("admin", ("/khoahocmoi",)),
    "course_edit": Entry("admin", ("press:kq:edit:{course}",)),
    "course_signup": Entry("citizen", ("press:kh:join:{course}",)),
    "job_new": Entry("admin", ("/vieclammoi",)),
    "job_seeker": Entry("citizen", ("/timviec",)),
    "erase": Entry("citizen", ("/xoadulieu",)),
    "off_invite": Entry("admin", ("/moicanbo",)),
    "off_household": Entry("officer", ("/themho",)),
    "off_visit": Entry("officer", ("press:off:vs:{household}",)),
    "off_category": Entry("officer", ("press:off:cat:{household}",)),
    "off_import": Entry("officer", ("/nhapho",), needs=Kind.DOCUMENT),
    "off_revoke": Entry("admin", ("press:off:rv:{officer}",)),
    "set_targets": Entry("admin", ("/chitieu",)),
}

RENDERINGS = {"numbered": "zalo", "buttons": "telegram"}
ADMIN = "ex-admin"


def admin_ids() -> str:
    return ",".join(f"{channel}:{ADMIN}" for channel in RENDERINGS.values())


class Explorer:
    """One app, one rendering; `explore(name)` walks one dialog and returns what broke."""

    def __init__(self, app: App, rendering: str) -> None:
        self.app = app
        self.rendering = rendering
        self.channel = RENDERINGS[rendering]
        self.ids: dict[str, int] = {}
        self.findings: list[Finding] = []
        self.sent = 0
        self._n = 0
        self._reference: list[str] | None = None

    # --- the world every dialog needs ---------------------------------------------------------

    async def prepare(self) -> None:
        """An admin, an officer of phường Phan Rang with one household, a second officer to
        revoke, and one open course."""
        core = self.app.core
        assert core is not None
        now = core.services.clock()
        async with core.sessions() as session, session.begin():
            codes = []
            for _ in range(2):
                invite = await create_invite(
                    session, ["phường Phan Rang"], None, now, 7)
                codes.append(invite.code)
            course = await course_repo.add_course(session, dict(
                code="MAY-EX", title="May công nghiệp", trade="May", level="duoi_3_thang",
                starts_on="2026-12-07", ends_on="2027-02-26", schedule="Thứ 2-6, 7:30-11:00",
                place="Nhà văn hóa khu phố 3", ward="phường Phan Rang", capacity=20,
                deadline="2026-12-05", audience="Lao động hộ nghèo", support="Học phí",
                support_source="QĐ 46/2015/QĐ-TTg", contact="Phòng LĐ-TB&XH", status="open",
            ), None, now)
            self.ids["course"] = course.id
            household = await add_household(session, dict(
                ward="phường Phan Rang", code="HGD001", head_name="Nguyễn Văn Bình",
                address="12 Lê Lợi", phone=None, members=4, category="poor",
                category_year=2025, notes=None, officer_user_id=None,
            ), None, now)
            self.ids["household"] = household.id
        await self.send("ex-officer", f"/canbo {codes[0]}")
        await self.send("ex-officer2", f"/canbo {codes[1]}")
        async with core.sessions() as session:
            self.ids["officer"] = (await session.execute(select(User.id).where(
                User.channel == self.channel, User.external_id == "ex-officer2"))).scalar_one()
        await self.send(ADMIN, "/start")
        self._reference = _texts(await self.send("ex-idle", FREE_QUESTION))

    def user_for(self, dialog: str) -> str:
        role = ENTRIES[dialog].role
        return {"admin": ADMIN, "officer": "ex-officer"}.get(role, f"ex-{dialog}")

    # --- sending ---------------------------------------------------------------------------

    async def send(self, user: str, text: str) -> list[Reply]:
        if text.startswith("press:"):
            return await self.deliver(user, Kind.CHOICE, choice=text.removeprefix("press:"))
        return await self.deliver(user, Kind.TEXT, text=text)

    async def deliver(self, user: str, kind: Kind, text: str = "", choice: str | None = None,
                      payload: dict[str, Any] | None = None) -> list[Reply]:
        core = self.app.core
        assert core is not None
        self._n += 1
        self.sent += 1
        event = Incoming(self.channel, user, user, kind, text, choice=choice,
                         payload=payload or {}, update_id=f"ex{self._n}")
        return await core.handle(event)

    # --- the saved state, taken and put back ----------------------------------------------------

    async def snapshot(self, user: str, replies: list[Reply]) -> Snapshot:
        core = self.app.core
        assert core is not None
        async with core.sessions() as session:
            row = (await session.execute(select(DialogState).join(User).where(
                User.channel == self.channel, User.external_id == user))).scalar_one_or_none()
        if row is None:
            return Snapshot(None, None, {}, [], [], replies)
        return Snapshot(row.dialog, row.step, copy.deepcopy(row.data), copy.deepcopy(row.stack),
                        copy.deepcopy(row.offered), replies)

    async def restore(self, user: str, snap: Snapshot) -> None:
        core = self.app.core
        assert core is not None
        now = core.services.clock()
        async with core.sessions() as session, session.begin():
            found = await user_repo.get_or_create_user(
                session, self.channel, user, user, "admin" if user == ADMIN else "citizen", now)
            state = await user_repo.load_state(session, found[0], now)
            state.dialog, state.step = snap.dialog, snap.step
            state.data, state.stack = copy.deepcopy(snap.data), copy.deepcopy(snap.stack)
            state.offered, state.updated_at = copy.deepcopy(snap.offered), now

    async def attempt(self, user: str, snap: Snapshot, *inputs: str) -> Result:
        await self.restore(user, snap)
        replies: list[Reply] = []
        for typed in inputs:
            replies = await self.send(user, typed)
        return Result(replies, await self.snapshot(user, replies))

    async def attempt_kind(self, user: str, snap: Snapshot, kind: Kind) -> Result:
        await self.restore(user, snap)
        payload = {"file_id": "ex-photo", "file_name": None, "data": b"\x89PNG"}
        replies = await self.deliver(user, kind, payload=payload if kind == Kind.PHOTO else None)
        return Result(replies, await self.snapshot(user, replies))

    # --- the walk --------------------------------------------------------------------------

    async def explore(self, dialog: str) -> list[Finding]:
        user = self.user_for(dialog)
        await self.send(user, "/huy")
        replies: list[Reply] = []
        for typed in ENTRIES[dialog].inputs:
            replies = await self.send(user, typed.format(**self.ids))
        start = await self.snapshot(user, replies)
        found: list[Finding] = []
        entry = ENTRIES[dialog]
        if entry.needs is not None and entry.needs not in RECEIVES[self.channel]:
            if start.dialog is not None or not _shows_menu(replies):
                found.append(Finding(dialog, self.rendering, None, "offers what it cannot",
                                     entry.inputs[0], "began although the channel cannot "
                                     f"receive {entry.needs.value}: {_texts(replies)[:1]}"))
            self.findings += found
            return found
        if start.dialog != dialog:
            found.append(Finding(dialog, self.rendering, None, "entry",
                                 " → ".join(ENTRIES[dialog].inputs),
                                 f"did not start the dialog: {_texts(replies)[:1]}"))
            return found
        seen = {self._key(start)}
        steps_seen = {start.step}
        queue: deque[Snapshot] = deque([start])
        walked = 0
        while queue and walked < MAX_STATES[self.rendering]:
            snap = queue.popleft()
            for child in await self._probe(dialog, user, snap, found, walked):
                if child.dialog == dialog and self._key(child) not in seen:
                    seen.add(self._key(child))
                    # a question not reached before goes first: the walk gets deep fast
                    if child.step not in steps_seen:
                        queue.appendleft(child)
                    else:
                        queue.append(child)
                    steps_seen.add(child.step)
            walked += 1
        await self.send(user, "/huy")
        self.findings += found
        return found

    def _key(self, snap: Snapshot) -> tuple[Any, ...]:
        """A question is new when its step (and, in the full walk, its buttons) is new."""
        if FULL:
            return (snap.dialog, snap.step, tuple(p for _, p in snap.offered))
        return (snap.dialog, snap.step)

    async def _probe(self, dialog: str, user: str, snap: Snapshot,
                     found: list[Finding], index: int) -> list[Snapshot]:
        children: list[Snapshot] = []

        def report(rule: str, tried: str, detail: str) -> None:
            found.append(Finding(dialog, self.rendering, snap.step, rule, tried, detail))

        options = self.listed_options(snap)[:MAX_OPTIONS]
        for position, (number, label, payload) in enumerate(options):
            pressed = await self.attempt(user, snap, f"press:{payload}")
            self._check_reply(pressed, f"press {label}", report)
            children.append(pressed.state)
            if self.rendering != "numbered":
                continue
            typed = await self.attempt(user, snap, str(number))
            self._check_reply(typed, str(number), report)
            if not _same_outcome(pressed, typed) and await self._conclusive(user, snap, pressed,
                                                                            f"press:{payload}"):
                report("option by number", str(number),
                       f"typing {number} (shown next to {label!r}) did not do what pressing "
                       f"it does: {_texts(typed.replies)[:1]}")
            plain = fold_plain(label)
            if plain and not plain.isdigit() and (FULL or position < LABELS_TRIED):
                by_label = await self.attempt(user, snap, plain)
                if not _same_outcome(pressed, by_label) and await self._conclusive(
                        user, snap, pressed, f"press:{payload}"):
                    report("option by label", plain,
                           f"typing the label did not choose it: {_texts(by_label.replies)[:1]}")
        if options:
            await self._check_reasks(user, snap, options, report)
        await self._probe_navigation(dialog, user, snap, report, index)
        if children and not FULL and any(c.step != snap.step for c in children):
            return children
        for typed in TYPED_POOL:
            result = await self.attempt(user, snap, typed)
            self._check_reply(result, typed, report)
            if result.state.dialog == dialog and result.state.step != snap.step:
                children.append(result.state)
                if not FULL:
                    break
        return children

    async def _conclusive(self, user: str, snap: Snapshot, pressed: Result, press: str) -> bool:
        """Pressing again still does what it did: the difference was the typing, not a record
        the first try saved (a household code now taken, say)."""
        again = await self.attempt(user, snap, press)
        return _same_outcome(pressed, again)

    async def _probe_navigation(self, dialog: str, user: str, snap: Snapshot, report,  # type: ignore[no-untyped-def]
                                index: int) -> None:
        core = self.app.core
        assert core is not None
        step = core.registry.dialogs[dialog].step(snap.step) if snap.step else None

        def now(probe: int) -> bool:  # the bounded walk tries one of the rarer probes per question
            return FULL or index % ROTATING == probe
        # /huy: the main menu, nothing left
        cancelled = await self.attempt(user, snap, "/huy")
        if cancelled.state.dialog is not None or not _shows_menu(cancelled.replies):
            report("/huy ends in the menu", "/huy", f"got {_texts(cancelled.replies)[:1]}")
        # back, typed
        backs = ["quay lại"]
        if step is not None and not step.zero_is_answer and now(0):
            backs.append("0")
        for typed in backs:
            went = await self.attempt(user, snap, typed)
            self._check_reply(went, typed, report)
            if snap.stack:
                previous = snap.stack[-1][0]
                if went.state.step != previous:
                    report("back", typed, f"did not go back to {previous!r} "
                           f"(now at {went.state.step!r}): {_texts(went.replies)[:1]}")
                elif not any("quay lại câu trước" in t.lower() for t in _texts(went.replies)):
                    report("back says so", typed, "went back without saying so: "
                           f"{_texts(went.replies)[:1]}")
        if step is not None and step.zero_is_answer:  # always: few steps, and a known fault
            helped = await self.attempt(user, snap, "/trogiup")
            if any(re.search(r"\b0\b[^.]*quay lại|gõ 0", t.lower()) for t in
                   _texts(helped.replies)):
                report("help at a zero step", "/trogiup",
                       "says 0 goes back where 0 is an answer")
        # /menu, then a free question: the router answers, not the paused question
        asked = await self.attempt(user, snap, "/menu", FREE_QUESTION) if now(1) else None
        if asked is not None:
            self._check_reply(asked, f"/menu, {FREE_QUESTION}", report)
        if asked is not None and self._reference and _texts(asked.replies)[:1] != self._reference[:1]:
            report("free question after /menu", f"/menu → {FREE_QUESTION}",
                   f"got {_texts(asked.replies)[:1]} instead of {self._reference[:1]}")
        # a clear question inside the dialog: an answer or a hint, never only the question
        if now(2):
            inside = await self.attempt(user, snap, FREE_QUESTION)
            texts = " ".join(_texts(inside.replies))
            stayed = _same_place(snap, inside.state) is not None
            if stayed and "/menu" not in texts and (self._reference or [""])[0] not in texts:
                report("a question inside the dialog", FREE_QUESTION,
                       f"only the question again: {_texts(inside.replies)[:1]}")
        # a sticker or a photo where text is expected
        for probe, kind in enumerate((Kind.UNSUPPORTED, Kind.PHOTO), 3):
            if (step is not None and kind in step.accepts) or not now(probe):
                continue
            sent = await self.attempt_kind(user, snap, kind)
            self._check_reply(sent, kind.value, report)
            if sent.state.step != snap.step or sent.state.dialog != snap.dialog:
                report("other input keeps the place", kind.value,
                       f"moved to {sent.state.dialog}.{sent.state.step}")

    async def _check_reasks(self, user: str, snap: Snapshot,
                            options: list[tuple[int, str, str]], report) -> None:  # type: ignore[no-untyped-def]
        """Choosing the listed options one after another must not bring the same question
        back more than MAX_REASKS times in a row."""
        await self.restore(user, snap)
        tried = []
        for turn in range(MAX_REASKS + 1):
            _number, label, payload = options[turn % len(options)]
            replies = await self.send(user, f"press:{payload}")
            tried.append(label)
            if _same_place(snap, await self.snapshot(user, replies)) is None:
                return
        report("re-asked", " → ".join(tried),
               f"the question came back {MAX_REASKS + 1} times in a row: {_texts(replies)[:1]}")

    def _check_reply(self, result: Result, tried: str, report) -> None:  # type: ignore[no-untyped-def]
        for kind, phrases in CANNOT_OFFER.items():
            if kind in RECEIVES[self.channel]:
                continue
            said = next((p for r in result.replies for p in phrases if p in r.text), None)
            if said is not None:
                report("offers what the channel cannot", tried,
                       f"says {said!r} on {self.channel}, which cannot receive {kind.value}")
        if not result.replies or not any(
            r.text.strip() or r.choices or r.image or r.document for r in result.replies
        ):
            report("no empty reply", tried, "the bot said nothing")

    def listed_options(self, snap: Snapshot) -> list[tuple[int, str, str]]:
        """(number as shown, label, payload) of the options the person can choose; on the
        numbered rendering the numbers are read from the rendered text itself."""
        reply = next((r for r in reversed(snap.replies) if r.choices), None)
        if reply is None:
            return []
        by_label = {c.label: c.payload for c in reply.choices}
        options = []
        if self.rendering == "numbered":
            for line in numbered_text(Reply("", reply.choices)).splitlines():
                match = NUMBERED_LINE.match(line)
                if match and match.group(2) in by_label:
                    options.append((int(match.group(1)), match.group(2), by_label[match.group(2)]))
        else:
            options = [(i, c.label, c.payload) for i, c in enumerate(reply.choices, 1)]
        return [(n, label, p) for n, label, p in options if p not in (BACK, CANCEL)]


def _same_place(before: Snapshot, after: Snapshot) -> Snapshot | None:
    """`after` when nothing moved (same dialog, step, answers and buttons), else None."""
    same = (before.dialog, before.step, before.data, before.offered) == (
        after.dialog, after.step, after.data, after.offered)
    return after if same else None


def _same_outcome(a: Result, b: Result) -> bool:
    return (a.state.dialog, a.state.step, a.state.data) == (
        b.state.dialog, b.state.step, b.state.data)


def _own(offered: Iterable[Any]) -> list[Any]:
    return [p for _, p in offered if p not in (BACK, CANCEL)]


def _texts(replies: list[Reply]) -> list[str]:
    return [r.text for r in replies]


def _shows_menu(replies: list[Reply]) -> bool:
    return bool(replies) and any(c.payload.startswith(MENU_PREFIX) for c in replies[-1].choices)


@dataclass
class Summary:
    findings: list[Finding] = field(default_factory=list)
    sent: int = 0
    dialogs: int = 0
