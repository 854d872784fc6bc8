"""The guilds, channels, roles and members the double pretends exist.

Objects are built through :class:`Guild` (``double.add_guild(...)`` returns one) so ids stay deterministic and
so that, once a client is connected, additions are announced over the gateway the way Discord would
(GUILD_CREATE, CHANNEL_CREATE, GUILD_ROLE_CREATE). Permissions follow Discord's documented algorithm so
``member.permissions`` in an interaction, ``app_permissions`` and discord.py's own cache agree.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import discord

from .snowflake import iso, snowflake_time

if TYPE_CHECKING:
    from .snowflake import SnowflakeFactory

#: Every permission bit discord.py knows about.
ALL_PERMISSIONS = discord.Permissions.all().value
ADMINISTRATOR = discord.Permissions(administrator=True).value
VIEW_CHANNEL = discord.Permissions(view_channel=True).value
SEND_MESSAGES = discord.Permissions(send_messages=True).value
MENTION_EVERYONE = discord.Permissions(mention_everyone=True).value

#: What a fresh guild's @everyone role may do (Discord's defaults, minus voice details that do not matter here).
DEFAULT_EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    read_message_history=True,
    use_application_commands=True,
    change_nickname=True,
    create_instant_invite=True,
    connect=True,
    speak=True,
).value

#: What the bot's managed role gets when the double "invites" it (a typical invite link's scope).
DEFAULT_BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    add_reactions=True,
    use_external_emojis=True,
).value

PermissionsLike = int | discord.Permissions
T = TypeVar("T")


def permission_value(value: PermissionsLike | None) -> int:
    """Accept an int bitfield or a ``discord.Permissions``."""
    if value is None:
        return 0
    if isinstance(value, discord.Permissions):
        return value.value
    return int(value)


class ChannelType(enum.IntEnum):
    """Discord channel types the double can build."""

    text = 0
    voice = 2
    category = 4
    announcement = 5
    announcement_thread = 10
    public_thread = 11
    private_thread = 12
    stage = 13
    forum = 15

    @classmethod
    def coerce(cls, value: ChannelType | discord.ChannelType | str | int) -> ChannelType:
        """Accept our enum, discord.py's, a name such as ``"thread"``/``"news"`` or the raw number."""
        if isinstance(value, str):
            aliases = {"thread": "public_thread", "news": "announcement", "news_thread": "announcement_thread"}
            return cls[aliases.get(value, value)]
        if isinstance(value, discord.ChannelType):
            return cls(value.value)
        return cls(value)

    @property
    def is_thread(self) -> bool:
        return self in (ChannelType.announcement_thread, ChannelType.public_thread, ChannelType.private_thread)


class WorldListener(Protocol):
    """What the world tells when it changes (the double forwards it to the connected client)."""

    snowflakes: SnowflakeFactory

    def world_changed(self, event: str, payload: dict[str, Any], guild: Guild) -> None: ...


