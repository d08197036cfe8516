"""Zalo rendering: one core `Reply` as Zalo messages. Zalo has no buttons, so choices become a
numbered list; texts over 2000 characters are split at line boundaries; what Zalo cannot show
(a phone or location button, a file) becomes a hint or a download link; images go out by URL
from our own server (`MediaStore`, served on MEDIA_PATH).
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from bot.zalo.api import MAX_TEXT_LENGTH
from conversations import render
from domain.messages import Reply

MEDIA_PATH = "/media/{token}"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: a text, or a photo by URL with an optional caption."""

    text: str | None
    photo_url: str | None = None


class Renderer:
    def __init__(self, translate: Callable[[str], str], public_base_url: str | None,
                 media: MediaStore) -> None:
        self._translate = translate
        self._public_base_url = public_base_url
        self._media = media

    def messages(self, reply: Reply) -> list[Outgoing]:
        """An optional photo, then the text in ≤2000-character parts."""
        _ = self._translate
        text = self._render_text(reply)
        out: list[Outgoing] = []
        if reply.image is not None and self._public_base_url:
            url = self._media_url(reply.image, "image/png", "chart.png")
            caption = text if len(text) <= MAX_TEXT_LENGTH else None
            out.append(Outgoing(caption, url))
            if caption is not None:
                return out
        elif reply.image is not None and not text:
            text = _("The chart cannot be shown on Zalo.")
        return out + [Outgoing(chunk) for chunk in split_text(text)]

    def _render_text(self, reply: Reply) -> str:
        """The reply's text with choices as a numbered list and hints for what Zalo lacks."""
        _ = self._translate
        parts = [reply.text] if reply.text else []
        if reply.choices:
            hint = _("Reply with a number, for example: 1")
            parts.append(render.numbered_text(
                Reply("", reply.choices, typed_hint=reply.typed_hint), hint, _))
        if reply.request == "phone":
            parts.append(_("Please type your phone number, for example: 0912345678"))
        elif reply.request == "location":
            parts.append(_("Please type your address: house number, street, ward or commune"))
        if reply.document is not None:
            parts.append(self._document_line(reply))
        return "\n\n".join(parts)

    def _document_line(self, reply: Reply) -> str:
        """Zalo cannot send files: offer a download link, or say where to get the file."""
        _ = self._translate
        document = reply.document
        assert document is not None
        if not self._public_base_url:
            return _(
                "Files cannot be sent on Zalo. Please open the web chat to download the file."
            )
        url = self._media_url(document.data, document.mime_type, document.file_name)
        return _("Download the file: {url}").format(url=url)

    def _media_url(self, data: bytes, mime_type: str, file_name: str) -> str:
        token = self._media.put(data, mime_type, file_name)
        return f"{self._public_base_url}{MEDIA_PATH.format(token=token)}"


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Zalo's 2000-character messages, split at line boundaries (conversations/render.py)."""
    return render.split_text(text, limit)


@dataclass(frozen=True, slots=True)
class Media:
    data: bytes
    mime_type: str
    file_name: str
    stored_at: float


class MediaStore:
    """Images and files waiting to be fetched by Zalo or the user, under unguessable tokens."""

    def __init__(self, max_items: int = 256, ttl: float = 24 * 3600.0) -> None:
        self._max_items = max_items
        self._ttl = ttl
        self._items: OrderedDict[str, Media] = OrderedDict()

    def put(self, data: bytes, mime_type: str, file_name: str) -> str:
        """Store the bytes; return the token (with the file's extension, for picky clients)."""
        while len(self._items) >= self._max_items:
            self._items.popitem(last=False)
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        token = f"{secrets.token_urlsafe(24)}.{suffix}"
        self._items[token] = Media(data, mime_type, file_name, time.monotonic())
        return token

    def get(self, token: str) -> Media | None:
        """The stored item, or None when unknown or expired."""
        item = self._items.get(token)
        if item is None or item.stored_at < time.monotonic() - self._ttl:
            return None
        return item


def attachment(file_name: str) -> str:
    """A Content-Disposition with an ASCII fallback name and the real UTF-8 one (RFC 6266)."""
    folded = unicodedata.normalize("NFKD", file_name.replace("đ", "d").replace("Đ", "D"))
    fallback = "".join(c for c in folded if c.isascii() and c not in '"\\') or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"
