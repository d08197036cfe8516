"""Translation: gettext catalogs from locales/, loaded once at start-up; an event's locale.

Msgids are English; `locales/vi/LC_MESSAGES/giamngheo.po` holds the Vietnamese. The .po files are
read directly with babel (no compiled .mo to forget): a catalog that does not parse, or a fuzzy
(unreviewed) entry, stops start-up with `CatalogError`.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from domain.i18n import N_, Translator, pick_locale

__all__ = ["N_", "Translator", "CatalogError", "load_catalogs", "pick_locale"]

DOMAIN = "giamngheo"


class CatalogError(Exception):
    """A catalog is broken; the message names the file and the problem."""


def load_catalogs(locales: tuple[str, ...]) -> dict[str, Translator]:
    """Each locale's catalog from the packaged locales/ folder, parsed once per process (the
    packaged files do not change while it runs; every app a process opens shares them)."""
    return dict(_packaged(tuple(locales)))


@lru_cache(maxsize=8)
def _packaged(locales: tuple[str, ...]) -> dict[str, Translator]:
    root = resources.files("locales")
    catalogs: dict[str, Translator] = {}
    for locale in locales:
        po = root / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.is_file():
            if locale == "en":  # msgids are English: the identity catalog
                catalogs[locale] = gettext.NullTranslations()
                continue
            raise CatalogError(f"locales/{locale}/LC_MESSAGES/{DOMAIN}.po: missing")
        catalogs[locale] = _read(po.read_bytes(), f"locales/{locale}/LC_MESSAGES/{DOMAIN}.po")
    return catalogs


def _read(data: bytes, name: str) -> Translations:
    try:
        catalog = read_po(BytesIO(data), abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{name}: {exc}") from None
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    if fuzzy:
        raise CatalogError(f"{name}: unreviewed (fuzzy) entry {fuzzy[0]!r}")
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)
