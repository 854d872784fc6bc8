"""What a test does as a Discord user: run a slash command, type for autocomplete, press, submit a modal, post.

Not a section of Discord's API: this is the Discord client's side. It builds the INTERACTION_CREATE the
client would cause (checking options as the client does) and sends it down the gateway.
"""

# Waiting methods take `timeout=`: a test waiting on the bot must fail with an explanation, never hang.
# ruff: noqa: ASYNC109

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Mapping
from typing import Any

from . import interactions as ix
from .api.messages import MessagesApi
from .files import Upload, guess_content_type, store_file
from .records import DoubleMessage
from .records import walk_components as _walk
from .world import Channel, Guild, Member

ChannelRef = Channel | str
MemberRef = Member | str


class ActingAsUsers(MessagesApi):
    """The test's hands: every interaction a user can start, and what the bot did with it when it times out."""

    def attachment(
        self,
        filename: str,
        data: bytes = b"",
        *,
        content_type: str | None = None,
        size: int | None = None,
        description: str | None = None,
    ) -> Upload:
        """A file for an ATTACHMENT option of :meth:`slash`: ``{"file": double.attachment("p.yaml", b"...")}``.

        ``size`` pads ``data`` with ``#`` comment lines to exactly that many bytes (e.g. ``3 * 1024 * 1024``
        for a too-big upload). ``content_type`` defaults to what Discord reports for the file name.
        """
        kind = content_type if content_type is not None else guess_content_type(filename)
        if size is None:
            return Upload(filename, data, content_type=kind, description=description)
        return Upload.padded(filename, data, size, content_type=kind, description=description)

    async def slash(
        self,
        guild: Guild,
        channel: ChannelRef,
        member: MemberRef,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        wait: bool = True,
        timeout: float | None = None,
        locale: str | None = None,
        overridden: bool = False,
        crafted: bool = False,
    ) -> ix.InteractionResult:
        """Run ``/command`` (``"fact show"`` for sub-commands) as ``member`` in ``channel``.

        Options are looked up in what the bot synced, typed, and checked like the Discord client would
        (unknown names, required options, choices, min/max). Users/members, roles and channels may be given
        as builder objects or ids and are put in ``resolved``. Returns once the bot answered (``wait``).
        ``overridden`` skips the client's ``default_member_permissions`` hiding, as a server admin's
        per-role override (or a crafted request) does, to test that the bot checks writes itself.
        ``crafted`` sends the values as given, skipping the client's checks of choices, lengths and ranges
        (Discord itself does not enforce them): what a hand-made request can send.
        """
        channel, member = _channel(guild, channel), _member(guild, member)
        top, sub_path, leaf = ix.find_command(self._commands, guild, command)
        ix.check_can_use(top, guild, channel, member, overridden=overridden or crafted)
        resolver = ix.Resolver(guild, channel, self._upload)
        opts = ix.build_options(
            leaf.get("options") or [], dict(options or {}), resolver, command=command, client_checks=not crafted
        )
        data = self._command_data(top, ix.nest(sub_path, leaf, opts), resolver)
        result = await self._interact(ix.APPLICATION_COMMAND, command, data, guild, channel, member, locale=locale)
        if wait:
            await result.response(timeout)
        return result

    async def autocomplete(
        self,
        guild: Guild,
        channel: ChannelRef,
        member: MemberRef,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        focused: str,
        timeout: float | None = None,
        locale: str | None = None,
    ) -> ix.InteractionResult:
        """Type into option ``focused`` of ``/command``; returns once the bot answered with choices."""
        channel, member = _channel(guild, channel), _member(guild, member)
        top, sub_path, leaf = ix.find_command(self._commands, guild, command)
        declared = {o["name"]: o for o in leaf.get("options") or []}
        if focused in declared and not declared[focused].get("autocomplete"):
            raise ValueError(f"/{command} option {focused!r} does not have autocomplete enabled")
        resolver = ix.Resolver(guild, channel, self._upload)
        opts = ix.build_options(
            leaf.get("options") or [], dict(options or {}), resolver, command=command, focused=focused
        )
        data = self._command_data(top, ix.nest(sub_path, leaf, opts), resolver)
        result = await self._interact(ix.AUTOCOMPLETE, command, data, guild, channel, member, locale=locale)
        await result.response(timeout)
        return result

    async def press(
        self,
        guild: Guild,
        channel: ChannelRef,
        member: MemberRef,
        message: DoubleMessage | ix.InteractionResult | int,
        custom_id: str,
        *,
        values: list[Any] | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> ix.InteractionResult:
        """Click the button (or choose ``values`` in the select) ``custom_id`` on a message the bot posted.

        ``message`` is a :class:`DoubleMessage` (e.g. from :meth:`messages`), a message id, or an interaction
        result whose response carries the component.
        """
        channel, member = _channel(guild, channel), _member(guild, member)
        if isinstance(message, ix.InteractionResult):
            if message.message is None:
                raise LookupError(f"{message!r} has no response message to press on")
            message = message.message
        msg = message if isinstance(message, DoubleMessage) else self._messages[int(message)]
        component = next((c for c in _walk(msg.components) if c.get("custom_id") == custom_id), None)
        if component is None:
            raise LookupError(f"message {msg.id} has no component {custom_id!r}; it has {msg.custom_ids}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"], "id": component.get("id")}
        if component["type"] in (3, 5, 6, 7, 8):
            resolver = ix.Resolver(guild, channel)
            resolve = {5: resolver.user, 6: resolver.role, 7: resolver.mentionable, 8: resolver.channel_}.get(
                component["type"]
            )
            data["values"] = [resolve(v) if resolve else str(v) for v in values or []]
            if resolver.data:
                data["resolved"] = resolver.data
        result = await self._interact(ix.MESSAGE_COMPONENT, custom_id, data, guild, channel, member, source_message=msg)
        if wait:
            await result.response(timeout)
        return result

    async def submit_modal(
        self,
        guild: Guild,
        channel: ChannelRef,
        member: MemberRef,
        custom_id: str | ix.InteractionResult,
        values: Mapping[str, Any],
        *,
        wait: bool = True,
        timeout: float | None = None,
        crafted: bool = False,
    ) -> ix.InteractionResult:
        """Fill in and submit a modal the bot opened; ``values`` maps input ids to text (lists for selects).

        ``custom_id`` is the modal's custom id (the last modal opened with it is used) or the
        :class:`InteractionResult` that opened it (discord.py gives modals random ids by default).
        ``crafted`` skips the client's required and length checks of the inputs, as a hand-made request can.
        """
        channel, member = _channel(guild, channel), _member(guild, member)
        if isinstance(custom_id, ix.InteractionResult):
            opener: ix.InteractionResult | None = custom_id
            modal_id = str(custom_id.modal["custom_id"])
        else:
            opener, modal_id = self._modals.get(custom_id), custom_id
        if opener is None:
            raise LookupError(f"the bot never opened a modal {modal_id!r}; opened: {sorted(self._modals)}")
        components = ix.modal_submission(opener.modal, values, client_checks=not crafted)
        data = {"custom_id": modal_id, "components": components}
        result = await self._interact(
            ix.MODAL_SUBMIT, modal_id, data, guild, channel, member, source_message=opener.source_message
        )
        if wait:
            await result.response(timeout)
        return result

    async def post_user_message(
        self, guild: Guild, channel: ChannelRef, member: MemberRef, content: str
    ) -> DoubleMessage:
        """A member posts a message (MESSAGE_CREATE; content blanked unless the bot has MESSAGE_CONTENT)."""
        channel, member = _channel(guild, channel), _member(guild, member)
        msg = self._store_message(channel, member.user, {"content": content}, source="user", message_type=0)
        return msg

    def _upload(self, upload: Upload, channel: Channel) -> dict[str, Any]:
        """Store a user's upload for an option, as the Discord client uploads before it sends the command."""
        if upload.size > self.attachment_size_limit:
            raise ValueError(
                f"{upload.filename} is {upload.size} bytes; the Discord client refuses uploads over "
                f"attachment_size_limit ({self.attachment_size_limit})"
            )
        stored = store_file(
            self.snowflakes.event(),
            channel.id,
            upload.filename,
            upload.data,
            base_url=self.cdn_base,
            content_type=upload.content_type,
            description=upload.description,
            ephemeral=True,
        )
        self._files[stored.id] = stored
        return copy.deepcopy(stored.payload)

    def _command_data(
        self, command: dict[str, Any], options: list[dict[str, Any]], resolver: ix.Resolver
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": command.get("type", 1)}
        if options:
            data["options"] = options
        if resolver.data:
            data["resolved"] = resolver.data
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    async def _interact(
        self,
        type: int,
        name: str,
        data: dict[str, Any],
        guild: Guild,
        channel: Channel,
        member: Member,
        *,
        source_message: DoubleMessage | None = None,
        locale: str | None = None,
    ) -> ix.InteractionResult:
        self._require_session()
        session = self._session_for(guild.id)
        if session is None:
            raise AssertionError(f"no client runs the shard of guild {guild.name} ({guild.id})")
        await self._flush()
        interaction_id = self.snowflakes.event()
        token = f"dbl-interaction-{interaction_id}-{secrets.token_hex(6)}"
        member_payload = member.payload()
        member_payload["permissions"] = str(guild.permissions_for(member, channel))
        channel_payload = channel.payload()
        channel_payload["permissions"] = str(guild.permissions_for(guild.me, channel))
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": type,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "channel_id": str(channel.id),
            "channel": channel_payload,
            "member": member_payload,
            "token": token,
            "version": 1,
            "app_permissions": str(guild.permissions_for(guild.me, channel)),
            "locale": locale or member.locale,
            "guild_locale": guild.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": self.attachment_size_limit,
        }
        if source_message is not None:
            payload["message"] = source_message.data
        result = ix.InteractionResult(
            interaction_id=interaction_id,
            token=token,
            type=type,
            name=name,
            payload=payload,
            guild=guild,
            channel=channel,
            member=member,
            timeout=self.interaction_timeout,
            explain=self._explain,
            source_message=source_message,
        )
        self._interactions[interaction_id] = result
        self._by_token[token] = result
        result.dispatched_at = time.monotonic()
        await session.dispatch("INTERACTION_CREATE", payload)
        return result

    def _explain(self, result: ix.InteractionResult) -> str:
        related = [
            str(r)
            for r in self.requests
            if result.token in r.path or str(result.id) in r.path or r.path.startswith(f"/channels/{result.channel.id}")
        ]
        parts = [
            f"Interaction {result!r}.",
            f"Callbacks: {[(c.type, c.data) for c in result.callbacks] or 'none'}.",
            f"Original: {result.message!r}. Follow-ups: {result.followups!r}.",
            f"Its requests: {related or 'none'}.",
        ]
        if result.errors:
            parts.append(f"Errors: {result.errors}.")
        logged = [text for when, text in self.client_errors if when >= result.dispatched_at]
        if logged:
            parts.append(f"The client logged: {logged[-3:]}.")
        if not self.connected:
            parts.append("The client is NOT connected to the gateway (the interaction waits in the resume buffer).")
        if self.internal_errors:
            parts.append(f"Double internal errors: {self.internal_errors[-3:]}.")
        return " ".join(parts)


def _channel(guild: Guild, channel: ChannelRef) -> Channel:
    return guild.channel(channel) if isinstance(channel, str) else channel


def _member(guild: Guild, member: MemberRef) -> Member:
    return guild.member(member) if isinstance(member, str) else member