@dataclass(eq=False)
class User:
    """A Discord user (a person, or the bot itself)."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        """The user object as Discord serialises it."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class Role:
    """A guild role; the role whose id equals the guild's id is @everyone."""

    id: int
    guild: Guild = field(repr=False)
    name: str
    permissions: int
    position: int = 0
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass(eq=False)
class Channel:
    """A guild channel or thread."""

    id: int
    guild: Guild = field(repr=False)
    name: str
    type: ChannelType
    position: int = 0
    parent: Channel | None = field(default=None, repr=False)
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    owner_id: int | None = None
    last_message_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def is_thread(self) -> bool:
        return self.type.is_thread

    def payload(self, *, with_guild_id: bool = True) -> dict[str, Any]:
        """The channel object; GUILD_CREATE omits ``guild_id``, REST and interactions include it."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": int(self.type),
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent.id) if self.parent else None,
            "permission_overwrites": [] if self.is_thread else [o.payload() for o in self.overwrites],
            "nsfw": False,
            "flags": 0,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
            "rate_limit_per_user": 0,
        }
        if with_guild_id:
            data["guild_id"] = str(self.guild.id)
        if self.type in (ChannelType.text, ChannelType.announcement, ChannelType.forum):
            data["topic"] = self.topic
            data["default_auto_archive_duration"] = 1440
        if self.type in (ChannelType.voice, ChannelType.stage):
            data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
        if self.is_thread:
            created = snowflake_time(self.id)
            data.update(
                {
                    "owner_id": str(self.owner_id or self.guild.double_bot_id),
                    "message_count": 0,
                    "member_count": 1,
                    "total_message_sent": 0,
                    "thread_metadata": {
                        "archived": False,
                        "auto_archive_duration": 1440,
                        "archive_timestamp": iso(created),
                        "locked": False,
                        "invitable": True,
                        "create_timestamp": iso(created),
                    },
                }
            )
            del data["position"]
        return data


@dataclass(eq=False)
class Member:
    """A user's membership of a guild."""

    user: User
    guild: Guild = field(repr=False)
    roles: list[Role] = field(default_factory=list)
    nick: str | None = None
    locale: str = "en-US"
    joined_at: dt.datetime = field(default_factory=lambda: dt.datetime(2024, 1, 1, tzinfo=dt.UTC))

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.username

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def is_owner(self) -> bool:
        return self.guild.owner_id == self.user.id

    def permissions(self, channel: Channel | None = None) -> int:
        """This member's permissions, in ``channel`` if given (Discord's overwrite algorithm)."""
        return self.guild.permissions_for(self, channel)

    def payload(self) -> dict[str, Any]:
        """The guild member object (with ``user``), as in GUILD_CREATE."""
        return {
            "user": self.user.payload(),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r.id) for r in self.roles],
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }


