"""Each dialog module opens with the Mermaid sketch of its dialogs, drawn from their tables.

`python -m bot.flowcharts` rewrites the ```mermaid block of every dialog module's
docstring from the tables (run it after changing a table); tests/test_dialog_links.py fails when
a sketch and its table disagree, so the picture a reader sees is the flow the stepper runs.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from conversations.engine import Dialog

BLOCK = re.compile(r"```mermaid\n.*?```\n", re.S)
HELPERS = frozenset({"conversations.answers", "conversations.engine"})


def home(dialog: Dialog) -> str:
    """The module a dialog's table is written in: where most of its own steps' questions are."""
    modules = [step.ask.__module__ for step in dialog.steps
               if step.ask.__module__ not in HELPERS]
    return max(set(modules), key=modules.count) if modules else dialog.steps[0].ask.__module__


def by_module(dialogs: Iterable[Dialog]) -> dict[str, list[Dialog]]:
    found: dict[str, list[Dialog]] = {}
    for dialog in dialogs:
        found.setdefault(home(dialog), []).append(dialog)
    return found


def sketch(dialogs: Iterable[Dialog]) -> str:
    """The ```mermaid block for these dialogs."""
    body = "\n".join(dialog.flowchart() for dialog in dialogs)
    return f"```mermaid\nflowchart LR\n{body}\n```\n"


def drawn(module: str) -> str | None:
    """The ```mermaid block a module's docstring holds, or None."""
    doc = importlib.import_module(module).__doc__ or ""
    found = BLOCK.search(doc)
    return found.group(0) if found else None


def rewrite(module: str, dialogs: list[Dialog]) -> bool:
    """Put the tables' sketch into the module's docstring (after its first paragraph when it has
    none yet); True when the file changed."""
    path = Path(importlib.import_module(module).__file__ or "")
    source = path.read_text(encoding="utf-8")
    doc_end = source.index('"""', source.index('"""') + 3)
    doc = source[:doc_end]
    new = sketch(dialogs)
    if BLOCK.search(doc):
        doc = BLOCK.sub(lambda _: new, doc, count=1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + new
    updated = doc + source[doc_end:]
    if updated != source:
        path.write_text(updated, encoding="utf-8")
    return updated != source


def all_dialogs() -> list[Dialog]:
    from bot.app import build_registry  # the composition root knows every feature

    return list(build_registry().dialogs.values())


def main() -> int:
    changed = [module for module, dialogs in by_module(all_dialogs()).items()
               if rewrite(module, dialogs)]
    for module in changed:
        print(f"rewrote the sketch in {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
