"""Files: what a user uploads into an ATTACHMENT option, and what the bot uploads with its messages.

Discord keeps every attachment on its CDN and hands out URLs; discord.py's ``Attachment.read()`` downloads
from that URL with its plain aiohttp session (``HTTPClient.get_from_cdn``: no ``Route``, no Authorization
header). So the double stores the bytes itself and serves them at ``/attachments/...`` on its own port,
without asking for auth, just like the CDN.
"""

from __future__ import annotations

import mimetypes
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

#: Discord's default upload limit (bots and users without boosts), also sent as ``attachment_size_limit``.
DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

#: Padding for :meth:`Upload.padded`: comment lines, so a padded YAML/CSV/text file still parses.
_FILLER = b"# padding " + b"." * 69 + b"\n"


@dataclass(frozen=True)
class Upload:
    """A file a test user attaches to a slash command option (see ``DiscordDouble.attachment``).

    It is a template, not an attachment yet: every ``slash`` that uses it uploads it anew, with a fresh
    attachment id and URL, as the Discord client does.
    """

    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @classmethod
    def padded(
        cls,
        filename: str,
        data: bytes,
        size: int,
        *,
        content_type: str | None = None,
        description: str | None = None,
    ) -> Upload:
        """``data`` followed by ``#`` comment lines up to exactly ``size`` bytes.

        For size-limit tests: a 3 MiB file costs one ``bytes`` allocation, and it stays valid YAML/text so
        a bot that does parse it sees the same content as ``data``.
        """
        if size < len(data):
            raise ValueError(f"{filename}: size {size} is smaller than the {len(data)} bytes given")
        head = data if not data or data.endswith(b"\n") or size == len(data) else data + b"\n"
        missing = size - len(head)
        filler = (_FILLER * (missing // len(_FILLER) + 1))[:missing]
        return cls(filename, head + filler, content_type=content_type, description=description)


@dataclass
class StoredFile:
    """An attachment the double holds and serves: bytes plus the attachment object Discord shows."""

    id: int
    channel_id: int
    filename: str
    data: bytes
    content_type: str | None
    payload: dict[str, Any]


def guess_content_type(filename: str) -> str | None:
    """The content type Discord would report: guessed from the name, with a charset for text.

    discord.py labels every part ``application/octet-stream``; Discord ignores that and sniffs the file, so
    the label the bot sent is no guide. Unknown types are left out, as Discord leaves the field out.
    """
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    if guessed is None and filename.lower().endswith((".yaml", ".yml")):
        guessed = "application/x-yaml"  # Python < 3.13 does not know YAML
    if guessed is not None and guessed.startswith("text/"):
        guessed += "; charset=utf-8"
    return guessed


def store_file(
    file_id: int,
    channel_id: int,
    filename: str,
    data: bytes,
    *,
    base_url: str,
    content_type: str | None,
    description: str | None = None,
    ephemeral: bool = False,
) -> StoredFile:
    """Keep a file and build the attachment object Discord shows for it (``id``, ``size``, ``url``...).

    URLs carry Discord's signed-URL parameters (``ex``, ``is``, ``hm``) so that code which takes URLs apart
    meets them in tests rather than first in production.
    """
    path = f"/attachments/{channel_id}/{file_id}/{urllib.parse.quote(filename)}"
    now = int(time.time())
    url = f"{base_url}{path}?ex={now + 86_400:x}&is={now:x}&hm={secrets.token_hex(32)}&"
    payload: dict[str, Any] = {
        "id": str(file_id),
        "filename": filename,
        "size": len(data),
        "url": url,
        "proxy_url": url,
    }
    if content_type is not None:
        payload["content_type"] = content_type
    if description is not None:
        payload["description"] = description
    if ephemeral:
        payload["ephemeral"] = True
    return StoredFile(file_id, channel_id, filename, data, content_type, payload)


@dataclass(frozen=True)
class FilePart:
    """One ``files[n]`` part of a multipart request, as the client sent it."""

    filename: str | None
    data: bytes
