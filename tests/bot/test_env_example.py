"""`.env.example` lists every setting the bot reads and nothing else: the common ones and each
channel's, which its row in the table of channels (bot/channels.py) declares, so a new channel's
variables cannot be left out of it. A value written there is the default; README's
configuration table names every variable too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.channels import CHANNELS
from bot.settings import load_settings, settings_model

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def _example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return {m[1]: m[2] for line in lines if (m := LINE.match(line))}


def _variables() -> list[str]:
    return sorted(name.upper() for name in settings_model(CHANNELS).model_fields)


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    assert sorted(_example()) == _variables()


@pytest.mark.parametrize(("name", "value"), [(k, v) for k, v in _example().items() if v])
def test_a_value_in_env_example_is_the_default(name: str, value: str) -> None:
    field = name.lower()
    default = settings_model(CHANNELS).model_fields[field].default
    assert getattr(load_settings(_env_file=None, **{field: value}), field) == default


def test_the_readme_names_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert [name for name in _variables() if f"`{name}`" not in section] == []
