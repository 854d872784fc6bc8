"""Interactions > Application Commands: syncing slash commands, globally and per guild."""

from __future__ import annotations

import copy
from typing import Any

from ..world import Guild
from .routing import Ctx, DiscordError, Reply, route
from .state import DoubleState


class CommandsApi(DoubleState):
    """``/applications/{id}/(guilds/{id}/)commands``: what the bot synced, and how a test inspects it."""

    def commands(self, guild: Guild | int | None = None) -> list[dict[str, Any]]:
        """The commands as synced (with ids) for ``guild``, or the global ones."""
        return copy.deepcopy(self._commands.get(_gid(guild), []))

    def command(self, name: str, guild: Guild | int | None = None) -> dict[str, Any]:
        """One synced command by name."""
        for command in self._commands.get(_gid(guild), []):
            if command["name"] == name:
                return copy.deepcopy(command)
        raise LookupError(f"no command {name!r} synced to {guild or 'global'}")

    def _scope(self, ctx: Ctx) -> int | None:
        if int(ctx.params["application_id"]) != self.application_id:
            raise DiscordError(403, 50001, "Missing Access")
        guild_id = ctx.params.get("guild_id")
        if guild_id is None:
            return None
        if int(guild_id) not in self.guilds:
            raise DiscordError(403, 50001, "Missing Access")
        return int(guild_id)

    def _stored_command(self, scope: int | None, body: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
        command = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **copy.deepcopy(body),
        }
        if command["default_member_permissions"] is not None:
            command["default_member_permissions"] = str(command["default_member_permissions"])
        if scope is not None:
            command["guild_id"] = str(scope)
            command.pop("dm_permission", None)
        comparable = {k: v for k, v in command.items() if k not in ("id", "application_id", "version")}
        if (
            old is not None
            and {k: v for k, v in old.items() if k not in ("id", "application_id", "version")} == comparable
        ):
            return old
        command["id"] = old["id"] if old else str(self.snowflakes.event())
        command["application_id"] = str(self.application_id)
        command["version"] = str(self.snowflakes.event())
        return command

    @route("GET", "/applications/{application_id}/commands")
    @route("GET", "/applications/{application_id}/guilds/{guild_id}/commands")
    async def _list_commands(self, ctx: Ctx) -> Reply:
        return Reply(200, copy.deepcopy(self._commands.get(self._scope(ctx), [])))

    @route("PUT", "/applications/{application_id}/commands")
    @route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
    async def _put_commands(self, ctx: Ctx) -> Reply:
        scope = self._scope(ctx)
        body = ctx.body or []
        seen: set[tuple[str, int]] = set()
        for index, command in enumerate(body):
            key = (command.get("name"), command.get("type", 1))
            if key in seen:
                raise DiscordError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {str(index): {"name": {"_errors": [{"code": "APPLICATION_COMMANDS_DUPLICATE_NAME"}]}}},
                )
            seen.add(key)
        self.command_puts[scope] += 1
        self.command_bodies[scope] = copy.deepcopy(body)
        old = {(c["name"], c["type"]): c for c in self._commands.get(scope, [])}
        stored = [self._stored_command(scope, c, old.get((c["name"], c.get("type", 1)))) for c in body]
        self._commands[scope] = stored
        return Reply(200, copy.deepcopy(stored))

    @route("POST", "/applications/{application_id}/commands")
    @route("POST", "/applications/{application_id}/guilds/{guild_id}/commands")
    async def _post_command(self, ctx: Ctx) -> Reply:
        scope = self._scope(ctx)
        commands = self._commands.setdefault(scope, [])
        body = ctx.body or {}
        for index, old in enumerate(commands):
            if old["name"] == body.get("name") and old["type"] == body.get("type", 1):
                commands[index] = self._stored_command(scope, body, old)
                return Reply(200, copy.deepcopy(commands[index]))
        commands.append(self._stored_command(scope, body, None))
        return Reply(201, copy.deepcopy(commands[-1]))

    def _find_command(self, ctx: Ctx) -> tuple[list[dict[str, Any]], int]:
        commands = self._commands.get(self._scope(ctx), [])
        for index, command in enumerate(commands):
            if command["id"] == ctx.params["command_id"]:
                return commands, index
        raise DiscordError(404, 10063, "Unknown application command")

    @route("GET", "/applications/{application_id}/commands/{command_id}")
    @route("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
    async def _get_command(self, ctx: Ctx) -> Reply:
        commands, index = self._find_command(ctx)
        return Reply(200, copy.deepcopy(commands[index]))

    @route("PATCH", "/applications/{application_id}/commands/{command_id}")
    @route("PATCH", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
    async def _patch_command(self, ctx: Ctx) -> Reply:
        commands, index = self._find_command(ctx)
        merged = {**commands[index], **(ctx.body or {})}
        commands[index] = self._stored_command(self._scope(ctx), merged, commands[index])
        return Reply(200, copy.deepcopy(commands[index]))

    @route("DELETE", "/applications/{application_id}/commands/{command_id}")
    @route("DELETE", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}")
    async def _delete_command(self, ctx: Ctx) -> Reply:
        commands, index = self._find_command(ctx)
        del commands[index]
        return Reply(204)


def _gid(guild: Guild | int | None) -> int | None:
    if guild is None:
        return None
    return guild.id if isinstance(guild, Guild) else int(guild)
