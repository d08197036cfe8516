"""The generic stepper: dialogs as state tables of named steps, run the same way on every channel.

A `Dialog` is an ordered table of `Step`s. Each step has `ask` ("asks Y": the question as a
Reply), `accept` ("does X": validates the answer, stores it in `data`, says how it went as an
`Outcome`) and its links (`next`): the step that follows, by default the next row, or a small
mapping from an answer to a step. `accept` returns `Next()` to follow the link, or `Next("key")`
to take one branch; a link to a step not in the table fails when the Dialog is built, and
`flowchart()` draws the table as the Mermaid sketch each dialog module opens with. The stepper
owns everything common to all dialogs: the back-stack, "quay lại"/0, re-asking with a reason and
an example, editing an answer from a review step and returning to it, who may use the dialog
(`Dialog.roles`), and the navigation buttons. Dialog state lives in the database row
`DialogState`, so a restart or another process continues where the user was.

Over 400 lines on purpose: the table (`Step`, `Dialog`, the outcomes) and the stepper that runs
it are one contract, read together when either changes.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from domain.messages import Choice, Incoming, Kind, Reply
from domain.roles import EVERYONE

if TYPE_CHECKING:
    from conversations.context import Ctx

BACK = "nav:back"
CANCEL = "nav:cancel"
RESUME = "nav:resume"
RESTART = "nav:restart"
RETURN_KEY = "__return_to"
PAUSED_KEY = "__paused"
# Shown as words ("quay lại", /huy) where choices are numbered, so a number is never them.
NAVIGATION = frozenset({BACK, CANCEL})


@dataclass(frozen=True, slots=True)
class Answer:
    """What the user gave at a step: the raw text, the pressed choice, or a shared item."""

    kind: Kind
    text: str = ""
    choice: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_event(cls, event: Incoming) -> Answer:
        return cls(event.kind, event.text.strip(), event.choice, dict(event.payload))


@dataclass(frozen=True, slots=True)
class Next:
    """Go on along the step's link (the current step is pushed on the back-stack), after
    `replies`. `to`: a key of the step's branch mapping, or one of the steps it links to (its own
    name: ask it again, e.g. after ticking an item); None: its default link."""

    to: str | None = None
    replies: Sequence[Reply] = ()


@dataclass(frozen=True, slots=True)
class Edit:
    """Go to `step` to change an answer, then come back to `return_to` instead of going on."""

    step: str
    return_to: str


@dataclass(frozen=True, slots=True)
class Retry:
    """The answer is not usable: say why, give an example, and ask the same step again."""

    reason: str
    example: str | None = None


@dataclass(frozen=True, slots=True)
class Done:
    """The dialog is over: clear the state and send `replies`, then the main menu when `menu`
    is set (a string: the text above the menu)."""

    replies: Sequence[Reply] = ()
    menu: bool | str = False


@dataclass(frozen=True, slots=True)
class Say:
    """Answer without moving (e.g. an explanation), then ask the same step again."""

    replies: Sequence[Reply] = ()


Outcome: TypeAlias = Next | Edit | Retry | Done | Say
Links: TypeAlias = str | Mapping[str, str] | None
AskFn = Callable[["Ctx", dict[str, Any]], "Reply | Sequence[Reply] | Awaitable[Any]"]
AcceptFn = Callable[["Ctx", dict[str, Any], Answer], "Outcome | Awaitable[Outcome]"]


@dataclass(frozen=True, slots=True)
class Step:
    """One row of a dialog's table.

    `numeric`: typed digits are this step's answer, not the number of a button.
    `zero_is_answer`: "0" is a real answer here (e.g. income), so only "quay lại" goes back.
    `help`: what /trogiup shows at this step (a msgid, translated when shown).
    `accepts`: the kinds of input this step takes; anything else gets a friendly line and the
    question again (e.g. a sticker where a number is expected).
    `multi`: the choices tick and untick (topics, wards); typed "1 3" or "việc làm, học nghề"
    ticks several at once.
    `next`: where `Next()` goes: a step name, a mapping from branch key to step name (its ""
    key, when there is one, is where `Next()` goes), or None for the following row.
    """

    name: str
    ask: AskFn
    accept: AcceptFn
    next: Links = None
    numeric: bool = False
    zero_is_answer: bool = False
    help: str | None = None
    accepts: frozenset[Kind] = frozenset({Kind.TEXT, Kind.CHOICE})
    multi: bool = False


@dataclass(frozen=True)
class Dialog:
    """A named state table; the first step is where it starts. `title` is a msgid."""

    name: str
    title: str
    steps: Sequence[Step]
    roles: frozenset[str] = EVERYONE
    on_start: Callable[[Ctx, dict[str, Any]], Awaitable[Outcome | None]] | None = None

    def __post_init__(self) -> None:
        names = [step.name for step in self.steps]
        if len(set(names)) != len(names) or not names:
            raise ValueError(f"dialog {self.name}: step names must be unique and non-empty")
        object.__setattr__(self, "_by_name", {step.name: step for step in self.steps})
        links = {}
        for row, step in enumerate(self.steps):
            following = names[row + 1] if row + 1 < len(names) else None
            if step.next is None:
                branches = {"": following} if following else {}
            elif isinstance(step.next, str):
                branches = {"": step.next}
            else:
                branches = dict(step.next)
            for key, target in branches.items():
                if target not in self._by_name:  # type: ignore[attr-defined]
                    raise ValueError(f"dialog {self.name}: step {step.name!r} links "
                                     f"{key or 'on'!r} to {target!r}, which is not a step")
            links[step.name] = branches
        object.__setattr__(self, "_links", links)

    def step(self, name: str) -> Step:
        try:
            return self._by_name[name]  # type: ignore[attr-defined,no-any-return]
        except KeyError:
            raise KeyError(f"dialog {self.name} has no step {name!r}") from None

    def links(self, step: str) -> Mapping[str, str]:
        """`step`'s links: branch key ("" for the default) → step name."""
        return self._links[step]  # type: ignore[attr-defined,no-any-return]

    def target(self, step: Step, to: str | None) -> str:
        """Where `Next(to)` at `step` goes; a link the table does not have is a bug, named."""
        links = self.links(step.name)
        if to is None:
            if "" in links:
                return links[""]
        elif to == step.name:
            return to
        elif to in links:
            return links[to]
        elif to in links.values():
            return to
        raise LookupError(f"dialog {self.name}: step {step.name!r} has no link {to!r} "
                          f"(its links: {dict(links)})")

    def flowchart(self) -> str:
        """The table as a Mermaid flowchart: one arrow per link, labelled with its branch key."""
        lines = [f"    subgraph {self.name}"]
        for step in self.steps:
            for key, target in self.links(step.name).items():
                label = f"|{key}|" if key else ""
                lines.append(f"    {self.name}__{step.name}[{step.name}] -->{label} "
                             f"{self.name}__{target}[{target}]")
            if not self.links(step.name):
                lines.append(f"    {self.name}__{step.name}[{step.name}]")
        lines.append("    end")
        return "\n".join(lines)

    @property
    def first(self) -> str:
        return self.steps[0].name


