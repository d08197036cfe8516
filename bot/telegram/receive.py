"""Telegram receiving: python-telegram-bot updates as the core's `Incoming` events, in order.

Messages (text, commands, a shared contact or location, photos and documents up to 5 MB) and
button presses (acknowledged, the keyboard retired with "✓ <chosen label>", a second tap
dropped). Edits, channel posts and service updates are not part of a dialog and are ignored.

Order: PTB runs updates concurrently; each update reserves its place per chat the moment it
arrives and is handed to the core only after the chat's previous update was, so a slow file
download never lets a later message overtake it. The core's per-user lock keeps the order from
there, and replies go out in the order their updates came.
"""

from __future__ import annotations

import asyncio
import gettext
import html
import logging
from collections import OrderedDict
from typing import Any

from telegram import Bot, CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.telegram.render import MAX_TEXT, Renderer
from bot.telegram.send import Sender
from domain.messages import Handler, Incoming, Kind, Reply

log = logging.getLogger("bot.telegram")

CHANNEL = "telegram"
MAX_DOWNLOAD = 5 * 1024 * 1024  # files the core receives as bytes


class Receiver:
    """Hands each update to the core as an event and sends its answer (`on_update` is the
    Application's one handler)."""

    def __init__(self, bot: Bot, handler: Handler, renderer: Renderer, sender: Sender,
                 translator: Translator | None = None) -> None:
        self._bot = bot
        self._handler = handler
        self._renderer = renderer
        self._sender = sender
        self._t: Translator = translator or gettext.NullTranslations()
        self._order = _HandoffOrder()
        # Replies go out in the order their updates came: a paced reply of several messages is
        # not overtaken by the answer to the next message.
        self._reply_order = _HandoffOrder()
        self._pressed = _BoundedSet(10_000)

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One update: build the event in order, hand it to the core, send its replies."""
        chat_id = _chat_of(update)
        if chat_id is None:
            return
        predecessor, mine = self._order.reserve(chat_id)  # synchronous: arrival order
        replies_before, my_replies = self._reply_order.reserve(chat_id)
        try:
            await self._handle_in_order(update, chat_id, predecessor, mine, replies_before)
        finally:
            self._reply_order.release(chat_id, my_replies)

    async def _handle_in_order(
        self, update: Update, chat_id: str, predecessor: asyncio.Event | None,
        mine: asyncio.Event, replies_before: asyncio.Event | None,
    ) -> None:
        event: Incoming | None = None
        try:
            self._sender.unblock(chat_id)  # the user wrote: sending may resume
            event = await self._to_incoming(update, chat_id)
            if predecessor is not None:
                await predecessor.wait()
        except Exception:
            log.exception("telegram: could not read update %s", update.update_id)
        finally:
            self._order.release(chat_id, mine)
        if event is None:
            return
        try:
            replies = await self._handler.handle(event)
        except Exception:
            # The core did not finish this event; its state is as it was before. Ask the user
            # to send it again rather than go silent.
            log.exception("telegram: handler failed on update %s", update.update_id)
            _ = self._t.gettext
            replies = [Reply(_(
                "Sorry, something went wrong on our side. Please send your last answer again."))]
        if replies_before is not None:
            await replies_before.wait()
        await self._sender.deliver(chat_id, replies)

    async def _to_incoming(self, update: Update, chat_id: str) -> Incoming | None:
        if update.callback_query is not None:
            return await self._from_button(update, update.callback_query, chat_id)
        message = update.message
        if message is None or message.from_user is None:
            return None  # edits, channel posts, service updates: not part of a dialog
        base = {
            "channel": CHANNEL,
            "chat_id": chat_id,
            "user_id": str(message.from_user.id),
            "update_id": str(update.update_id),
            "language": message.from_user.language_code,
        }
        return Incoming(**base, **await self._message_content(message, chat_id))

    async def _message_content(self, message: Message, chat_id: str) -> dict[str, Any]:
        """kind/text/command/payload of a message."""
        if message.text is not None:
            return self._text_content(message, chat_id)
        if message.contact is not None:
            own = message.contact.user_id == (message.from_user and message.from_user.id)
            if not own:  # someone else's card: not a phone number the user vouches for
                return {"kind": Kind.UNSUPPORTED, "payload": {"reason": "foreign_contact"}}
            return {"kind": Kind.CONTACT, "payload": {"phone": message.contact.phone_number}}
        if message.location is not None:
            return {"kind": Kind.LOCATION, "payload": {
                "latitude": message.location.latitude, "longitude": message.location.longitude}}
        if message.photo:
            largest = message.photo[-1]
            data = await self._download(largest.file_id, largest.file_size)
            return {"kind": Kind.PHOTO, "text": message.caption or "", "payload": {
                "file_id": largest.file_id, "file_name": None, "data": data}}
        if message.document is not None:
            doc = message.document
            data = await self._download(doc.file_id, doc.file_size)
            return {"kind": Kind.DOCUMENT, "text": message.caption or "", "payload": {
                "file_id": doc.file_id, "file_name": doc.file_name,
                "mime_type": doc.mime_type, "data": data}}
        return {"kind": Kind.UNSUPPORTED}

    def _text_content(self, message: Message, chat_id: str) -> dict[str, Any]:
        text = message.text or ""
        entity = message.entities[0] if message.entities else None
        if entity is not None and entity.type == "bot_command" and entity.offset == 0:
            word = text[1:entity.length].split("@", 1)[0].lower()
            return {"kind": Kind.COMMAND, "command": word, "text": text[entity.length:].strip()}
        cancel = self._renderer.cancel_label(chat_id)
        if cancel is not None and text.strip() == cancel:
            # The "Cancel" button of our own phone/location keyboard can only send its label.
            self._renderer.forget_request(chat_id)
            return {"kind": Kind.COMMAND, "command": "huy", "text": ""}
        return {"kind": Kind.TEXT, "text": text}

    async def _download(self, file_id: str, size: int | None) -> bytes | None:
        """The file's bytes when it is at most 5 MB and the download works; else None."""
        if size is not None and size > MAX_DOWNLOAD:
            return None
        try:
            file = await self._bot.get_file(file_id)
            if file.file_size is not None and file.file_size > MAX_DOWNLOAD:
                return None
            return bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("telegram: file download failed: %s", exc)
            return None

    async def _from_button(
        self, update: Update, query: CallbackQuery, chat_id: str
    ) -> Incoming | None:
        """Acknowledge the press, retire its keyboard, and turn it into a CHOICE once."""
        message = query.message
        key = (chat_id, message.message_id if message is not None else query.id)
        if key in self._pressed:  # a second tap before the keyboard disappeared
            await self._answer(query)
            return None
        payload = self._renderer.payload_of(query.data or "")
        if payload is None:
            _ = self._t.gettext
            await self._answer(query, _(
                "This button is no longer valid. Send /menu to see the options again."))
            return None
        self._pressed.add(key)
        await self._answer(query)
        if isinstance(message, Message):
            await self._retire_keyboard(message, query.data or "")
        return Incoming(
            channel=CHANNEL, chat_id=chat_id, user_id=str(query.from_user.id), kind=Kind.CHOICE,
            choice=payload, update_id=str(update.update_id),
            language=query.from_user.language_code,
        )

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        try:
            await query.answer(text=text)
        except TelegramError as exc:  # too old, or already answered: the press still counts
            log.info("telegram: answerCallbackQuery failed: %s", exc)

    async def _retire_keyboard(self, message: Message, data: str) -> None:
        """Replace the buttons with "✓ <chosen label>" under the text, or just remove them."""
        label = _label_of(message, data)
        try:
            if message.text is not None and label is not None:
                chosen = html.escape(label, quote=False)
                text = f"{html.escape(message.text, quote=False)}\n\n✓ {chosen}"
                if len(text) <= MAX_TEXT:
                    await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=None)
                    return
            await message.edit_reply_markup(reply_markup=None)
        except TelegramError as exc:  # older than 48 h, already edited...: nothing to undo
            log.info("telegram: keyboard not removed: %s", exc)


class _BoundedSet:
    """Keys seen recently (oldest forgotten first)."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[object, None] = OrderedDict()
        self._size = size

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def add(self, key: object) -> None:
        self._items[key] = None
        if len(self._items) > self._size:
            self._items.popitem(last=False)


class _HandoffOrder:
    """Per chat, each update waits for the previous one to be handed to the core."""

    def __init__(self) -> None:
        self._tails: dict[str, asyncio.Event] = {}

    def reserve(self, chat_id: str) -> tuple[asyncio.Event | None, asyncio.Event]:
        predecessor = self._tails.get(chat_id)
        mine = asyncio.Event()
        self._tails[chat_id] = mine
        return predecessor, mine

    def release(self, chat_id: str, mine: asyncio.Event) -> None:
        mine.set()
        if self._tails.get(chat_id) is mine:
            del self._tails[chat_id]


def _chat_of(update: Update) -> str | None:
    chat = update.effective_chat
    return None if chat is None else str(chat.id)


def _label_of(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
