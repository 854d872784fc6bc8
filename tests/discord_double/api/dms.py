"""Resources > User > Create DM, and messages in DM channels, with Discord's documented DM refusals.

``POST /users/@me/channels`` opens (or returns again) the DM channel with a member. Two refusals are
set per test: ``refuse_dm_opens(n)`` makes the next ``n`` opens fail as a bot opening DMs too fast
(403, code 40003, "You are opening direct messages too fast"), and ``close_dms(member)`` makes messages to
that member fail as Discord answers a user who does not accept DMs (403, code 50007, "Cannot send messages
to this user"). ``dms(member)`` is what the member received, oldest first.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..records import DoubleMessage
from ..snowflake import iso
from ..world import Member, User
from .routing import Ctx, DiscordError, Reply, route
from .state import DoubleState

OPENING_TOO_FAST = (403, 40003, "You are opening direct messages too fast")
CANNOT_MESSAGE = (403, 50007, "Cannot send messages to this user")


@dataclass
class DmChannel:
    """The DM channel between the bot and one user."""

    id: int
    recipient: User

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": 1, "last_message_id": None, "recipients": [self.recipient.payload()]}


class DmsApi(DoubleState):
    """DM channels: opened per user, refused as Discord refuses them."""

    def _nonce_seen(self, channel_id: int, body: dict[str, Any]) -> DoubleMessage | None:
        """The message an `enforce_nonce` post made before, within the nonce window (channel messages too)."""
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return None
        seen = self._nonces.get((channel_id, self.bot_user.id, str(nonce)))
        if seen is None or self.clock() - seen[0] >= self.nonce_window:
            return None
        self.nonce_dedupes += 1
        return seen[1]

    def _nonce_sent(self, channel_id: int, body: dict[str, Any], message: DoubleMessage) -> None:
        """Remember the message a post with a nonce made, for `_nonce_seen`."""
        if body.get("nonce") is not None:
            self._nonces[(channel_id, self.bot_user.id, str(body["nonce"]))] = (self.clock(), message)

    def refuse_dm_opens(self, count: int) -> None:
        """The next `count` DM channel opens fail with 40003."""
        self._dm_refusals = count

    def close_dms(self, member: Member | User, closed: bool = True) -> None:
        """Messages to this member fail with 50007 (or, with `closed=False`, arrive again)."""
        if closed:
            self._dms_closed.add(member.id)
        else:
            self._dms_closed.discard(member.id)

    def dms(self, member: Member | User) -> list[DoubleMessage]:
        """The messages the bot sent the member in DMs, oldest first."""
        channel = self._dms_by_user.get(member.id)
        return list(self._channel_messages.get(channel.id, [])) if channel else []

    def _user(self, user_id: int) -> User:
        for guild in self.guilds.values():
            if user_id in guild.members:
                return guild.members[user_id].user
        raise DiscordError(400, 50035, "Invalid Form Body")

    @route("POST", "/users/@me/channels")
    async def _create_dm(self, ctx: Ctx) -> Reply:
        if self._dm_refusals:
            self._dm_refusals -= 1
            raise DiscordError(*OPENING_TOO_FAST)
        user = self._user(int((ctx.body or {})["recipient_id"]))
        channel = self._dms_by_user.get(user.id)
        if channel is None:
            channel = DmChannel(self.snowflakes.event(), user)
            self._dms_by_user[user.id] = self._dms_by_id[channel.id] = channel
        self.dm_opens += 1
        return Reply(200, channel.payload())

    def _dm_message(self, channel_id: int, body: dict[str, Any]) -> Reply | None:
        """A message to a DM channel (None when `channel_id` is not one): 50007 if closed, once per nonce."""
        channel: DmChannel | None = self._dms_by_id.get(channel_id)
        if channel is None:
            return None
        if channel.recipient.id in self._dms_closed:
            raise DiscordError(*CANNOT_MESSAGE)
        if (seen := self._nonce_seen(channel.id, body)) is not None:
            return Reply(200, seen.data)
        nonce = body.get("nonce")
        message_id = self.snowflakes.event()
        data: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": self.bot_user.payload(),
            "content": str(body.get("content") or ""),
            "timestamp": iso(dt.datetime.now(dt.UTC)),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": copy.deepcopy(body.get("embeds") or []),
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        if nonce is not None:
            data["nonce"] = nonce
        message = DoubleMessage(message_id, channel.id, None, data, "channel", [copy.deepcopy(body)])
        self._messages[message_id] = message
        self._channel_messages.setdefault(channel.id, []).append(message)
        self._nonce_sent(channel.id, body, message)
        return Reply(200, data)
