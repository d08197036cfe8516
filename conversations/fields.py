"""A record's fields as one table, and everything a dialog needs about them generated from it.

A record (a course sign-up, a job notice, a job-seeker profile, a household) is a tuple of
`Field`s, each declared once: its key (the key in the dialog's data, the attribute of the stored
row and the database column: one name for all three), its label (the edit menu's button and
the review's "Label: value"), its question, how an answer is read (a reader returning the value
or a `Retry`, or the buttons of its `choices`), how a value reads, and its lines in the review,
in the export and in /dulieucuatoi. From the table a `Record` makes:

- `steps()`: one dialog `Step` per field, in table order, each linked to the next row;
- `fix_step()`: the edit menu ("Sửa": which answer to change, then back to the review);
- `lines()`: the review's summary lines, a list's bare values, the personal-data fragments;
- `headers()` / `cells()`: the export's columns; `values()`: what to store, by column.

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
field number `field`'s options), "<prefix>:skip:<field>:0", "<prefix>:fix:<field>:0" (the edit
menu) and "<prefix>:page:0:<n>" (its pages). A button of another record or of another field is
no answer to this question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from conversations import paging
from conversations.engine import Answer, Edit, Next, Outcome, Retry, Step
from conversations.payloads import Payload, payload
from domain.i18n import N_, Translator
from domain.messages import Choice, Kind, Reply

if TYPE_CHECKING:
    from conversations.context import Ctx

Ask = Callable[["Ctx", dict[str, Any]], "str | Reply"]
Read = Callable[["Ctx", Answer], Any]
TEXT_OR_CHOICE = frozenset({Kind.TEXT, Kind.CHOICE})
LABELLED = "{label}: {value}"  # the review's line unless a field says otherwise
Views = Literal["summary", "personal", "value"]


@dataclass(frozen=True)
class Field:
    """One field of a record. Only `key`, `label` and the question are needed; the rest says
    what differs from the plain case (a typed answer kept as it reads, shown "Label: value").

    `ask`: the question, a msgid or a function (ctx, data) → its text, or a whole `Reply` (then
    no buttons are added). `read`: (ctx, answer) → the value, or a `Retry`; a field with
    `choices` (key → msgid) offers them as buttons and keeps the key. `skip`: a button's msgid
    that keeps None. `show`: (translator, value) → how a value reads (dates, money); `get`:
    row → the value shown, where that is not the attribute `key` (two columns, say). `blank`:
    what None reads as (a msgid; None: the line is left out). `summary` and `personal`: the
    field's line in the review and in /dulieucuatoi, msgids with {value} (and {label}); None
    leaves it out. `column`: the export's header (a msgid; by default the label). `step`: a
    ready-made step to ask it (e.g. `answers.ward_step`), named `key`. `asked`: False for a field
    the dialog does not ask (set elsewhere, only shown and stored). `numeric`, `accepts`, `help`:
    as on `Step`.
    """

    key: str
    label: str
    ask: str | Ask = ""
    _: KW_ONLY
    read: Read | None = None
    choices: Mapping[str, str] | None = None
    skip: str | None = None
    show: Callable[[Translator, Any], str] | None = None
    get: Callable[[Any], Any] | None = None
    blank: str | None = "—"
    summary: str | None = LABELLED
    personal: str | None = "{value}"
    column: str | None = None
    step: Step | None = None
    asked: bool = True
    numeric: bool = False
    accepts: frozenset[Kind] = TEXT_OR_CHOICE
    help: str | None = None

    def question(self, ctx: Ctx, data: dict[str, Any]) -> str | Reply:
        """The question: its text (the record adds the buttons), or a Reply as it is."""
        return self.ask(ctx, data) if callable(self.ask) else ctx._(self.ask)

    def options(self, ctx: Ctx) -> list[tuple[Any, str]]:
        """The answers offered as buttons: (the value kept, the label shown)."""
        return [(key, ctx._(label)) for key, label in (self.choices or {}).items()]

    def value_in(self, row: Any) -> Any:
        """The field's value in a row: the dialog's data, a stored row, any object."""
        return self.get(row) if self.get else value_of(row, self.key)

    def text(self, t: Translator, value: Any) -> str | None:
        """A value as a person reads it; None: nothing to show."""
        if value is None or value == "":
            return t.gettext(self.blank) if self.blank else None
        if self.show is not None:
            return self.show(t, value)
        if self.choices and value in self.choices:
            return t.gettext(self.choices[value])
        return str(value)

    def cell(self, t: Translator, value: Any) -> Any:
        """A value in the export: numbers as numbers, choices by their label, None empty."""
        if value is None or value == "":
            return ""
        if self.show is not None or (self.choices and value in self.choices):
            return self.text(t, value)
        return value


def value_of(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)


class RecordButton(Payload):
    """What the buttons of a record's generated steps carry (one payload kind per record)."""

    act: Literal["set", "skip", "fix", "page"]
    field: int
    n: int


