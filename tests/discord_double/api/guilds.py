"""Resources > Guild: guilds, their channels, roles and members, and adding a guild to the world."""

from __future__ import annotations

from ..world import DEFAULT_BOT_PERMISSIONS, Guild, PermissionsLike
from .gateway import GatewayApi
from .routing import Ctx, DiscordError, Reply, route


class GuildsApi(GatewayApi):
    """``/guilds/{guild_id}/...`` and :meth:`add_guild`."""

    def add_guild(
        self,
        name: str,
        *,
        bot_permissions: PermissionsLike = DEFAULT_BOT_PERMISSIONS,
        owner: str = "owner",
        locale: str = "en-US",
        shard: int | None = None,
    ) -> Guild:
        """Create a guild with an owner, the @everyone role, and the bot as a member with a managed role.

        If a client is already connected it receives GUILD_CREATE, as when a bot is invited (with several
        shards, the client running the guild's shard). ``shard`` picks an id Discord puts on that shard of
        ``shard_count``: ``(guild_id >> 22) % shard_count == shard``.
        """
        guild_id = self.snowflakes.world()
        while shard is not None and (guild_id >> 22) % self.shard_count != shard:
            guild_id = self.snowflakes.world()
        guild = Guild(self, guild_id, name, locale=locale)
        guild.double_bot_id = self.bot_user.id
        guild.add_member(owner, owner=True)
        bot_role = guild.add_role(self.bot_user.username, bot_permissions, managed=True, bot_id=self.bot_user.id)
        guild.add_member(self.bot_user.username, [bot_role], user=self.bot_user)
        self.guilds[guild.id] = guild
        guild.live = True
        session = self._session_for(guild.id)
        if session is not None:
            self._schedule(session.dispatch("GUILD_CREATE", guild.create_payload()))
        return guild

    def _guild(self, ctx: Ctx) -> Guild:
        guild = self.guilds.get(int(ctx.params["guild_id"]))
        if guild is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild

    @route("GET", "/guilds/{guild_id}")
    async def _get_guild(self, ctx: Ctx) -> Reply:
        data = self._guild(ctx).create_payload()
        for key in (
            "channels",
            "threads",
            "members",
            "voice_states",
            "presences",
            "joined_at",
            "large",
            "member_count",
        ):
            data.pop(key, None)
        return Reply(200, data)

    @route("GET", "/guilds/{guild_id}/channels")
    async def _get_guild_channels(self, ctx: Ctx) -> Reply:
        guild = self._guild(ctx)
        return Reply(200, [c.payload() for c in guild.channels.values() if not c.is_thread])

    @route("GET", "/guilds/{guild_id}/roles")
    async def _get_guild_roles(self, ctx: Ctx) -> Reply:
        return Reply(200, [r.payload() for r in self._guild(ctx).roles.values()])

    @route("GET", "/guilds/{guild_id}/members/{user_id}")
    async def _get_guild_member(self, ctx: Ctx) -> Reply:
        member = self._guild(ctx).members.get(int(ctx.params["user_id"]))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return Reply(200, member.payload())
