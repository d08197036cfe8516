"""A record's fields as one table, and everything a dialog needs about them generated from it.

A record (a course sign-up, a job notice, a job-seeker profile, a household) is a tuple of
`Field`s, each declared once: its key (the key in the dialog's data, the attribute of the stored
row and the database column: one name for all three), its label (the edit menu's button and
the review's "Label: value"), its question, how an answer is read (a reader returning the value
or a `Retry`, or the buttons of its `choices`), how a value reads, and its lines in the review,
in the export and in /dulieucuatoi. From the table a `Record` makes:

- `steps()`: one dialog `Step` per field, in table order, each linked to the next row;
- `fix_step()`: the edit menu ("Sửa": which answer to change, then back to the review), with
  the fields that are `editable`, in table order;
- `lines()`: the review's summary lines, a list's bare values, the personal-data fragments;
- `headers()` / `cells()`: the export's columns; `values()`: what to store, by column.

What a row can say beyond the plain case, for the records that need it (the household uses
each of these):

- a field kept out of the edit menu (what the other answers were checked against):
  `editable=False`; a blank value shown as nothing, its line kept: `blank=""`;
- a line that shows several fields: its template names them by key ("Code: {code} — {ward}"
  on the code, `summary=None` on the ward); the names are checked when the Record is built;
- a value that reads with what only the caller has (the localities, for a ward's full name):
  `show_with(translator, value, env)`, given the `env` passed to `lines()` / `cells()`;
- a check against the other answers or the database (a code not yet on the ward's list):
  `check(ctx, data, value)` → a `Retry` or None, and `read` or `check` may be async;
- options of the moment (this year and last): `choices` a function of ctx; an option whose
  value is a number carries the number itself and is read as if it were typed, so a button
  offered yesterday still means what it said.

So a new question is one `Field` row (with its column, a migration and the catalog's
Vietnamese); nothing else names it:

    REGISTRATION = Record("kr", __name__, (
        Field("full_name", N_("Name"), N_("What is the full name …?"), read=answers.full_name),
        Field("birth_year", N_("Year of birth"), ask_birth_year, read=birth_year,
              numeric=True, personal=N_("born {value}")),
        Field("household", N_("Household"), N_("Which group is your household in?"),
              choices=HOUSEHOLD_NAMES),
    ))

Buttons: each record has its payload kind (`prefix`): "<prefix>:set:<field>:<n>" (the n-th of
field number `field`'s options), "<prefix>:num:<field>:<number>" (an option that is a number),
"<prefix>:skip:<field>", "<prefix>:fix:<field>" (the edit menu) and "<prefix>:page:0:<n>" (its
pages). A button of another record or of another field is no answer to this question.
"""

from __future__ import annotations

import inspect
import string
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from conversations import paging
from conversations.engine import Answer, Edit, Next, Outcome, Retry, Step
from conversations.payloads import MAX_ID, Payload, payload
from domain.i18n import N_, Translator
from domain.messages import Choice, Kind, Reply

if TYPE_CHECKING:
    from conversations.context import Ctx

Ask = Callable[["Ctx", dict[str, Any]], "str | Reply"]
Read = Callable[["Ctx", Answer], Any]
Check = Callable[["Ctx", dict[str, Any], Any], "Retry | None | Awaitable[Retry | None]"]
Choices = Mapping[Any, str] | Callable[["Ctx"], Mapping[Any, str]]
TEXT_OR_CHOICE = frozenset({Kind.TEXT, Kind.CHOICE})
LABELLED = "{label}: {value}"  # the review's line unless a field says otherwise
Views = Literal["summary", "personal", "value"]