async def _resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _as_list(value: Reply | Sequence[Reply]) -> list[Reply]:
    return [value] if isinstance(value, Reply) else list(value)


MERGE_LIMIT = 1500  # a note and its question in one message, as long as it stays short


def _merged(notes: Sequence[Reply], replies: list[Reply]) -> list[Reply]:
    """Plain-text notes (a reason, "went back") go into the question's own message: one message
    instead of two, which reads better and keeps under Telegram's per-chat rate."""
    notes = list(notes)
    while (notes and replies and _plain(notes[-1]) and not replies[0].image
           and not replies[0].document
           and len(notes[-1].text) + len(replies[0].text) < MERGE_LIMIT):
        note, first = notes.pop(), replies[0]
        text = f"{note.text}\n\n{first.text}" if first.text else note.text
        replies[0] = Reply(text, first.choices, first.request, first.image, first.document,
                           first.typed_hint, first.forget_history)
    return [*notes, *replies]


def _plain(reply: Reply) -> bool:
    return not (reply.choices or reply.image or reply.document or reply.request)


class Stepper:
    """Runs dialogs against a user's `DialogState` (carried in `ctx.state`)."""

    def __init__(
        self, dialogs: dict[str, Dialog], menu: Callable[[Ctx, str | None], Reply],
        resume_offer: Callable[[Ctx], list[Reply]] | None = None,
    ) -> None:
        self.dialogs = dialogs
        self.menu = menu
        self.resume_offer = resume_offer

    def active(self, ctx: Ctx) -> Dialog | None:
        name = ctx.state.dialog
        return self.dialogs.get(name) if name else None

    def current_step(self, ctx: Ctx) -> Step | None:
        dialog = self.active(ctx)
        if dialog is None or ctx.state.step is None:
            return None
        try:
            return dialog.step(ctx.state.step)
        except KeyError:  # the dialog changed since the state was saved
            return None

    def paused(self, ctx: Ctx) -> bool:
        """The person left the dialog for the menu or another command: free text is not an
        answer to its question until they continue."""
        return bool(ctx.state.dialog) and bool(ctx.state.data.get(PAUSED_KEY))

    def pause(self, ctx: Ctx) -> None:
        if ctx.state.dialog and not self.paused(ctx):
            ctx.state.data = {**ctx.state.data, PAUSED_KEY: True}

    def unpause(self, ctx: Ctx) -> None:
        if PAUSED_KEY in ctx.state.data:
            ctx.state.data = {k: v for k, v in ctx.state.data.items() if k != PAUSED_KEY}

    async def resume(self, ctx: Ctx) -> list[Reply]:
        """Continue the paused dialog: its question again."""
        self.unpause(ctx)
        return await self.ask(ctx)

    async def start(
        self, ctx: Ctx, name: str, data: dict[str, Any] | None = None, *, fresh: bool = False
    ) -> list[Reply]:
        """Start dialog `name` from its first step, replacing any unfinished one.

        Asked for the dialog the person is already part-way through (its command or menu button
        again), they are offered to continue or start again instead (unless `fresh`)."""
        dialog = self.dialogs[name]
        if ctx.user.role not in dialog.roles:  # the dialog's table says who may use it
            return [self.menu(ctx, ctx._("Sorry, this is not open to you. Here is the menu."))]
        if (not fresh and not data and ctx.state.dialog == name and ctx.state.stack
                and self.resume_offer is not None):
            self.pause(ctx)
            return self.resume_offer(ctx)
        ctx.state.dialog, ctx.state.step = name, dialog.first
        ctx.state.data, ctx.state.stack = dict(data or {}), []
        if dialog.on_start is not None:
            outcome = await dialog.on_start(ctx, ctx.state.data)
            if outcome is not None:
                return await self._apply(ctx, dialog, dialog.step(dialog.first), outcome)
        return await self.ask(ctx)

    async def ask(self, ctx: Ctx, preface: Sequence[Reply] = ()) -> list[Reply]:
        """Ask the current step's question, with the navigation buttons added."""
        dialog, step = self.active(ctx), self.current_step(ctx)
        if dialog is None or step is None:
            self.clear(ctx)
            return list(preface)
        self.unpause(ctx)
        replies = _as_list(await _resolve(step.ask(ctx, ctx.state.data)))
        if replies:
            replies[-1] = self._with_navigation(ctx, step, replies[-1])
        return _merged(preface, replies)

    async def answer(
        self, ctx: Ctx, event: Incoming, *, fallback: Incoming | None = None,
        aside: Callable[[Ctx, str], Awaitable[Reply | None]] | None = None,
    ) -> list[Reply]:
        """Feed the user's input to the current step.

        `fallback`: on a numeric step, typed digits are tried as the answer first and, when the
        step cannot use them, as the listed choice of that number ("1" next to "No phone").
        `aside`: for typed text the step cannot use, a note for a question that is clearly not
        an answer ("bhyt" at a yes/no question), shown with the question again."""
        dialog, step = self.active(ctx), self.current_step(ctx)
        if dialog is None or step is None:
            self.clear(ctx)
            return []
        if ctx.user.role not in dialog.roles:  # the role changed since the dialog started
            return self._no_longer_allowed(ctx)
        if event.choice == BACK:
            return await self.back(ctx)
        if event.kind not in step.accepts:
            note = ctx._("Sorry, I can't use that here. Please answer the question below.")
            return await self.ask(ctx, [Reply(note)])
        # The step works on a copy: the saved state changes only by assignment (which the ORM
        # sees), and the back-stack keeps the answers as they were when the step was asked.
        before = ctx.state.data
        data = copy.deepcopy(before)
        outcome = await _resolve(step.accept(ctx, data, Answer.from_event(event)))
        if isinstance(outcome, Retry) and fallback is not None:
            data = copy.deepcopy(before)
            outcome = await _resolve(step.accept(ctx, data, Answer.from_event(fallback)))
        if isinstance(outcome, Retry | Say):
            if isinstance(outcome, Retry) and aside is not None and event.kind == Kind.TEXT:
                note = await aside(ctx, event.text)
                if note is not None:
                    reason = self._reason(ctx, outcome)
                    return await self.ask(ctx, [Reply(f"{note.text}\n{reason}")])
            return await self._apply(ctx, dialog, step, outcome)
        ctx.state.data = data
        return await self._apply(ctx, dialog, step, outcome, before)

    async def answer_many(self, ctx: Ctx, events: Sequence[Incoming]) -> list[Reply]:
        """Several choices at once at a `multi` step ("1 3"): each ticks in turn, then the
        question (or what comes after "Done") once."""
        dialog, step = self.active(ctx), self.current_step(ctx)
        if dialog is None or step is None or not events:
            return await self.answer(ctx, events[0]) if events else []
        if ctx.user.role not in dialog.roles:
            return self._no_longer_allowed(ctx)
        before = ctx.state.data
        data = copy.deepcopy(before)
        outcome: Outcome = Retry("")
        for event in events:
            outcome = await _resolve(step.accept(ctx, data, Answer.from_event(event)))
            if not (isinstance(outcome, Next) and outcome.to == step.name):
                break
        if isinstance(outcome, Retry | Say):
            return await self._apply(ctx, dialog, step, outcome)
        ctx.state.data = data
        return await self._apply(ctx, dialog, step, outcome, before)

    async def back(self, ctx: Ctx) -> list[Reply]:
        """Return to the previous step with the answers as they were there, and say so."""
        if not ctx.state.stack:
            note = Reply(ctx._("This is the first question. To stop, press Cancel or type /huy."))
            return await self.ask(ctx, [note])
        stack = list(ctx.state.stack)
        step, data = stack.pop()
        ctx.state.stack, ctx.state.step, ctx.state.data = stack, step, data
        return await self.ask(ctx, [Reply(ctx._("↩️ Back to the previous question:"))])

    def _no_longer_allowed(self, ctx: Ctx) -> list[Reply]:
        self.clear(ctx)
        note = ctx._("You no longer have access to this. Here is the menu.")
        return [self.menu(ctx, note)]

    def clear(self, ctx: Ctx) -> None:
        ctx.state.dialog = ctx.state.step = None
        ctx.state.data, ctx.state.stack = {}, []

    async def _apply(
        self, ctx: Ctx, dialog: Dialog, step: Step, outcome: Outcome,
        before: dict[str, Any] | None = None,
    ) -> list[Reply]:
        state = ctx.state
        if isinstance(outcome, Retry):
            return await self.ask(ctx, [Reply(self._reason(ctx, outcome))])
        if isinstance(outcome, Say):
            return await self.ask(ctx, outcome.replies)
        if isinstance(outcome, Done):
            self.clear(ctx)
            if outcome.menu is False:
                return list(outcome.replies)
            text = outcome.menu if isinstance(outcome.menu, str) else None
            return [*outcome.replies, self.menu(ctx, text)]
        if isinstance(outcome, Edit):
            dialog.step(outcome.step)
            self._push(ctx, before)
            state.data = {**state.data, RETURN_KEY: outcome.return_to}
            state.step = outcome.step
            return await self.ask(ctx)
        target = dialog.target(step, outcome.to)
        if RETURN_KEY in state.data and target != state.data[RETURN_KEY]:
            target = state.data[RETURN_KEY]
        if not (step.multi and target == state.step):  # ticking an item is not a new question
            self._push(ctx, before)
        if target == state.data.get(RETURN_KEY):
            state.data = {k: v for k, v in state.data.items() if k != RETURN_KEY}
        state.step = target
        return await self.ask(ctx, outcome.replies)

    @staticmethod
    def _reason(ctx: Ctx, outcome: Retry) -> str:
        text = outcome.reason
        if outcome.example:
            text += "\n" + ctx._("For example: {example}", example=outcome.example)
        return text

    def _push(self, ctx: Ctx, before: dict[str, Any] | None) -> None:
        data = ctx.state.data if before is None else before
        entry = [ctx.state.step, copy.deepcopy(data)]
        ctx.state.stack = [*ctx.state.stack, entry]

    def _with_navigation(self, ctx: Ctx, step: Step, reply: Reply) -> Reply:
        """Back and Cancel under the question; at a question that takes a number and also
        lists choices, what a typed number means."""
        nav = []
        if ctx.state.stack:
            nav.append(Choice(ctx._("⬅️ Back"), BACK))
        nav.append(Choice(ctx._("✖️ Cancel"), CANCEL))
        hint = reply.typed_hint
        if step.numeric and reply.choices and hint is None:
            hint = ctx._("Type your answer, or 1 to choose the item above.") if len(
                reply.choices) == 1 else ctx._("Type your answer, or a number from 1 to {n} to "
                                               "choose an item above.", n=len(reply.choices))
        return Reply(reply.text, (*reply.choices, *nav), reply.request, reply.image,
                     reply.document, hint, reply.forget_history)
