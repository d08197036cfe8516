"""What translation means to pure code: a marker for msgids and the shape of a catalog.

The catalogs themselves are loaded by bot/i18n.py; domain/ and everything above import these
names from here, so there is one `N_`, one `Translator` and one `pick_locale` in the project.
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


def pick_locale(
    user_choice: str | None, platform_language: str | None, default: str, available: set[str]
) -> str:
    """The user's choice, then the platform's language, then the configured default.

    A platform language of English is ignored: Telegram has no Vietnamese interface, so most
    Vietnamese users' apps report "en", which says nothing about the language they read.
    """
    if user_choice in available:
        return user_choice
    platform = (platform_language or "").split("-")[0].lower()
    if platform in available and platform != "en":
        return platform
    return default
