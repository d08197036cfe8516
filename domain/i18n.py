"""What translation means to pure code: a marker for msgids and the shape of a catalog.

The catalogs themselves are loaded by bot/i18n.py; domain/ and everything above import these two
names from here, so there is one `N_` and one `Translator` in the project.
"""

from __future__ import annotations

from typing import Protocol


def N_(message: str) -> str:
    """Mark a msgid for extraction (module-level labels, errors); it is translated when shown."""
    return message


class Translator(Protocol):
    """What code needs from a gettext catalog."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...
