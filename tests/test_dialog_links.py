"""Every dialog's links are in its table and resolve, and the Mermaid sketch each dialog module
opens with is the one its tables draw (`python -m bot.flowcharts` redraws them)."""

from __future__ import annotations

import pytest

from bot.flowcharts import all_dialogs, by_module, drawn, sketch
from conversations.engine import Dialog, Next, Step
from domain.messages import Reply

DIALOGS = all_dialogs()


def _ask(ctx, data):  # type: ignore[no-untyped-def]
    return Reply("?")


def _on(ctx, data, answer):  # type: ignore[no-untyped-def]
    return Next()


def test_a_link_to_a_missing_step_fails_when_the_dialog_is_built() -> None:
    with pytest.raises(ValueError, match="'a' links 'yes' to 'nowhere', which is not a step"):
        Dialog("d", "D", [Step("a", _ask, _on, next={"yes": "nowhere"}), Step("b", _ask, _on)])
    with pytest.raises(ValueError, match="not a step"):
        Dialog("d", "D", [Step("a", _ask, _on, next="b2"), Step("b", _ask, _on)])


def test_links_default_to_the_next_row_and_branch_by_key() -> None:
    dialog = Dialog("d", "D", [
        Step("a", _ask, _on, next={"": "b", "skip": "c"}), Step("b", _ask, _on),
        Step("c", _ask, _on)])
    a, b, c = dialog.steps
    assert dialog.target(a, None) == "b" and dialog.target(a, "skip") == "c"
    assert dialog.target(b, None) == "c" and dialog.target(a, "a") == "a"
    assert dialog.links("c") == {}  # the last row ends the dialog (its accept says Done)
    with pytest.raises(LookupError, match="has no link 'b'"):
        dialog.target(c, "b")


@pytest.mark.parametrize("dialog", DIALOGS, ids=lambda d: d.name)
def test_every_link_resolves_to_a_step(dialog: Dialog) -> None:
    names = {step.name for step in dialog.steps}
    for step in dialog.steps:
        assert set(dialog.links(step.name).values()) <= names


@pytest.mark.parametrize("module", sorted(by_module(DIALOGS)))
def test_each_dialog_module_opens_with_the_sketch_its_tables_draw(module: str) -> None:
    dialogs = by_module(DIALOGS)[module]
    assert drawn(module) == sketch(dialogs), "run: python -m bot.flowcharts"