@dataclass(frozen=True)
class Field:
    """One field of a record. Only `key`, `label` and the question are needed; the rest says
    what differs from the plain case (a typed answer kept as it reads, shown "Label: value").

    `ask`: the question, a msgid or a function (ctx, data) → its text, or a whole `Reply` (then
    no buttons are added). `read`: (ctx, answer) → the value, or a `Retry` (or an awaitable of
    either); a field with `choices` (key → msgid, or a function ctx → that mapping) offers them
    as buttons and keeps the key. `check`: (ctx, data, value) → a `Retry` when the value read
    cannot be kept after all (it clashes with another answer, or with the database), else None;
    it may be async. `skip`: a button's msgid that keeps None. `show`: (translator, value) →
    how a value reads (dates, money); `show_with`: the same with the caller's `env` as a third
    argument. `get`: row → the value shown, where that is not the attribute `key` (two
    columns, say). `blank`: what None reads as (a msgid; "": nothing, the line kept; None: the
    line is left out). `summary` and `personal`: the field's line in the review and in
    /dulieucuatoi, msgids with {value}, {label} and any field's key; None leaves it out.
    `column`: the export's header (a msgid; by default the label). `step`: a ready-made step to
    ask it (e.g. `answers.ward_step`), named `key`. `asked`: False for a field the dialog does
    not ask (set elsewhere, only shown and stored). `editable`: False keeps it out of the edit
    menu (e.g. what the other answers were checked against). `numeric`, `accepts`, `help`: as
    on `Step`.
    """

    key: str
    label: str
    ask: str | Ask = ""
    _: KW_ONLY
    read: Read | None = None
    choices: Choices | None = None
    check: Check | None = None
    skip: str | None = None
    show: Callable[[Translator, Any], str] | None = None
    show_with: Callable[[Translator, Any, Any], str] | None = None
    get: Callable[[Any], Any] | None = None
    blank: str | None = "—"
    summary: str | None = LABELLED
    personal: str | None = "{value}"
    column: str | None = None
    step: Step | None = None
    asked: bool = True
    editable: bool = True
    numeric: bool = False
    accepts: frozenset[Kind] = TEXT_OR_CHOICE
    help: str | None = None

    def question(self, ctx: Ctx, data: dict[str, Any]) -> str | Reply:
        """The question: its text (the record adds the buttons), or a Reply as it is."""
        return self.ask(ctx, data) if callable(self.ask) else ctx._(self.ask)

    def options(self, ctx: Ctx) -> list[tuple[Any, str]]:
        """The answers offered as buttons: (the value kept, the label shown)."""
        choices = self.choices(ctx) if callable(self.choices) else self.choices
        return [(key, ctx._(label)) for key, label in (choices or {}).items()]

    def labels(self) -> Mapping[Any, str]:
        """The fixed options' msgids by value (none for options of the moment)."""
        return self.choices if isinstance(self.choices, Mapping) else {}

    def value_in(self, row: Any) -> Any:
        """The field's value in a row: the dialog's data, a stored row, any object."""
        return self.get(row) if self.get else value_of(row, self.key)

    def text(self, t: Translator, value: Any, env: Any = None) -> str | None:
        """A value as a person reads it; None: nothing to show."""
        if value is None or value == "":
            if self.blank is None:
                return None
            return t.gettext(self.blank) if self.blank else ""
        if self.show_with is not None:
            return self.show_with(t, value, env)
        if self.show is not None:
            return self.show(t, value)
        labels = self.labels()
        if labels and value in labels:
            return t.gettext(labels[value])
        return str(value)

    def cell(self, t: Translator, value: Any, env: Any = None) -> Any:
        """A value in the export: numbers as numbers, choices by their label, None empty."""
        if value is None or value == "":
            return ""
        labels = self.labels()
        if self.show is not None or self.show_with is not None or (labels and value in labels):
            return self.text(t, value, env)
        return value


def value_of(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)


class RecordButton(Payload):
    """What the buttons of a record's generated steps carry (one payload kind per record)."""

    act: Literal["set", "num", "skip", "fix", "page"]
    field: int
    n: int


_BUTTONS: dict[str, type[RecordButton]] = {}


def _buttons(prefix: str) -> type[RecordButton]:
    """The payload kind of the record with `prefix` (a copy of a record shares its kind)."""
    if prefix not in _BUTTONS:
        @payload(prefix)
        class Button(RecordButton):
            act: Literal["set", "num", "skip", "fix", "page"]
            field: int = 0
            n: int = 0

        _BUTTONS[prefix] = Button
    return _BUTTONS[prefix]


