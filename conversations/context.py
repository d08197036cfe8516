"""The one typed context every handler and dialog step gets for an incoming event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.messages import Incoming, Kind

if TYPE_CHECKING:
    from bot.settings import Settings
    from conversations.engine import Stepper
    from db.models import DialogState, User
    from domain.i18n import Translator
    from handlers.registry import Registry
    from handlers.services import Services


@dataclass
class Ctx:
    """Everything about one event: who, in which session, in which language, at what time.

    `now` is read once per event from the app's clock (aware, UTC), so a whole event sees one
    time and tests can move the clock.
    """

    session: AsyncSession
    user: User
    state: DialogState
    event: Incoming
    locale: str
    translator: Translator
    settings: Settings
    registry: Registry
    services: Services
    dialogs: Stepper
    now: datetime

    def _(self, message: str, **values: Any) -> str:
        """Translate `message`, then fill its named placeholders."""
        text = self.translator.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """Translate a count-dependent message; `n` is available as a placeholder."""
        return self.translator.ngettext(singular, plural, n).format(n=n, **values)

    def can_receive(self, kind: Kind) -> bool:
        """Whether the person's channel lets them send this (a photo, their location …): a
        question offers only what they can do, and takes a typed answer otherwise."""
        return kind in self.services.receives.get(self.event.channel, frozenset({Kind.TEXT}))

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.settings.tz)
