"""The channel-neutral language of the core: what arrives (Incoming) and what goes out (Reply).

Channel adapters (Telegram, Zalo, web chat, console) translate their platform's updates into
`Incoming` events, hand them to the core, and render the core's `Reply` objects back. Nothing in
this module, or anywhere in the core, imports a platform library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol


class Kind(StrEnum):
    """What kind of thing the user sent."""

    TEXT = "text"
    COMMAND = "command"
    CHOICE = "choice"
    PHOTO = "photo"
    LOCATION = "location"
    CONTACT = "contact"
    DOCUMENT = "document"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a user sent, on any channel.

    `text` is the typed text (for COMMAND: the arguments after the command); `command` is the
    command name without the slash; `choice` is the payload of the pressed button. `payload` holds
    kind-specific data: {"phone": ...} for CONTACT, {"latitude", "longitude"} for LOCATION,
    {"file_id", "file_name", "data"} for PHOTO and DOCUMENT. `update_id` is the platform's id of
    this delivery, used to drop repeated deliveries; None where the channel never repeats.
    """

    channel: str
    chat_id: str
    user_id: str
    kind: Kind
    text: str = ""
    command: str | None = None
    choice: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    update_id: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: the label shown and the stable payload sent back when it is pressed."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send: its bytes, the file name the user sees, and its MIME type."""

    data: bytes
    file_name: str
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    """One message from the bot: text, optional buttons, an optional request, image or document.

    `request` asks the channel to offer a "share my phone number" or "share my location" button
    where it has one. `image` is PNG bytes. `typed_hint` says what a typed number means at this
    question, for channels that number the choices (instead of their usual footer).
    `forget_history`: the person's data was deleted; a channel that keeps a transcript on the
    device (the web chat) clears it.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    request: Literal["phone", "location"] | None = None
    image: bytes | None = None
    document: Document | None = None
    typed_hint: str | None = None
    forget_history: bool = False


class Handler(Protocol):
    """What a channel adapter calls: the core's entry point."""

    async def handle(self, event: Incoming) -> list[Reply]: ...


class Outbound(Protocol):
    """What the core calls to reach a user it is not answering (reminders, broadcasts).

    Returns None when delivered, or raises `DeliveryError`.
    """

    channel: str

    async def send(self, chat_id: str, reply: Reply) -> None: ...

    async def set_chat_commands(self, chat_id: str, role: str) -> None:
        """Show `role`'s commands in that chat, where the platform keeps a command list per
        chat (Telegram); elsewhere nothing."""


class DeliveryError(Exception):
    """A message could not be delivered; `permanent`: retrying is pointless (blocked, gone)."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
