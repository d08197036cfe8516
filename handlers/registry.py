"""The registry every feature adds itself to: commands, menu entries, dialogs, free-text routes and
personal-data sections.

Each feature module exposes one `register(registry)` function; the composition root (bot/app.py)
calls them in a documented order. The main menu and the command lists are built from what is
registered, so a feature that does not exist shows no button.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conversations.engine import Dialog
from domain.messages import Reply
from domain.roles import EVERYONE
from domain.tables import ImportResult

if TYPE_CHECKING:
    from conversations.context import Ctx


Action = Callable[["Ctx"], Awaitable[list[Reply]]]
CommandAction = Callable[["Ctx", str], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Command:
    """A slash command (`name` without the slash); `description` is a msgid for the menus."""

    name: str
    description: str
    action: CommandAction
    roles: frozenset[str] = EVERYONE


@dataclass(frozen=True)
class MenuItem:
    """A main-menu button: `id` is stable (its payload is `menu:<id>`); `label` is a msgid."""

    id: str
    label: str
    action: Action
    roles: frozenset[str] = EVERYONE
    order: int = 100


@dataclass(frozen=True)
class TextRoute:
    """Free text outside a dialog: `match` says whether this route wants it (best score wins)."""

    name: str
    match: Callable[[Ctx, str], Awaitable[float]]
    action: Callable[[Ctx, str], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class PersonalData:
    """How one feature's rows about a user are shown (/dulieucuatoi) and deleted (/xoadulieu).

    `show` returns lines (already translated) or nothing; `delete` returns how many rows went.
    """

    name: str
    show: Callable[[Ctx], Awaitable[list[str]]]
    delete: Callable[[Ctx], Awaitable[int]]


@dataclass(frozen=True)
class Job:
    """Background work the scheduler runs: every `minutes`, or daily at `at` ("HH:MM", local).

    `run` gets the core (sessions, services, settings, catalogs) and must be idempotent and
    claim its rows atomically: several processes may run the same job.
    """

    name: str
    run: Callable[[Any], Awaitable[None]]
    minutes: int | None = None
    at: str | None = None


@dataclass(frozen=True)
class Importer:
    """`giamngheo admin import KIND FILE` and files sent in chat: rows → records.

    `run(core, rows, translator, actor_user_id)` validates every row, reports every bad one, and
    writes (with audit rows) only when all are good.
    """

    kind: str
    run: Callable[..., Awaitable[ImportResult]]


@dataclass(frozen=True)
class Exporter:
    """`giamngheo admin export KIND`: `run(core, translator)` → (headers, rows)."""

    kind: str
    run: Callable[..., Awaitable[tuple[list[str], list[list[Any]]]]]


@dataclass
class Registry:
    commands: dict[str, Command] = field(default_factory=dict)
    menu: dict[str, MenuItem] = field(default_factory=dict)
    dialogs: dict[str, Dialog] = field(default_factory=dict)
    text_routes: list[TextRoute] = field(default_factory=list)
    personal_data: list[PersonalData] = field(default_factory=list)
    choice_prefixes: dict[str, Callable[[Ctx, str], Awaitable[list[Reply]]]] = field(
        default_factory=dict
    )
    jobs: dict[str, Job] = field(default_factory=dict)
    importers: dict[str, Importer] = field(default_factory=dict)
    exporters: dict[str, Exporter] = field(default_factory=dict)

    def importer(self, importer: Importer) -> None:
        if importer.kind in self.importers:
            raise ValueError(f"importer {importer.kind} registered twice")
        self.importers[importer.kind] = importer

    def exporter(self, exporter: Exporter) -> None:
        if exporter.kind in self.exporters:
            raise ValueError(f"exporter {exporter.kind} registered twice")
        self.exporters[exporter.kind] = exporter

    def job(self, job: Job) -> None:
        if job.name in self.jobs or (job.minutes is None) == (job.at is None):
            raise ValueError(f"job {job.name}: registered twice, or not exactly one schedule")
        self.jobs[job.name] = job

    def command(self, command: Command) -> None:
        if command.name in self.commands:
            raise ValueError(f"command /{command.name} registered twice")
        self.commands[command.name] = command

    def menu_item(self, item: MenuItem) -> None:
        if item.id in self.menu:
            raise ValueError(f"menu item {item.id} registered twice")
        self.menu[item.id] = item

    def dialog(self, dialog: Dialog) -> None:
        if dialog.name in self.dialogs:
            raise ValueError(f"dialog {dialog.name} registered twice")
        self.dialogs[dialog.name] = dialog

    def choice_prefix(
        self, prefix: str, action: Callable[[Ctx, str], Awaitable[list[Reply]]]
    ) -> None:
        """Buttons whose payload starts with `prefix:` outside any dialog (e.g. list pages)."""
        self.choice_prefixes[prefix] = action

    def menu_for(self, role: str) -> list[MenuItem]:
        return sorted(
            (item for item in self.menu.values() if role in item.roles), key=lambda i: i.order
        )

    def commands_for(self, role: str) -> list[Command]:
        return [c for c in self.commands.values() if role in c.roles]
