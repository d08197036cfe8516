"""Checks recorded Bot API requests against the machine-readable spec (telegram-bot-api.json).

The spec is PaulSonOfLars/telegram-bot-api-spec `api.json`, Bot API 10.1, kept in
tests/fakes/data/ (its README says where it came from): methods and
types with typed fields and `required` flags; limits live only in the descriptions ("1-64 bytes"),
so they are parsed from there, plus the few rules the descriptions state in prose (command names,
webhook secret, keyboard sizes).

python-telegram-bot sends form fields: strings raw, every other value JSON-encoded, files as
multipart parts. `check_request` takes exactly that shape and returns a list of violations (empty
when the request is valid).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

_LENGTH = re.compile(r"(\d+)-(\d+)\s*(characters|bytes)")
_INTEGER = re.compile(r"-?\d+")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_MAX_BUTTONS_PER_ROW = 8  # PTB InlineKeyboardMarkupLimit; not in the spec text
_MAX_BUTTONS = 100
_MAX_COMMANDS = 100  # setMyCommands: "At most 100 commands can be specified."
# InlineKeyboardButton: "Exactly one of the fields other than text, icon_custom_emoji_id, and
# style must be used to specify the type of the button."
_BUTTON_DECORATION = frozenset({"text", "icon_custom_emoji_id", "style"})


class Recorded(Protocol):
    """What the fake server records per request (tests.fakes.telegram_server.RecordedRequest)."""

    method: str
    params: Mapping[str, str]
    files: Mapping[str, Any]


SPEC_FILE = Path(__file__).resolve().parent / "data" / "telegram-bot-api.json"


def spec_path() -> Path:
    """Where the spec is: $TELEGRAM_API_SPEC, else the copy the repo carries (tests/fakes/data,
    see its README for origin and version), so a clone with nothing beside it can test."""
    configured = os.environ.get("TELEGRAM_API_SPEC")
    if configured:
        return Path(configured)
    return SPEC_FILE


@lru_cache(maxsize=4)
def load_spec(path: Path | None = None) -> dict[str, Any]:
    """The parsed spec; a missing file is an error that says where it was looked for."""
    where = path or spec_path()
    if not where.is_file():
        raise FileNotFoundError(
            f"Bot API spec not found at {where}; it ships in tests/fakes/data "
            "(or set TELEGRAM_API_SPEC)"
        )
    return json.loads(where.read_text(encoding="utf-8"))


def check_requests(
    requests: Iterable[Recorded], spec: Mapping[str, Any] | None = None
) -> list[str]:
    """All violations of all recorded requests, each prefixed with its method."""
    violations: list[str] = []
    for request in requests:
        violations.extend(check_request(request.method, request.params, request.files, spec))
    return violations


def check_request(
    method: str,
    params: Mapping[str, str],
    files: Collection[str] = (),
    spec: Mapping[str, Any] | None = None,
) -> list[str]:
    """Violations of one call: unknown method or parameter, missing required ones, wrong types,
    lengths outside the documented range."""
    spec = spec or load_spec()
    definition = spec["methods"].get(method)
    if definition is None:
        return [f"{method}: no such method in the Bot API"]
    checker = _Checker(spec, method)
    fields = {f["name"]: f for f in definition.get("fields", [])}
    for name in params.keys() | set(files):
        if name not in fields:
            checker.error(name, "unknown parameter")
    for name, field in fields.items():
        present = name in params or name in files
        if field["required"] and not present:
            checker.error(name, "required parameter missing")
        if name in params:
            checker.form_value(params[name], field, name, is_file=name in files)
    checker.method_rules(params)
    return checker.errors


class _Checker:
    """Walks one request's values, collecting violations with a dotted path to each."""

    def __init__(self, spec: Mapping[str, Any], method: str) -> None:
        self.spec = spec
        self.method = method
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{self.method}.{path}: {message}")

    def form_value(self, raw: str, field: Mapping[str, Any], path: str, *, is_file: bool) -> None:
        """A top-level form field: valid if it fits any of the field's types."""
        attempts = [self._form_as(raw, kind, path) for kind in field["types"]]
        if is_file and "InputFile" in field["types"]:
            attempts.append([])
        if not any(not problems for problems in attempts):
            self.errors.extend(attempts[0])
            return
        self._limits(raw, field, path)

    def _form_as(self, raw: str, kind: str, path: str) -> list[str]:
        if kind in ("String", "InputFile"):
            return []
        if kind == "Integer":
            ok = _INTEGER.fullmatch(raw) is not None
            return [] if ok else [f"{self.method}.{path}: {raw!r} is not an Integer"]
        if kind == "Float":
            try:
                float(raw)
            except ValueError:
                return [f"{self.method}.{path}: {raw!r} is not a Float"]
            return []
        if kind == "Boolean":
            ok = raw in ("true", "false")
            return [] if ok else [f"{self.method}.{path}: {raw!r} is not a Boolean"]
        try:
            value = json.loads(raw)
        except ValueError:
            return [f"{self.method}.{path}: not JSON, expected {kind}"]
        sub = _Checker(self.spec, self.method)
        sub.json_value(value, kind, path)
        return sub.errors

    def json_value(self, value: Any, kind: str, path: str) -> None:
        """A JSON-encoded value (inside a form field) against one type string."""
        if kind.startswith("Array of "):
            if not isinstance(value, list):
                self.error(path, f"expected {kind}")
                return
            for index, item in enumerate(value):
                self.json_value(item, kind.removeprefix("Array of "), f"{path}[{index}]")
            return
        scalar = _SCALARS.get(kind)
        if scalar is not None:
            if not scalar(value):
                self.error(path, f"{value!r} is not {kind}")
            return
        self._object(value, kind, path)

    def _object(self, value: Any, kind: str, path: str) -> None:
        definition = self.spec["types"].get(kind)
        if definition is None:
            self.error(path, f"unknown type {kind}")
            return
        subtypes = definition.get("subtypes")
        if subtypes:
            self.any_of(value, subtypes, path)
            return
        if not isinstance(value, dict):
            self.error(path, f"expected a {kind} object")
            return
        fields = {f["name"]: f for f in definition.get("fields", [])}
        for name in value.keys() - fields.keys():
            self.error(f"{path}.{name}", f"unknown field of {kind}")
        for name, field in fields.items():
            if name not in value:
                if field["required"]:
                    self.error(f"{path}.{name}", f"required field of {kind} missing")
                continue
            self.any_of(value[name], field["types"], f"{path}.{name}")
            self._limits(value[name], field, f"{path}.{name}")
        self._type_rules(value, kind, path)

    def any_of(self, value: Any, kinds: Iterable[str], path: str) -> None:
        """Valid if the value fits one of the types; otherwise report the first type's problems."""
        attempts = []
        for kind in kinds:
            sub = _Checker(self.spec, self.method)
            sub.json_value(value, kind, path)
            if not sub.errors:
                return
            attempts.append(sub.errors)
        if len(attempts) == 1:
            self.errors.extend(attempts[0])
        else:
            self.error(path, f"fits none of {list(kinds)}: {attempts[0][0]}")

    def _limits(self, value: Any, field: Mapping[str, Any], path: str) -> None:
        match = _LENGTH.search(field.get("description", ""))
        if match is None or not isinstance(value, str):
            return
        low, high, unit = int(match[1]), int(match[2]), match[3]
        size = len(value.encode("utf-8")) if unit == "bytes" else len(value)
        if not low <= size <= high:
            self.error(path, f"length {size} {unit} outside {low}-{high}")

    def _type_rules(self, value: Mapping[str, Any], kind: str, path: str) -> None:
        if kind == "BotCommand" and isinstance(value.get("command"), str):
            if _COMMAND.fullmatch(value["command"]) is None:
                self.error(f"{path}.command", "only lowercase letters, digits and _ (1-32)")
        elif kind == "InlineKeyboardMarkup" and isinstance(value.get("inline_keyboard"), list):
            rows = value["inline_keyboard"]
            if any(isinstance(row, list) and len(row) > _MAX_BUTTONS_PER_ROW for row in rows):
                self.error(path, f"more than {_MAX_BUTTONS_PER_ROW} buttons in a row")
            if sum(len(row) for row in rows if isinstance(row, list)) > _MAX_BUTTONS:
                self.error(path, f"more than {_MAX_BUTTONS} buttons")
        elif kind == "InlineKeyboardButton":
            actions = value.keys() - _BUTTON_DECORATION
            if len(actions) != 1:
                self.error(path, f"exactly one action field expected, got {sorted(actions)}")

    def method_rules(self, params: Mapping[str, str]) -> None:
        secret = params.get("secret_token") if self.method == "setWebhook" else None
        if secret is not None and _SECRET.fullmatch(secret) is None:
            self.error("secret_token", "only A-Z, a-z, 0-9, _ and - (1-256)")
        if self.method == "setMyCommands" and "commands" in params:
            try:
                commands = json.loads(params["commands"])
            except ValueError:
                return
            if isinstance(commands, list) and len(commands) > _MAX_COMMANDS:
                self.error("commands", f"more than {_MAX_COMMANDS} commands")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SCALARS = {
    "Integer": _is_int,
    "Float": lambda value: _is_int(value) or isinstance(value, float),
    "String": lambda value: isinstance(value, str),
    "Boolean": lambda value: isinstance(value, bool),
    "InputFile": lambda value: isinstance(value, str),
}