class Guild:
    """A guild and everything in it. Build with ``double.add_guild(name)``; then add channels, roles, members."""

    def __init__(self, listener: WorldListener, guild_id: int, name: str, *, locale: str = "en-US") -> None:
        self._listener = listener
        self.id = guild_id
        self.name = name
        self.locale = locale
        self.owner_id: int = 0
        self.double_bot_id: int = 0
        self.roles: dict[int, Role] = {}
        self.channels: dict[int, Channel] = {}
        self.members: dict[int, Member] = {}
        #: Set once the guild is complete; from then on builder changes are announced over the gateway.
        self.live = False
        self.everyone = Role(id=guild_id, guild=self, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
        self.roles[guild_id] = self.everyone

    def __repr__(self) -> str:
        return f"<Guild id={self.id} name={self.name!r}>"

    # -- builders ---------------------------------------------------------------------------------------------

    def add_role(
        self,
        name: str,
        permissions: PermissionsLike | None = None,
        *,
        mentionable: bool = False,
        managed: bool = False,
        bot_id: int | None = None,
    ) -> Role:
        """Create a role (placed above the existing ones)."""
        role = Role(
            id=self._listener.snowflakes.world(),
            guild=self,
            name=name,
            permissions=permission_value(permissions),
            position=len(self.roles),
            mentionable=mentionable,
            managed=managed,
            bot_id=bot_id,
        )
        self.roles[role.id] = role
        self._listener.world_changed("GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.payload()}, self)
        return role

    def add_channel(
        self,
        name: str,
        type: ChannelType | discord.ChannelType | str | int = ChannelType.text,
        *,
        parent: Channel | None = None,
        topic: str | None = None,
        overwrites: Mapping[Role | Member, tuple[PermissionsLike, PermissionsLike]] | None = None,
    ) -> Channel:
        """Create a channel; threads need ``parent``. ``overwrites`` maps a role/member to ``(allow, deny)``."""
        kind = ChannelType.coerce(type)
        if kind.is_thread and parent is None:
            raise ValueError(f"a {kind.name} channel needs a parent channel")
        channel = Channel(
            id=self._listener.snowflakes.world(),
            guild=self,
            name=name,
            type=kind,
            position=len(self.channels),
            parent=parent,
            topic=topic,
        )
        for target, (allow, deny) in (overwrites or {}).items():
            channel.overwrites.append(
                Overwrite(
                    id=target.id,
                    type=1 if isinstance(target, Member) else 0,
                    allow=permission_value(allow),
                    deny=permission_value(deny),
                )
            )
        self.channels[channel.id] = channel
        event = "THREAD_CREATE" if kind.is_thread else "CHANNEL_CREATE"
        payload = channel.payload()
        if kind.is_thread:
            payload["newly_created"] = True
        self._listener.world_changed(event, payload, self)
        return channel

    def add_member(
        self,
        name: str,
        roles: Iterable[Role] = (),
        *,
        permissions: PermissionsLike | None = None,
        owner: bool = False,
        bot: bool = False,
        locale: str = "en-US",
        nick: str | None = None,
        user: User | None = None,
    ) -> Member:
        """Add a member. ``permissions`` gives them a personal role with exactly those extra permissions.

        ``owner=True`` makes them the guild owner (all permissions, as on Discord).
        """
        if user is None:
            user = User(id=self._listener.snowflakes.world(), username=name, bot=bot, global_name=name.title())
        member_roles = list(roles)
        if permissions is not None:
            member_roles.append(self.add_role(f"@{name}", permissions))
        member = Member(user=user, guild=self, roles=member_roles, nick=nick, locale=locale)
        self.members[user.id] = member
        if owner:
            self.owner_id = user.id
        payload = member.payload()
        payload["guild_id"] = str(self.id)
        self._listener.world_changed("GUILD_MEMBER_ADD", payload, self)
        return member

    # -- look-ups ---------------------------------------------------------------------------------------------

    def channel(self, name: str) -> Channel:
        """The channel called ``name`` (raises with the known names if there is none)."""
        return _by_name(self.channels.values(), name, "channel", lambda c: c.name)

    def member(self, name: str) -> Member:
        """The member whose username is ``name``."""
        return _by_name(self.members.values(), name, "member", lambda m: m.user.username)

    def role(self, name: str) -> Role:
        """The role called ``name``."""
        return _by_name(self.roles.values(), name, "role", lambda r: r.name)

    @property
    def me(self) -> Member:
        """The bot's own member."""
        return self.members[self.double_bot_id]

    # -- permissions ------------------------------------------------------------------------------------------

    def base_permissions(self, member: Member) -> int:
        """Guild-level permissions: @everyone plus the member's roles; owners and administrators get all."""
        if member.is_owner:
            return ALL_PERMISSIONS
        value = self.everyone.permissions
        for role in member.roles:
            value |= role.permissions
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return value

    def permissions_for(self, member: Member, channel: Channel | None = None) -> int:
        """Discord's permission algorithm, including @everyone, role and member overwrites."""
        value = self.base_permissions(member)
        if channel is None or value & ADMINISTRATOR:
            return value
        source = channel.parent if channel.is_thread and channel.parent else channel
        by_id = {o.id: o for o in source.overwrites}
        if everyone := by_id.get(self.id):
            value = (value & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role in member.roles:
            if overwrite := by_id.get(role.id):
                allow |= overwrite.allow
                deny |= overwrite.deny
        value = (value & ~deny) | allow
        if personal := by_id.get(member.id):
            value = (value & ~personal.deny) | personal.allow
        if not value & VIEW_CHANNEL:
            return 0
        return value

    # -- payloads ---------------------------------------------------------------------------------------------

    def create_payload(self) -> dict[str, Any]:
        """The GUILD_CREATE payload: the guild with its roles, channels, threads and members."""
        channels = [c for c in self.channels.values() if not c.is_thread]
        threads = [c for c in self.channels.values() if c.is_thread]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "features": [],
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "joined_at": iso(snowflake_time(self.id)),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "max_members": 500000,
            "max_video_channel_users": 25,
            "channels": [c.payload(with_guild_id=False) for c in channels],
            "threads": [c.payload() for c in threads],
            "members": [m.payload() for m in self.members.values()],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "application_command_counts": {},
        }


def _by_name(items: Iterable[T], name: str, kind: str, key: Callable[[T], str]) -> T:
    found = [item for item in items if key(item) == name]
    if not found:
        known = sorted(key(item) for item in items)
        raise LookupError(f"no {kind} named {name!r}; known: {known}")
    return found[0]
