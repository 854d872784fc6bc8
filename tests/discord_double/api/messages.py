"""Resources > Message: posting, paging, editing and deleting messages, and the events they cause.

Every message lives here, whoever posts it: the bot on a channel, an interaction's response or follow-up
(:mod:`.interactions` calls :meth:`_store_message`), or a member (:meth:`post_user_message`).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..files import FilePart
from ..records import EPHEMERAL, LOADING, DoubleMessage, resolve_mentions
from ..records import walk_components as _walk
from ..snowflake import iso
from ..world import MENTION_EVERYONE, SEND_MESSAGES, VIEW_CHANNEL, Channel, User
from .attachments import AttachmentsApi
from .channels import ChannelsApi
from .dms import DmsApi
from .gateway import GUILD_MESSAGES, MESSAGE_CONTENT, GatewayApi
from .routing import Ctx, DiscordError, Reply, route

SEND_MESSAGES_IN_THREADS = 1 << 38
READ_MESSAGE_HISTORY = 1 << 16
#: Discord's page size for ``GET /channels/{id}/messages``, when ``limit`` is not given.
DEFAULT_MESSAGES_LIMIT = 50
ATTACH_FILES = 1 << 15
MANAGE_MESSAGES = 1 << 13


class MessagesApi(DmsApi, ChannelsApi, AttachmentsApi, GatewayApi):
    """``/channels/{channel_id}/messages(/{message_id})`` and the store of every message."""

    def messages(
        self, channel: Channel | int, *, include_ephemeral: bool = True, include_deleted: bool = False
    ) -> list[DoubleMessage]:
        """Everything posted to a channel (by the bot, webhooks, interaction responses, users), oldest first."""
        channel_id = channel.id if isinstance(channel, Channel) else int(channel)
        return [
            m
            for m in self._channel_messages.get(channel_id, [])
            if (include_ephemeral or not m.ephemeral) and (include_deleted or not m.deleted)
        ]

    def message(self, message_id: int) -> DoubleMessage:
        return self._messages[int(message_id)]

    def _channel_message(self, ctx: Ctx) -> tuple[Channel, DoubleMessage]:
        channel = self._channel_by_id(ctx.params["channel_id"])
        message = self._messages.get(int(ctx.params["message_id"]))
        if message is None or message.channel_id != channel.id or message.deleted or message.ephemeral:
            raise DiscordError(404, 10008, "Unknown Message")
        return channel, message

    @route("GET", "/channels/{channel_id}/messages")
    async def _list_messages(self, ctx: Ctx) -> Reply:
        """Up to ``limit`` messages, newest first: the newest, those just before ``before``, or those just
        after ``after`` (the oldest ones after it, still newest first, as Discord pages them).

        As Discord documents it, a bot that may see the channel but not read its history gets no messages,
        not a 403: an empty page proves nothing, and the bot has to know its permissions itself."""
        channel = self._channel_by_id(ctx.params["channel_id"])
        self._bot_may(channel, VIEW_CHANNEL)
        if not channel.guild.permissions_for(channel.guild.me, channel) & READ_MESSAGE_HISTORY:
            return Reply(200, [])
        query = ctx.request.query
        if "around" in query:
            raise NotImplementedError("the double does not model `around`")
        limit = int(query.get("limit", DEFAULT_MESSAGES_LIMIT))
        visible = self.messages(channel, include_ephemeral=False)
        if "after" in query:
            after = int(query["after"])
            page = [m for m in visible if m.id > after][:limit]
        else:
            before = int(query["before"]) if "before" in query else None
            page = [m for m in visible if before is None or m.id < before][-limit:]
        return Reply(200, [m.data for m in reversed(page)])

    @route("POST", "/channels/{channel_id}/messages")
    async def _create_channel_message(self, ctx: Ctx) -> Reply:
        if (to_dm := self._dm_message(int(ctx.params["channel_id"]), ctx.body or {})) is not None:
            return to_dm
        channel = self._channel_by_id(ctx.params["channel_id"])
        self._bot_may(channel, SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES)
        body = ctx.body or {}
        if (seen := self._nonce_seen(channel.id, body)) is not None:
            return Reply(200, seen.data)
        if ctx.files:
            self._bot_may(channel, ATTACH_FILES)
        message_type = 19 if body.get("message_reference") else 0
        message = self._store_message(
            channel, self.bot_user, body, source="channel", message_type=message_type, files=ctx.files
        )
        self._nonce_sent(channel.id, body, message)
        return Reply(200, message.data)

    @route("GET", "/channels/{channel_id}/messages/{message_id}")
    async def _get_channel_message(self, ctx: Ctx) -> Reply:
        _, message = self._channel_message(ctx)
        return Reply(200, message.data)

    @route("PATCH", "/channels/{channel_id}/messages/{message_id}")
    async def _edit_channel_message(self, ctx: Ctx) -> Reply:
        channel, message = self._channel_message(ctx)
        if message.author_id != self.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        if ctx.files:
            self._bot_may(channel, ATTACH_FILES)
        self._edit_message(message, ctx.body or {}, files=ctx.files)
        return Reply(200, message.data)

    @route("DELETE", "/channels/{channel_id}/messages/{message_id}")
    async def _delete_channel_message(self, ctx: Ctx) -> Reply:
        channel, message = self._channel_message(ctx)
        if message.author_id != self.bot_user.id:
            self._bot_may(channel, MANAGE_MESSAGES)
        self._delete_message(message)
        return Reply(204)

    def _store_message(
        self,
        channel: Channel,
        author: User,
        body: dict[str, Any],
        *,
        source: str,
        message_type: int,
        extra: dict[str, Any] | None = None,
        allowed_flags: int = 4 | 4096 | (1 << 15),
        files: Mapping[str, FilePart] | None = None,
    ) -> DoubleMessage:
        visible = ("content", "embeds", "components", "sticker_ids", "attachments", "poll")
        if not any(body.get(k) for k in visible) and not files and not int(body.get("flags") or 0) & LOADING:
            raise DiscordError(400, 50006, "Cannot send an empty message")
        self._check_file_sizes(files or {})
        message_id = self.snowflakes.event()
        data: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": str(body.get("content") or ""),
            "timestamp": iso(dt.datetime.now(dt.UTC)),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": _embeds(body.get("embeds")),
            "components": _components(body.get("components")),
            "pinned": False,
            "type": message_type,
            "flags": int(body.get("flags") or 0) & allowed_flags,
        }
        if body.get("nonce") is not None:
            data["nonce"] = body["nonce"]
        if body.get("message_reference"):
            reference = dict(body["message_reference"])
            reference.setdefault("channel_id", str(channel.id))
            reference["guild_id"] = str(channel.guild.id)
            data["message_reference"] = reference
            referenced = self._messages.get(int(reference.get("message_id", 0)))
            data["referenced_message"] = referenced.data if referenced else None
        data.update(extra or {})
        message = DoubleMessage(
            id=message_id,
            channel_id=channel.id,
            guild_id=channel.guild.id,
            data=data,
            source=source,
            bodies=[copy.deepcopy(body)],
        )
        if files:
            data["attachments"] = self._attachments(message, body, files, data["attachments"])
        self._apply_mentions(message, channel, author)
        self._messages[message_id] = message
        self._channel_messages.setdefault(channel.id, []).append(message)
        if not message.ephemeral and not message.loading:
            channel.last_message_id = message_id
        self._announce("MESSAGE_CREATE", message, channel)
        return message

    def _edit_message(
        self, message: DoubleMessage, body: dict[str, Any], *, files: Mapping[str, FilePart] | None = None
    ) -> None:
        self._check_file_sizes(files or {})
        data = message.data
        was_loading = message.loading
        if "content" in body:
            data["content"] = str(body["content"] or "")
        if "embeds" in body:
            data["embeds"] = _embeds(body["embeds"])
        if "components" in body:
            data["components"] = _components(body["components"])
        if body.get("flags") is not None:
            keep = data["flags"] & (EPHEMERAL | (1 << 15))
            data["flags"] = keep | (int(body["flags"]) & (4 | (1 << 15)))
        data["flags"] &= ~LOADING
        if "attachments" in body or files:
            data["attachments"] = self._attachments(message, body, files or {}, data["attachments"])
        if not was_loading:
            data["edited_timestamp"] = iso(dt.datetime.now(dt.UTC))
        message.bodies.append(copy.deepcopy(body))
        channel = self._channel_by_id(str(message.channel_id))
        self._apply_mentions(message, channel, self.bot_user)
        self._announce("MESSAGE_UPDATE", message, channel)

    def _delete_message(self, message: DoubleMessage) -> None:
        message.deleted = True
        session = self._session_for(message.guild_id)
        if session is not None and not message.ephemeral and session.intents & GUILD_MESSAGES:
            payload = {"id": str(message.id), "channel_id": str(message.channel_id), "guild_id": str(message.guild_id)}
            self._schedule(session.dispatch("MESSAGE_DELETE", payload))

    def _apply_mentions(self, message: DoubleMessage, channel: Channel, author: User) -> None:
        guild = channel.guild
        author_member = guild.members.get(author.id)
        may_everyone = bool(author_member and guild.permissions_for(author_member, channel) & MENTION_EVERYONE)
        users, roles, everyone = resolve_mentions(
            message.content,
            message.allowed_mentions,
            users={m.id: m.user.payload() for m in guild.members.values()},
            mentionable_roles={r.id for r in guild.roles.values() if r.mentionable},
            may_mention_everyone=may_everyone,
        )
        message.data.update(mentions=users, mention_roles=roles, mention_everyone=everyone)

    def _announce(self, event: str, message: DoubleMessage, channel: Channel) -> None:
        session = self._session_for(channel.guild.id)
        if session is None or message.ephemeral or not session.intents & GUILD_MESSAGES:
            return
        payload = copy.deepcopy(message.data)
        payload["guild_id"] = str(channel.guild.id)
        author = channel.guild.members.get(message.author_id)
        if author is not None and "webhook_id" not in payload:
            payload["member"] = {k: v for k, v in author.payload().items() if k != "user"}
        if message.author_id != self.bot_user.id and not session.intents & MESSAGE_CONTENT:
            payload.update(content="", embeds=[], components=[], attachments=[])
        self._schedule(session.dispatch(event, payload))


def _embeds(embeds: Any) -> list[dict[str, Any]]:
    result = []
    for embed in embeds or []:
        embed = copy.deepcopy(embed)
        embed.setdefault("type", "rich")
        result.append(embed)
    return result


def _components(components: Any) -> list[dict[str, Any]]:
    """Copy components, numbering them as Discord does (``id`` 1, 2, ... depth first) where missing."""
    copied = copy.deepcopy(components or [])
    for number, component in enumerate(_walk(copied), start=1):
        component.setdefault("id", number)
    return copied