_BUTTONS: dict[str, type[RecordButton]] = {}


def _buttons(prefix: str) -> type[RecordButton]:
    """The payload kind of the record with `prefix` (a copy of a record shares its kind)."""
    if prefix not in _BUTTONS:
        @payload(prefix)
        class Button(RecordButton):
            act: Literal["set", "skip", "fix", "page"]
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

        def ask(ctx: Ctx, data: dict[str, Any]) -> Reply:
            question = f.question(ctx, data)
            if isinstance(question, Reply):
                return question
            buttons = [Choice(label, kind("set", index, n).pack())
                       for n, (_, label) in enumerate(f.options(ctx))]
            if f.skip:
                buttons.append(Choice(ctx._(f.skip), kind("skip", index).pack()))
            return Reply(question, tuple(buttons))

        def accept(ctx: Ctx, data: dict[str, Any], answer: Answer) -> Outcome:
            pressed = kind.unpack(answer.choice)
            if pressed is not None and pressed.field == index and pressed.act == "set":
                options = f.options(ctx)
                if pressed.n >= len(options):  # the list changed while they were answering
                    return Retry(ctx._(press))
                value = options[pressed.n][0]
            elif pressed is not None and pressed.field == index and pressed.act == "skip":
                value = None
            elif f.read is not None:
                value = f.read(ctx, answer)
            else:
                return Retry(ctx._(press))
            if isinstance(value, Retry):
                return value
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
        """The edit menu: a button per asked field (`page_size` a page, when given), which
        opens its question and comes back to step `back`. Its links are the Edits, not rows."""
        editable = [f for f in self.fields if f.asked]
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
            if (pressed is not None and pressed.act == "fix"
                    and pressed.field < len(self.fields) and self.fields[pressed.field].asked):
                return Edit(self.fields[pressed.field].key, back)
            return Retry(ctx._(press))

        ask.__module__ = accept.__module__ = self.module
        ask.__doc__ = "Asks: which answer to change?"
        accept.__doc__ = f"Opens that question, then comes back to {back!r}."
        return Step(name, ask, accept, next={})

    # --- what is shown, exported and stored ------------------------------------------------------

    def lines(self, t: Translator, row: Any, view: Views = "summary") -> list[str]:
        """Each field's line for `view`: "summary" (the review), "personal" (/dulieucuatoi's
        fragments) or "value" (the bare values, e.g. of a list line); fields without one, or
        whose value is blank with nothing to show, are left out."""
        lines = []
        for f in self.fields:
            template = {"summary": f.summary, "personal": f.personal, "value": "{value}"}[view]
            text = f.text(t, f.value_in(row)) if template else None
            if template and text is not None:
                lines.append(t.gettext(template).format(label=t.gettext(f.label), value=text))
        return lines

    def headers(self, t: Translator) -> list[str]:
        return [t.gettext(f.column or f.label) for f in self.fields]

    def cells(self, t: Translator, row: Any) -> list[Any]:
        return [f.cell(t, f.value_in(row)) for f in self.fields]

    def values(self, row: Any) -> dict[str, Any]:
        """The fields' values in `row` by key (= column): what to store, or to start from."""
        return {f.key: value_of(row, f.key) for f in self.fields}
