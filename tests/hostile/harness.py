"""Drive hostile events through the real core, from every dialog step, and check what a user
would notice: nothing raises, every answer is non-empty Vietnamese, no apology for a fault, no
unescaped HTML for Telegram's HTML parse mode, every button payload one the core takes back.

Used by tests/hostile/test_fuzz.py (a bounded sample in the suite) and by `make fuzz`
(HOSTILE_EVENTS=100000). Hypothesis draws the events; one app (a real SQLite file) serves a
whole run, so state carries over between examples as it would in production.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import time
from dataclasses import dataclass, field

from hypothesis import strategies as st

from bot.telegram import MAX_TEXT, html_chunks
from conversations.payloads import well_formed
from domain.messages import Incoming, Kind, Reply
from tests.hostile.strategies import hostile_texts, mutate, mutation, payloads
from tests.support import Chat, Clock, open_app

VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)
APOLOGY = "trục trặc"
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot);)")

# How each dialog starts from outside: who, and what they type. Dialogs started by a button
# (course sign-up, editing a course, changing a household's list, revoking an officer) are
# reached through the payload strategy (kh:join:…, kq:edit:…, off:cat:…, off:rv:…).
STARTERS: tuple[tuple[str, str], ...] = (
    ("citizen", "/tudanhgia"), ("citizen", "/xoadulieu"), ("citizen", "/timviec"),
    ("citizen", "/theodoi"), ("citizen", "/khoahoc"), ("citizen", "/chinhsach"),
    ("citizen", "/menu"), ("citizen", "/vieclam"), ("citizen", "/dulieucuatoi"),
    ("officer", "/themho"), ("officer", "/thamho"), ("officer", "/nhapho"),
    ("officer", "/ho"), ("officer", "/nhacviec"), ("officer", "/hangdoi"),
    ("officer", "/menu"),
    ("admin", "/khoahocmoi"), ("admin", "/moicanbo"), ("admin", "/vieclammoi"),
    ("admin", "/thongbao"), ("admin", "/dscanbo"), ("admin", "/huythongbao"),
    ("admin", "/themho"), ("admin", "/menu"),
)
ROLES = {"citizen": "fz-citizen", "officer": "fz-officer", "admin": "fz-admin"}
COMMANDS = ("huy", "menu", "start", "trogiup", "toi", "canbo", "ho", "vieclam", "khoahoc")


@dataclass
class Failures:
    """What broke, with the event that broke it (kept short for the report)."""

    items: list[str] = field(default_factory=list)
    events: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    slowest_event: str = ""
    by_kind: dict[str, float] = field(default_factory=dict)

    def add(self, what: str, event: Incoming) -> None:
        if len(self.items) < 50:
            self.items.append(f"{what}: {event.kind} text={event.text[:60]!r} "
                              f"choice={event.choice!r}")
            if os.environ.get("HOSTILE_PROGRESS"):  # `make fuzz`: show each at once
                print("  FAILURE", self.items[-1][:600], flush=True)


class ErrorLog(logging.Handler):
    """Counts ERROR records of the bot's loggers (a fault the core caught and apologised for)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("giamngheo"):
            self.records.append(record.getMessage()[:400])


def check(replies: list[Reply], event: Incoming, failures: Failures) -> None:
    """The invariants a user would notice, for one answer."""
    if not replies:
        failures.add("no answer", event)
        return
    text = "\n".join(r.text for r in replies)
    if not VIETNAMESE.search(text):
        failures.add("answer not Vietnamese", event)
    if APOLOGY in text:
        failures.add("apology for a fault", event)
    for reply in replies:
        if not (reply.text.strip() or reply.image or reply.document):
            failures.add("empty message", event)
        for chunk in html_chunks(reply.text):
            if "<" in chunk or ">" in chunk or _ENTITY.search(chunk) or len(chunk) > MAX_TEXT:
                failures.add("unescaped HTML or over-long message for Telegram", event)
        for choice in reply.choices:
            if not well_formed(choice.payload) or not choice.label.strip():
                failures.add(f"bad button {choice.payload!r}", event)


