"""Content files that officials edit (wards, poverty standards, policies …): read from the
packaged domain/data folder, or from DATA_DIR where a locality keeps its own copies, and
validated at start-up by the pure loaders in domain/. A broken file stops start-up with one line
naming the file, the entry and the field (`ContentError`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

Loader = Callable[[dict[str, Any], str], Any]
# libyaml's parser where PyYAML was built with it (the wheels are): the same safe constructor,
# about eight times faster on policies.yaml, which was most of the bot's start-up time.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(Exception):
    """A data file is missing or invalid; the message names file, entry and field."""


def _loaders() -> dict[str, tuple[str, Loader]]:
    """content key → (file name, loader). Imported lazily: nothing is built at import time."""
    from domain.localities import load_localities
    from domain.policies import load_catalogue
    from domain.poverty import load_standards
    from domain.targets import load_targets

    return {
        "localities": ("wards.yaml", load_localities),
        "standards": ("poverty_standards.yaml", load_standards),
        "policies": ("policies.yaml", load_catalogue),
        "targets": ("targets.yaml", load_targets),
    }


def read_yaml(name: str, data_dir: Path | None) -> dict[str, Any]:
    """Parse one data file from DATA_DIR if it is there, else the packaged copy."""
    if data_dir is not None and (data_dir / name).is_file():
        raw_text = (data_dir / name).read_text(encoding="utf-8")
    else:
        packaged = resources.files("domain") / "data" / name
        if not packaged.is_file():
            raise ContentError(f"{name}: file not found")
        raw_text = packaged.read_text(encoding="utf-8")
    try:
        raw = yaml.load(raw_text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ContentError(f"{name}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ContentError(f"{name}: expected a mapping at the top level")
    return raw


def load_all(data_dir: Path | None) -> dict[str, Any]:
    """Every content file, validated. The packaged files (no DATA_DIR) are read once per process:
    they do not change while it runs and the loaded models are frozen, so every app a process
    opens (the CLI's, each test's) shares them."""
    if data_dir is None:
        return dict(_packaged())
    return _load(data_dir)


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    return _load(None)


def _load(data_dir: Path | None) -> dict[str, Any]:
    content: dict[str, Any] = {}
    # Parsed once, here; features read them from `ctx.services.content[...]`.
    for key, (name, loader) in _loaders().items():
        try:
            content[key] = loader(read_yaml(name, data_dir), name)
        except ContentError:
            raise
        except ValueError as exc:  # the domain loaders' one-line validation errors
            raise ContentError(str(exc)) from None
    return content
