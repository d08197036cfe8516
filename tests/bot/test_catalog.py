"""Translation: every msgid used in the code has a Vietnamese translation, and the catalogs load."""

from __future__ import annotations

from importlib import resources
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import CatalogError, _read, load_catalogs

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "handlers", "conversations", "db", "domain")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _msgids_in_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def test_every_string_in_the_code_has_a_vietnamese_translation() -> None:
    po = resources.files("locales") / "vi" / "LC_MESSAGES" / "giamngheo.po"
    catalog = read_po(BytesIO(po.read_bytes()))
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    code = _msgids_in_code()
    assert len(code) > 50
    missing = {msgid: where for msgid, where in code.items() if msgid not in translated}
    assert not missing, f"{len(missing)} strings have no Vietnamese translation: {missing}"


def test_translations_keep_their_placeholders() -> None:
    import re

    po = resources.files("locales") / "vi" / "LC_MESSAGES" / "giamngheo.po"
    placeholder = re.compile(r"\{(\w*)\}")
    for message in read_po(BytesIO(po.read_bytes())):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(placeholder.findall(ids[-1]))
        for string in strings:
            assert set(placeholder.findall(string)) <= wanted | set(placeholder.findall(ids[0])), (
                message.id
            )


def test_the_catalogs_load() -> None:
    catalogs = load_catalogs(("vi", "en"))
    assert catalogs["vi"].gettext("Main menu") == "Menu chính"
    assert catalogs["en"].gettext("Main menu") == "Main menu"


@pytest.mark.parametrize(
    "broken",
    [
        b'msgid "a"\nmsgstr "b"\nmsgid "a"\n',
        b'msgid "Main menu"\nmsgstr "Menu"\ngarbage line\n',
        b'msgid "Main menu"\nmsgstr "\xff\xfe"\n',
        b'#, fuzzy\nmsgid "Main menu"\nmsgstr "Menu"\n',
    ],
    ids=["truncated", "garbage-line", "not-utf8", "fuzzy"],
)
def test_a_broken_catalog_stops_start_up(broken: bytes) -> None:
    with pytest.raises(CatalogError) as error:
        _read(broken, "locales/vi/LC_MESSAGES/giamngheo.po")
    assert str(error.value).startswith("locales/vi/LC_MESSAGES/giamngheo.po:")
