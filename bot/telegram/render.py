"""Telegram rendering: one core `Reply` as the messages Telegram shows, decided here and sent by
bot/telegram/send.py.

HTML-escaped text split under 4096 characters (1024 as a caption), inline keyboards in rows that
fit a phone, a one-time reply keyboard for a phone number or a location (removed again with the
next message), a photo or a document with its caption, and button payloads as callback_data.
"""

from __future__ import annotations

import gettext
import html
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.i18n import Translator
from conversations import render
from domain.messages import Choice, Document, Reply

MAX_TEXT = 4096  # sendMessage text (SPEC, PTB MessageLimit.MAX_TEXT_LENGTH)
MAX_CAPTION = 1024  # sendPhoto/sendDocument caption
MAX_CALLBACK_DATA = 64  # bytes (SPEC InlineKeyboardButton.callback_data)
MAX_BUTTONS_PER_ROW = 8
MAX_BUTTONS = 100
LONG_LABEL = 20  # characters: longer labels get a row each
# callback_data that is not the payload itself but a key into `_LongPayloads`
_SHORT_ID_PREFIX = "~"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: text (HTML), or a photo or document with an optional caption."""

    text: str | None
    markup: Any = None
    image: bytes | None = None
    document: Document | None = None


class Renderer:
    """Turns replies into `Outgoing` messages. Keeps what the chat shows that a later update
    refers to: the long payloads behind short callback_data, and the "Cancel" label of a
    phone/location keyboard still on screen."""

    def __init__(self, translator: Translator | None = None) -> None:
        self._t: Translator = translator or gettext.NullTranslations()
        self._long_payloads = _LongPayloads(10_000)
        self._request_keyboards: dict[str, str] = {}  # chat -> the cancel label shown

    def messages(self, chat_id: str, reply: Reply) -> list[Outgoing]:
        """One Reply as one or more messages; the keyboard goes on the last one."""
        markup = self._markup_for(chat_id, reply)
        chunks = html_chunks(reply.text)
        out: list[Outgoing] = []
        if reply.image is not None or reply.document is not None:
            if not chunks or (len(chunks) == 1 and len(chunks[0]) <= MAX_CAPTION):
                caption = chunks[0] if chunks else None
                return [Outgoing(caption, markup, reply.image, reply.document)]
            # Too long for a caption: the file alone, then the text carrying the keyboard.
            out.append(Outgoing(None, None, reply.image, reply.document))
        elif not chunks and markup is not None:
            _ = self._t.gettext
            chunks = [html.escape(_("Please choose one:"), quote=False)]
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            out.append(Outgoing(chunk, markup if last else None))
        return out

    def payload_of(self, data: str) -> str | None:
        """The payload for a button's callback_data; None for a short id no longer known."""
        return self._long_payloads.resolve(data)

    def cancel_label(self, chat_id: str) -> str | None:
        """The "Cancel" label of the phone/location keyboard shown in this chat, if any."""
        return self._request_keyboards.get(chat_id)

    def forget_request(self, chat_id: str) -> None:
        """The phone/location keyboard is gone (its Cancel was pressed)."""
        self._request_keyboards.pop(chat_id, None)

    def _markup_for(self, chat_id: str, reply: Reply) -> Any:
        """Inline keyboard for choices, a one-time reply keyboard for a request, or removal of
        a request keyboard still on screen."""
        _ = self._t.gettext
        if reply.request is not None:
            share = (_("Share my phone number") if reply.request == "phone"
                     else _("Share my location"))
            cancel = _("Cancel")
            self._request_keyboards[chat_id] = cancel
            button = (KeyboardButton(share, request_contact=True) if reply.request == "phone"
                      else KeyboardButton(share, request_location=True))
            return ReplyKeyboardMarkup([[button], [KeyboardButton(cancel)]],
                                       one_time_keyboard=True, resize_keyboard=True)
        if reply.choices:
            return InlineKeyboardMarkup([
                [InlineKeyboardButton(c.label, callback_data=self._long_payloads.data_for(
                    c.payload)) for c in row]
                for row in keyboard_rows(reply.choices)])
        if self._request_keyboards.pop(chat_id, None) is not None:
            return ReplyKeyboardRemove()
        return None


# -- pure helpers (tested directly) --------------------------------------------------------


def html_chunks(text: str) -> list[str]:
    """A reply's text as the messages sent in HTML parse mode: escaped, then split."""
    return split_text(html.escape(text, quote=False), MAX_TEXT)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Telegram's 4096-character messages, split at line boundaries (conversations/render.py);
    expects escaped HTML, so a long line is never cut inside an entity such as `&amp;`."""
    return render.split_text(text, limit, _cut_line)


def _cut_line(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        amp = line.rfind("&", 0, cut)
        if amp != -1 and ";" not in line[amp:cut] and cut - amp < 10:
            cut = amp  # don't split an entity
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def keyboard_rows(choices: Sequence[Choice]) -> list[list[Choice]]:
    """Rows of buttons: one per row for long labels, else 2 or 3; never more than 8 per row."""
    choices = list(choices)[:MAX_BUTTONS]
    if not choices:
        return []
    longest = max(len(choice.label) for choice in choices)
    per_row = 1 if longest > LONG_LABEL else 2 if longest > 12 else 3
    per_row = min(per_row, MAX_BUTTONS_PER_ROW)
    return [choices[i:i + per_row] for i in range(0, len(choices), per_row)]


class _LongPayloads:
    """callback_data for a payload: the payload itself (the core keeps payloads ASCII and at most
    64 bytes), or, should one be longer, a short id resolved here (bounded, in memory)."""

    def __init__(self, size: int) -> None:
        self._by_id: OrderedDict[str, str] = OrderedDict()
        self._size = size
        self._next = 0

    def data_for(self, payload: str) -> str:
        fits = len(payload.encode()) <= MAX_CALLBACK_DATA
        if fits and payload and not payload.startswith(_SHORT_ID_PREFIX):
            return payload
        self._next += 1
        short = f"{_SHORT_ID_PREFIX}{self._next:x}"
        self._by_id[short] = payload
        if len(self._by_id) > self._size:
            self._by_id.popitem(last=False)
        return short

    def resolve(self, data: str) -> str | None:
        """The payload for callback_data; None for a short id this process no longer knows."""
        if data.startswith(_SHORT_ID_PREFIX):
            return self._by_id.get(data)
        return data or None