class Fuzzer:
    """One app, three people (a household, a ward officer, an admin), events from Hypothesis."""

    def __init__(self, loop: asyncio.AbstractEventLoop, database_url: str) -> None:
        self.loop = loop
        self.clock = Clock()
        self.app = loop.run_until_complete(open_app(
            database_url, self.clock, admin_ids=f"web:{ROLES['admin']}", flood_burst=0))
        self.failures = Failures()
        self.progress = int(os.environ.get("HOSTILE_PROGRESS", "0"))  # print every N events
        self.errors = ErrorLog()
        logging.getLogger().addHandler(self.errors)
        self._ids = itertools.count(1)
        self.replies: dict[str, list[Reply]] = {}
        loop.run_until_complete(self._make_officer())

    async def _make_officer(self) -> None:
        admin = Chat(self.app, user=ROLES["admin"])
        await admin.send("/moicanbo")
        await admin.press(admin.labels[0])
        await admin.press("Xong")
        await admin.press("Tạo mã")
        code = re.search(r"/canbo ([A-Z0-9]{8})", admin.text)
        assert code is not None, admin.text
        await Chat(self.app, user=ROLES["officer"]).send(f"/canbo {code.group(1)}")
        await admin.send("/huy")

    def close(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        self.loop.run_until_complete(self.app.close())

    def send(self, user: str, kind: Kind, *, text: str = "", choice: str | None = None,
             command: str | None = None, payload: dict | None = None) -> None:
        event = Incoming("web", user, user, kind, text, command=command, choice=choice,
                         payload=payload or {}, update_id=f"fz{next(self._ids)}")
        assert self.app.core is not None
        before = len(self.errors.records)
        started = time.perf_counter()
        try:
            replies = self.loop.run_until_complete(self.app.core.handle(event))
        except Exception as exc:  # noqa: BLE001 - the invariant under test
            self.failures.add(f"raised {type(exc).__name__}", event)
            replies = []
        took = time.perf_counter() - started
        self.failures.events += 1
        self.failures.seconds += took
        key = (choice or "").rsplit(":", 1)[0] if choice else f"{kind}:{command or text[:1]}"
        self.failures.by_kind[key] = self.failures.by_kind.get(key, 0.0) + took
        if took > self.failures.slowest:
            self.failures.slowest = took
            self.failures.slowest_event = f"{kind} {text[:40]!r} {choice!r} {command!r}"
        if len(self.errors.records) > before:
            self.failures.add(f"logged error {self.errors.records[-1][:200]!r}", event)
        check(replies, event, self.failures)
        if self.progress and self.failures.events % self.progress == 0:
            print(f"  {self.failures.events} events, {self.failures.seconds:.0f} s in the core, "
                  f"{len(self.failures.items)} failures", flush=True)
        if replies:
            self.replies[user] = replies
        self.clock.advance(seconds=7)

    def offered(self, user: str) -> list[str]:
        return [c.payload for r in self.replies.get(user, []) for c in r.choices]

    def run_example(self, plan: tuple[tuple[str, str], list[tuple]]) -> None:
        """Start a dialog as one of the three people, then send the planned events."""
        (role, starter), actions = plan
        user = ROLES[role]
        self.send(user, Kind.TEXT, text=starter)
        for action in actions:
            self._one(user, action)

    def _one(self, user: str, action: tuple) -> None:
        offered = self.offered(user)
        name, *args = action
        if name == "press" and offered:
            self.send(user, Kind.CHOICE, choice=offered[args[0] % len(offered)])
        elif name == "mutate" and offered:
            self.send(user, Kind.CHOICE, choice=mutate(offered[args[0] % len(offered)], args[1]))
        elif name == "payload":
            self.send(user, Kind.CHOICE, choice=args[0])
        elif name == "command":
            self.send(user, Kind.COMMAND, command=args[0], text=args[1])
        elif name == "other":
            self.send(user, args[0], payload=args[1])
        else:  # "text", or a press with no buttons shown
            self.send(user, Kind.TEXT, text=args[0] if name == "text" else "1")


def plans(steps: int) -> st.SearchStrategy[tuple[tuple[str, str], list[tuple]]]:
    """A dialog start and `steps` events, drawn independently of what the bot answers."""
    index = st.integers(0, 10_000)
    action = st.one_of(
        st.tuples(st.just("text"), hostile_texts()),
        st.tuples(st.just("press"), index), st.tuples(st.just("press"), index),
        st.tuples(st.just("mutate"), index, mutation()),
        st.tuples(st.just("payload"), payloads()),
        st.tuples(st.just("command"), st.sampled_from(COMMANDS), hostile_texts()),
        st.sampled_from((Kind.PHOTO, Kind.LOCATION, Kind.CONTACT, Kind.DOCUMENT,
                         Kind.UNSUPPORTED)).flatmap(
            lambda kind: st.tuples(st.just("other"), st.just(kind), odd_payloads(kind))),
    )
    return st.tuples(st.sampled_from(STARTERS), st.lists(action, min_size=steps,
                                                           max_size=steps))


def odd_payloads(kind: Kind) -> st.SearchStrategy[dict]:
    """Shared locations, contacts and files with odd contents."""
    if kind == Kind.LOCATION:
        number = st.floats(allow_nan=True, allow_infinity=True)
        return st.fixed_dictionaries({"latitude": number, "longitude": number})
    if kind == Kind.CONTACT:
        return st.fixed_dictionaries({"phone": hostile_texts()})
    if kind in (Kind.PHOTO, Kind.DOCUMENT):
        blob = st.sampled_from((b"", b"\x00" * 10, b"PK\x03\x04junk", b"a,b\n1,2\n",
                                b"ho_ten,so_dien_thoai\n=cmd|' /C calc'!A0,0912345678\n"))
        name = st.one_of(st.none(), st.sampled_from(("x.csv", "x.xlsx", "x.txt", "x")),
                         hostile_texts().map(lambda t: t[:200]))
        return st.fixed_dictionaries({"file_id": st.text(max_size=64), "file_name": name,
                                      "data": blob})
    return st.just({})
