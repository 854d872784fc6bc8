"""What the double remembers: every request, and every message as the user would see it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

EPHEMERAL = 1 << 6
LOADING = 1 << 7

_MENTION_RE = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


@dataclass
class RecordedRequest:
    """One HTTP request the client made, with the parsed body (``payload_json`` for multipart)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    files: list[str] = field(default_factory=list)
    route: str | None = None
    status: int | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


@dataclass
class CallbackRecord:
    """An interaction callback (``POST /interactions/{id}/{token}/callback``) exactly as the bot sent it."""

    type: int
    data: dict[str, Any] | None
    body: dict[str, Any]

    @property
    def flags(self) -> int:
        return int((self.data or {}).get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)


@dataclass(eq=False)
class DoubleMessage:
    """A message as Discord would show it, plus the raw request bodies that created and edited it.

    ``data`` is the message object the double serves (and keeps up to date on edits); ``bodies`` holds the
    JSON the client sent, first the creation then each edit, so tests can check ``allowed_mentions`` & co.
    ``blobs`` holds the bytes of every file uploaded to it, by attachment id (see :attr:`files`).
    """

    id: int
    channel_id: int
    guild_id: int | None
    data: dict[str, Any]
    source: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    interaction_id: int | None = None
    deleted: bool = False
    blobs: dict[str, bytes] = field(default_factory=dict, repr=False)

    # -- what the user sees -----------------------------------------------------------------------------------

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.data.get("components") or [])

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """The attachment objects as served (``id``, ``filename``, ``size``, ``url``, ``content_type``...)."""
        return list(self.data.get("attachments") or [])

    @property
    def files(self) -> list[tuple[str, bytes]]:
        """``(filename, bytes)`` of every file the message shows now, in order.

        The bytes are what the client uploaded, so a test can check an export round-trips exactly; files an
        edit dropped are gone, files it kept (by attachment id) stay.
        """
        return [(a["filename"], self.blobs[a["id"]]) for a in self.attachments if a["id"] in self.blobs]

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while this is a deferred "is thinking…" placeholder."""
        return bool(self.flags & LOADING)

    @property
    def author_id(self) -> int:
        return int(self.data["author"]["id"])

    @property
    def nonce(self) -> str | int | None:
        return self.data.get("nonce")

    @property
    def edits(self) -> int:
        """How many times the message was edited after it was created."""
        return max(0, len(self.bodies) - 1)

    @property
    def text(self) -> str:
        """Content plus every embed's visible text, one piece a line: handy for "does it say X" checks."""
        return "\n".join([p for p in [self.content, *(_embed_text(e) for e in self.embeds)] if p])

    @property
    def custom_ids(self) -> list[str]:
        """Every component ``custom_id`` on the message, depth first."""
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        """The ``allowed_mentions`` of the latest body that had one (None when no body ever sent it)."""
        for body in reversed(self.bodies):
            if "allowed_mentions" in body:
                return body["allowed_mentions"]
        return None

    @property
    def pinged_user_ids(self) -> list[int]:
        """Users this message notified, after Discord applied ``allowed_mentions``."""
        return [int(u["id"]) for u in self.data.get("mentions") or []]

    @property
    def pinged_role_ids(self) -> list[int]:
        return [int(r) for r in self.data.get("mention_roles") or []]

    @property
    def pinged_everyone(self) -> bool:
        return bool(self.data.get("mention_everyone"))

    @property
    def pings(self) -> bool:
        """Whether anyone at all was notified."""
        return bool(self.pinged_user_ids or self.pinged_role_ids or self.pinged_everyone)

    def __repr__(self) -> str:
        flags = " ephemeral" if self.ephemeral else ""
        flags += " loading" if self.loading else ""
        flags += " deleted" if self.deleted else ""
        return f"<DoubleMessage id={self.id} source={self.source}{flags} text={self.text[:60]!r}>"


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten action rows, labels, containers and sections into a list of components, depth first."""
    found: list[dict[str, Any]] = []
    for component in components:
        found.append(component)
        found.extend(walk_components(component.get("components") or []))
        if isinstance(component.get("component"), dict):
            found.extend(walk_components([component["component"]]))
        if isinstance(component.get("accessory"), dict):
            found.extend(walk_components([component["accessory"]]))
    return found


def _embed_text(embed: dict[str, Any]) -> str:
    parts = [embed.get("author", {}).get("name"), embed.get("title"), embed.get("description")]
    for embed_field in embed.get("fields") or []:
        parts += [embed_field.get("name"), embed_field.get("value")]
    parts.append(embed.get("footer", {}).get("text"))
    return "\n".join(p for p in parts if p)


def resolve_mentions(
    content: str,
    allowed: dict[str, Any] | None,
    *,
    users: dict[int, dict[str, Any]],
    mentionable_roles: set[int],
    may_mention_everyone: bool,
) -> tuple[list[dict[str, Any]], list[str], bool]:
    """Which users/roles/@everyone a message notifies, applying ``allowed_mentions`` as Discord does.

    Without ``allowed_mentions`` everything in the content is parsed. With it, only the ``parse`` types and
    the explicitly listed ``users``/``roles`` are. Roles also need to be mentionable (or the author needs
    Mention Everyone), and @everyone/@here needs that permission.
    """
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    allowed_users = {int(u) for u in (allowed or {}).get("users") or []}
    allowed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
    mentioned_users = []
    for raw in dict.fromkeys(_MENTION_RE.findall(content)):
        uid = int(raw)
        if uid in users and ("users" in parse or uid in allowed_users):
            mentioned_users.append(users[uid])
    roles = []
    for raw in dict.fromkeys(_ROLE_MENTION_RE.findall(content)):
        rid = int(raw)
        if ("roles" in parse or rid in allowed_roles) and (rid in mentionable_roles or may_mention_everyone):
            roles.append(str(rid))
    everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse and may_mention_everyone
    return mentioned_users, roles, everyone