@dataclass(frozen=True)
class Record:
    """A record's field table. `prefix`: its buttons' payload prefix. `module`: where the
    record is declared (`__name__`): its generated steps are drawn in that module's sketch.
    `press`: what a question with buttons says to a typed answer it cannot use (a msgid)."""

    prefix: str
    module: str
    fields: Sequence[Field]
    press: str = N_("Please choose one of the buttons.")

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError(f"record {self.prefix}: field keys must be unique: {keys}")
        for f in self.fields:
            if f.step is not None and f.step.name != f.key:
                raise ValueError(f"record {self.prefix}: the step of {f.key!r} is named "
                                 f"{f.step.name!r}")
            for template in (f.summary, f.personal):
                named = {name for _, name, _, _ in string.Formatter().parse(template or "")
                         if name}
                if named - {"label", "value", *keys}:
                    raise ValueError(f"record {self.prefix}: the line {template!r} of {f.key!r} "
                                     f"names no field: {sorted(named - {'label', 'value'})}")
        _buttons(self.prefix)  # defined now, with the module, like every payload kind

    @property
    def kind(self) -> type[RecordButton]:
        return _buttons(self.prefix)

    # --- the dialog ------------------------------------------------------------------------------

    def steps(self, then: str | None = None) -> list[Step]:
        """A step per asked field, in table order, each going on to the next row; the last one
        to `then` when given (else to the row after it in the dialog's table)."""
        asked = [f for f in self.fields if f.asked]
        steps = [self._step(f) for f in asked]
        if steps and then is not None:
            steps[-1] = replace(steps[-1], next=then)
        return steps

    def _step(self, f: Field) -> Step:
        if f.step is not None:
            return f.step
        index, kind, press = self.fields.index(f), self.kind, self.press

        def button(n: int, value: Any) -> str:
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
                return kind("num", index, value).pack()  # the number itself: see `accept`
            return kind("set", index, n).pack()

        def ask(ctx: Ctx, data: dict[str, Any]) -> Reply:
            question = f.question(ctx, data)
            if isinstance(question, Reply):
                return question
            buttons = [Choice(label, button(n, value))
                       for n, (value, label) in enumerate(f.options(ctx))]
            if f.skip:
                buttons.append(Choice(ctx._(f.skip), kind("skip", index).pack()))
            return Reply(question, tuple(buttons))

        def accept(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Any:
            pressed = kind.unpack(answer.choice)
            if pressed is not None and pressed.field != index:
                pressed = None  # another field's button is no answer here
            value: Any
            if pressed is not None and pressed.act == "set":
                options = f.options(ctx)
                if pressed.n >= len(options):  # the list changed while they were answering
                    return Retry(ctx._(press))
                value = options[pressed.n][0]
            elif pressed is not None and pressed.act == "num":
                # a number offered as a button (a year): read as if typed, so it is checked the
                # same way, and means what its label said even if the offer has changed since
                if f.read is not None:
                    value = f.read(ctx, Answer(Kind.TEXT, text=str(pressed.n)))
                elif pressed.n in [option for option, _ in f.options(ctx)]:
                    value = pressed.n
                else:
                    return Retry(ctx._(press))
            elif pressed is not None and pressed.act == "skip":
                value = None
            elif f.read is not None:
                value = f.read(ctx, answer)
            else:
                return Retry(ctx._(press))
            if inspect.isawaitable(value):
                return _later(value, lambda found: keep(ctx, data, found))
            return keep(ctx, data, value)

        def keep(ctx: Ctx, data: dict[str, Any], value: Any) -> Any:
            """The value read, checked, kept: Next(), a Retry, or an awaitable of either."""
            if isinstance(value, Retry):
                return value
            refused = f.check(ctx, data, value) if f.check is not None else None
            if inspect.isawaitable(refused):
                return _later(refused, lambda found: found or store(data, value))
            return refused or store(data, value)

        def store(data: dict[str, Any], value: Any) -> Outcome:
            data[f.key] = value
            return Next()

        ask.__module__ = accept.__module__ = self.module
        ask.__doc__ = f"Asks: {f.key} ({f.label})."
        accept.__doc__ = f"Keeps `{f.key}`."
        return Step(f.key, ask, accept, numeric=f.numeric, accepts=f.accepts, help=f.help)

    def fix_step(
        self, name: str, back: str, question: str = N_("Which one do you want to change?"), *,
        page_size: int | None = None,
    ) -> Step:
        """The edit menu: a button per asked, editable field (`page_size` a page, when given),
        which opens its question and comes back to step `back`. Its links are the Edits, not
        rows."""
        editable = [f for f in self.fields if f.asked and f.editable]
        offered = {f.key for f in editable}
        size = page_size or max(1, len(editable))
        page_key, kind, press = f"{name}_page", self.kind, self.press

        def ask(ctx: Ctx, data: dict[str, Any]) -> Reply:
            shown, page, pages = paging.page_of(editable, data.get(page_key, 1), size)
            buttons = [Choice(ctx._(f.label), kind("fix", self.fields.index(f)).pack())
                       for f in shown]
            buttons += paging.page_buttons(ctx, lambda n: kind("page", 0, n).pack(), page, pages)
            return Reply(ctx._(question), tuple(buttons))

        def accept(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
            pressed = kind.unpack(answer.choice)
            if pressed is not None and pressed.act == "page":
                data[page_key] = pressed.n
                return Next(name)
            if (pressed is not None and pressed.act == "fix" and pressed.field < len(self.fields)
                    and self.fields[pressed.field].key in offered):
                return Edit(self.fields[pressed.field].key, back)
            return Retry(ctx._(press))

        ask.__module__ = accept.__module__ = self.module
        ask.__doc__ = "Asks: which answer to change?"
        accept.__doc__ = f"Opens that question, then comes back to {back!r}."
        return Step(name, ask, accept, next={})

    # --- what is shown, exported and stored ------------------------------------------------------

    def lines(
        self, t: Translator, row: Any, view: Views = "summary", *, env: Any = None
    ) -> list[str]:
        """Each field's line for `view`: "summary" (the review), "personal" (/dulieucuatoi's
        fragments) or "value" (the bare values, e.g. of a list line); fields without one, or
        whose value is blank with nothing to show, are left out. A line may name other fields
        by key; `env`: what `show_with` needs (e.g. the localities)."""
        texts = _Texts(self, t, row, env)
        lines = []
        for f in self.fields:
            template = {"summary": f.summary, "personal": f.personal, "value": "{value}"}[view]
            text = texts[f.key] if template else None
            if template and text is not None:
                values = _Values(texts, label=t.gettext(f.label), value=text)
                lines.append(t.gettext(template).format_map(values))
        return lines

    def headers(self, t: Translator) -> list[str]:
        return [t.gettext(f.column or f.label) for f in self.fields]

    def cells(self, t: Translator, row: Any, *, env: Any = None) -> list[Any]:
        return [f.cell(t, f.value_in(row), env) for f in self.fields]

    def values(self, row: Any) -> dict[str, Any]:
        """The fields' values in `row` by key (= column): what to store, or to start from."""
        return {f.key: value_of(row, f.key) for f in self.fields}


class _Texts(dict[str, "str | None"]):
    """The fields' texts in one row, each worked out when a line first needs it."""

    def __init__(self, record: Record, t: Translator, row: Any, env: Any) -> None:
        super().__init__()
        self.fields = {f.key: f for f in record.fields}
        self.t, self.row, self.env = t, row, env

    def __missing__(self, key: str) -> str | None:
        f = self.fields[key]
        self[key] = text = f.text(self.t, f.value_in(self.row), self.env)
        return text


class _Values(dict[str, str]):
    """What a line's template is filled with: its own {label} and {value}, and other fields'
    texts by key (a blank one as nothing)."""

    def __init__(self, texts: _Texts, **own: str) -> None:
        super().__init__(own)
        self.texts = texts

    def __missing__(self, key: str) -> str:
        return self.texts[key] or ""


async def _later(pending: Awaitable[Any], then: Callable[[Any], Any]) -> Outcome:
    """`then` of what `pending` gives, itself awaited when it is awaitable."""
    result = then(await pending)
    return await result if inspect.isawaitable(result) else result
