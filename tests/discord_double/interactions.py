"""Interactions as a Discord client would send them, and the handle a test gets back.

Payloads are built from what the bot actually synced (``PUT .../commands``), so option types, command ids
and sub-command nesting are exactly what discord.py's ``CommandTree`` expects, and a test that names an
option the bot never declared fails at once instead of silently sending junk.
"""

# Waiting methods take `timeout=`: a test waiting on the bot must fail with an explanation, never hang.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .files import Upload
from .records import CallbackRecord, DoubleMessage, walk_components
from .world import ADMINISTRATOR, Channel, Guild, Member, Role, User

# Interaction types.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Callback types.
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

#: Which callbacks Discord accepts for which interaction type.
ALLOWED_CALLBACKS: dict[int, set[int]] = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE},
}

_SUB_COMMAND, _SUB_COMMAND_GROUP = 1, 2
_STRING, _INTEGER, _BOOLEAN, _USER, _CHANNEL, _ROLE, _MENTIONABLE, _NUMBER, _ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
_USE_APPLICATION_COMMANDS = 1 << 31

Mentionable = Member | User | Role | Channel | int | str
#: Stores an upload in a channel and returns its attachment object (the double's ``_upload``).
Uploader = Callable[[Upload, Channel], dict[str, Any]]


class InteractionTimeout(AssertionError):
    """The bot did not do what the test waited for in time. The message says what it did do."""


class InteractionRefused(InteractionTimeout):
    """The bot tried to answer but the double refused it as Discord would (e.g. too late: Unknown interaction)."""


class InteractionResult:
    """A handle on one interaction: what the bot answered, and the message the user ends up seeing.

    ``await double.slash(...)`` returns once the bot has sent its initial callback (unless ``wait=False``),
    so the synchronous properties (``ephemeral``, ``embeds``, ``text``, ``choices``) are meaningful at once;
    ``await result.final()`` additionally waits out a deferral.
    """

    def __init__(
        self,
        *,
        interaction_id: int,
        token: str,
        type: int,
        name: str,
        payload: dict[str, Any],
        guild: Guild,
        channel: Channel,
        member: Member,
        timeout: float,
        explain: Callable[[InteractionResult], str],
        source_message: DoubleMessage | None = None,
    ) -> None:
        self.id = interaction_id
        self.token = token
        self.type = type
        self.name = name
        self.payload = payload
        self.guild = guild
        self.channel = channel
        self.member = member
        self.timeout = timeout
        self.source_message = source_message
        self.dispatched_at: float = 0.0
        self.callbacks: list[CallbackRecord] = []
        #: The message the interaction's ``@original`` refers to (None until there is one).
        self.message: DoubleMessage | None = None
        #: Messages posted through the follow-up webhook, in order.
        self.followups: list[DoubleMessage] = []
        #: Problems the double saw with this interaction (late callback, double acknowledgement...).
        self.errors: list[str] = []
        self._edits_at_callback = 0
        self._explain = explain
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        kind = {2: "slash", 3: "component", 4: "autocomplete", 5: "modal"}.get(self.type, str(self.type))
        return f"<InteractionResult {kind} {self.name!r} id={self.id} callbacks={[c.type for c in self.callbacks]}>"

    # -- waiting ----------------------------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake every waiter (called by the double whenever something about this interaction changes)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], what: str, timeout: float | None = None) -> None:
        """Wait until ``predicate()`` holds, or fail with an explanation of what the bot did instead."""
        limit = self.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise InteractionTimeout(f"the bot did not {what} within {limit:g}s. {self._explain(self)}")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue

    async def response(self, timeout: float | None = None) -> CallbackRecord:
        """The initial callback (type 4/5/6/7/8/9 and its ``data``), waiting for it if need be."""
        await self.wait_for(lambda: bool(self.callbacks or self.errors), f"answer {self.name!r}", timeout)
        if not self.callbacks:
            raise InteractionRefused(f"the bot's answer to {self.name!r} was refused. {self._explain(self)}")
        return self.callbacks[0]

    async def final(self, timeout: float | None = None) -> DoubleMessage:
        """The message as finally shown: after a deferral is resolved (edit or first follow-up)."""
        callback = await self.response(timeout)
        if callback.type in (AUTOCOMPLETE_RESULT, MODAL):
            kind = "autocomplete choices" if callback.type == AUTOCOMPLETE_RESULT else "a modal"
            raise AssertionError(f"{self.name!r} was answered with {kind}, which shows no message")
        if callback.type == DEFERRED_CHANNEL_MESSAGE:
            await self.wait_for(
                lambda: self.message is not None and not self.message.loading,
                f"resolve the deferred response to {self.name!r} (edit the original or send a follow-up)",
                timeout,
            )
        elif callback.type == DEFERRED_UPDATE_MESSAGE:
            await self.wait_for(
                lambda: (
                    bool(self.followups) or (self.message is not None and self.message.edits > self._edits_at_callback)
                ),
                f"edit the message or follow up after deferring the update for {self.name!r}",
                timeout,
            )
            if self.message is None or self.message.edits <= self._edits_at_callback:
                return self.followups[-1]
        assert self.message is not None
        return self.message

    async def wait_followups(self, count: int = 1, timeout: float | None = None) -> list[DoubleMessage]:
        """Wait until at least ``count`` follow-ups were posted; returns them all."""
        await self.wait_for(
            lambda: len(self.followups) >= count, f"send {count} follow-up(s) for {self.name!r}", timeout
        )
        return list(self.followups)

    # -- what the user sees now -------------------------------------------------------------------------------

    @property
    def responded(self) -> bool:
        return bool(self.callbacks)

    @property
    def response_type(self) -> int | None:
        return self.callbacks[0].type if self.callbacks else None

    def _require_response(self) -> CallbackRecord:
        if not self.callbacks:
            raise AssertionError(f"{self.name!r} has no response yet (use `await result.response()` first)")
        return self.callbacks[0]

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user sees the answer."""
        callback = self._require_response()
        if self.message is not None and callback.type != DEFERRED_UPDATE_MESSAGE:
            return self.message.ephemeral
        return callback.ephemeral

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """Embeds of the message currently shown (the original, else the latest follow-up)."""
        shown = self._shown()
        return shown.embeds if shown else list((self._require_response().data or {}).get("embeds") or [])

    @property
    def content(self) -> str:
        shown = self._shown()
        return shown.content if shown else str((self._require_response().data or {}).get("content") or "")

    @property
    def text(self) -> str:
        """Content and embed text of the message currently shown."""
        shown = self._shown()
        return shown.text if shown else self.content

    @property
    def files(self) -> list[tuple[str, bytes]]:
        """``(filename, bytes)`` of the files on the message currently shown (see ``DoubleMessage.files``)."""
        self._require_response()
        shown = self._shown()
        return shown.files if shown else []

    @property
    def components(self) -> list[dict[str, Any]]:
        shown = self._shown()
        return shown.components if shown else list((self._require_response().data or {}).get("components") or [])

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices the bot answered (``[{"name": ..., "value": ...}]``)."""
        callback = self._require_response()
        if callback.type != AUTOCOMPLETE_RESULT:
            raise AssertionError(f"{self.name!r} was answered with callback type {callback.type}, not choices")
        return list((callback.data or {}).get("choices") or [])

    @property
    def choice_names(self) -> list[str]:
        return [c["name"] for c in self.choices]

    @property
    def modal(self) -> dict[str, Any]:
        """The modal the bot opened (``custom_id``, ``title``, ``components``)."""
        callback = self._require_response()
        if callback.type != MODAL:
            raise AssertionError(f"{self.name!r} was answered with callback type {callback.type}, not a modal")
        return dict(callback.data or {})

    @property
    def modal_fields(self) -> list[str]:
        """The ``custom_id`` of every input in the modal."""
        return [c["custom_id"] for c in walk_components(self.modal.get("components") or []) if "custom_id" in c]

    def _shown(self) -> DoubleMessage | None:
        if self.message is not None and not self.message.loading:
            return self.message
        return self.followups[-1] if self.followups else self.message


# -- payload building ----------------------------------------------------------------------------------------


def find_command(
    commands: Mapping[int | None, list[dict[str, Any]]], guild: Guild, path: str
) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """Find ``"fact show"`` in what was synced: the top-level command, the sub-path, and the leaf.

    Guild commands shadow global ones, as in the Discord client.
    """
    top, *rest = path.split()
    command = next(
        (
            c
            for scope in (guild.id, None)
            for c in commands.get(scope, [])
            if c["name"] == top and c.get("type", 1) == 1
        ),
        None,
    )
    if command is None:
        synced = sorted({c["name"] for scope in (guild.id, None) for c in commands.get(scope, [])})
        raise LookupError(f"no slash command /{top} was synced for guild {guild.name!r} or globally; synced: {synced}")
    leaf = command
    for part in rest:
        subs = [o for o in leaf.get("options") or [] if o["type"] in (_SUB_COMMAND, _SUB_COMMAND_GROUP)]
        found = next((o for o in subs if o["name"] == part), None)
        if found is None:
            raise LookupError(f"/{path}: no sub-command {part!r}; available: {[o['name'] for o in subs]}")
        leaf = found
    if any(o["type"] in (_SUB_COMMAND, _SUB_COMMAND_GROUP) for o in leaf.get("options") or []):
        names = [o["name"] for o in leaf["options"]]
        raise LookupError(f"/{path} is a group; name one of its sub-commands: {names}")
    return command, rest, leaf


def check_can_use(
    command: dict[str, Any], guild: Guild, channel: Channel, member: Member, *, overridden: bool = False
) -> None:
    """Fail like the Discord client would hide the command: permissions and contexts.

    ``overridden`` stands for a server admin's per-command override of ``default_member_permissions``.
    """
    contexts = command.get("contexts")
    if contexts is not None and 0 not in contexts:
        raise PermissionError(f"/{command['name']} is not available in guilds (contexts={contexts})")
    if not guild.permissions_for(member, channel) & _USE_APPLICATION_COMMANDS:
        raise PermissionError(f"{member.name} may not use application commands in #{channel.name}")
    required = command.get("default_member_permissions")
    if required is None or overridden:
        return
    base = guild.base_permissions(member)
    needed = int(required)
    if base & ADMINISTRATOR:
        return
    if needed == 0 or base & needed != needed:
        raise PermissionError(
            f"{member.name} cannot see /{command['name']}: it needs permissions {needed}, they have {base}"
        )


class Resolver:
    """Builds ``resolved`` data (users, members, roles, channels, attachments) the way Discord attaches it.

    ``upload`` stores a file for an ATTACHMENT option; without it such options are refused.
    """

    def __init__(self, guild: Guild, channel: Channel, upload: Uploader | None = None) -> None:
        self.guild = guild
        self.channel = channel
        self.data: dict[str, dict[str, Any]] = {}
        self._upload = upload

    def _put(self, kind: str, key: int, value: dict[str, Any]) -> None:
        self.data.setdefault(kind, {})[str(key)] = value

    def user(self, value: Mentionable) -> str:
        member = self._member(value)
        if member is not None:
            self._put("users", member.id, member.user.payload())
            payload = {k: v for k, v in member.payload().items() if k != "user"}
            payload["permissions"] = str(self.guild.permissions_for(member, self.channel))
            self._put("members", member.id, payload)
            return str(member.id)
        if isinstance(value, User):
            self._put("users", value.id, value.payload())
            return str(value.id)
        raise LookupError(f"{value!r} is not a member of {self.guild.name!r}")

    def role(self, value: Mentionable) -> str:
        role = value if isinstance(value, Role) else self.guild.roles.get(int(value))  # type: ignore[arg-type]
        if role is None:
            raise LookupError(f"{value!r} is not a role of {self.guild.name!r}")
        self._put("roles", role.id, role.payload())
        return str(role.id)

    def channel_(self, value: Mentionable) -> str:
        channel = value if isinstance(value, Channel) else self.guild.channels.get(int(value))  # type: ignore[arg-type]
        if channel is None:
            raise LookupError(f"{value!r} is not a channel of {self.guild.name!r}")
        payload = {
            k: v
            for k, v in channel.payload().items()
            if k
            in (
                "id",
                "name",
                "type",
                "parent_id",
                "guild_id",
                "thread_metadata",
                "owner_id",
                "message_count",
                "member_count",
            )
        }
        payload["permissions"] = str(self.guild.permissions_for(self.guild.me, channel))
        self._put("channels", channel.id, payload)
        return str(channel.id)

    def attachment(self, value: object) -> str:
        """Upload ``value`` as the Discord client does before sending the command: the option carries only
        the new attachment's id, and ``resolved.attachments`` the object (so discord.py builds an
        ``Attachment`` that downloads from the double).
        """
        if not isinstance(value, Upload):
            raise TypeError(f"an attachment option takes double.attachment(...), not {type(value).__name__}")
        if self._upload is None:
            raise TypeError("this interaction cannot carry attachments")
        payload = self._upload(value, self.channel)
        self._put("attachments", int(payload["id"]), payload)
        return str(payload["id"])

    def mentionable(self, value: Mentionable) -> str:
        if isinstance(value, Role) or (isinstance(value, int | str) and int(value) in self.guild.roles):
            return self.role(value)
        return self.user(value)

    def _member(self, value: Mentionable) -> Member | None:
        if isinstance(value, Member):
            return value
        if isinstance(value, User):
            return self.guild.members.get(value.id)
        if isinstance(value, int | str) and str(value).isdigit():
            return self.guild.members.get(int(value))
        return None


def build_options(
    declared: Sequence[dict[str, Any]],
    values: Mapping[str, Any],
    resolver: Resolver,
    *,
    command: str,
    focused: str | None = None,
    client_checks: bool = True,
) -> list[dict[str, Any]]:
    """Turn ``{"name": "junta"}`` into typed interaction options, checking them like the Discord client.

    For autocomplete the focused option is sent as the raw string typed so far, and nothing is checked.
    Without ``client_checks`` (a crafted request) names and types are still right, but choices, lengths
    and ranges are sent unchecked, as Discord's API passes them on.
    """
    by_name = {o["name"]: o for o in declared}
    unknown = set(values) - set(by_name)
    if focused is not None and focused not in by_name:
        unknown.add(focused)
    if unknown:
        raise ValueError(f"/{command} has no option(s) {sorted(unknown)}; declared: {list(by_name)}")
    options = []
    for option in declared:
        name = option["name"]
        if name == focused:
            options.append({"name": name, "type": option["type"], "value": str(values.get(name, "")), "focused": True})
            continue
        if name not in values:
            if option.get("required") and focused is None:
                raise ValueError(f"/{command}: option {name!r} is required")
            continue
        value = _convert(option, values[name], resolver, command=command, check=focused is None and client_checks)
        options.append({"name": name, "type": option["type"], "value": value})
    return options


def _convert(option: dict[str, Any], value: Any, resolver: Resolver, *, command: str, check: bool) -> Any:
    kind = option["type"]
    label = f"/{command} {option['name']}"
    if kind == _STRING:
        value = str(value)
        if check and not option.get("min_length", 0) <= len(value) <= option.get("max_length", 6000):
            raise ValueError(
                f"{label}: length {len(value)} outside {option.get('min_length')}..{option.get('max_length')}"
            )
    elif kind == _INTEGER:
        value = int(value)
    elif kind == _BOOLEAN:
        value = bool(value)
    elif kind == _NUMBER:
        value = value if isinstance(value, int | float) else float(value)
    elif kind == _USER:
        return resolver.user(value)
    elif kind == _CHANNEL:
        return resolver.channel_(value)
    elif kind == _ROLE:
        return resolver.role(value)
    elif kind == _MENTIONABLE:
        return resolver.mentionable(value)
    elif kind == _ATTACHMENT:
        return resolver.attachment(value)
    if check and kind in (_INTEGER, _NUMBER):
        low, high = option.get("min_value"), option.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{label}: {value} outside {low}..{high}")
    if check and option.get("choices"):
        allowed = [c["value"] for c in option["choices"]]
        if value not in allowed:
            raise ValueError(f"{label}: {value!r} is not one of the choices {allowed}")
    return value


def nest(sub_path: list[str], leaf: dict[str, Any], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wrap leaf options in their sub-command (and group) option, as Discord nests them."""
    if not sub_path:
        return options
    if len(sub_path) == 1:
        return [{"name": sub_path[0], "type": _SUB_COMMAND, "options": options}]
    return [{"name": sub_path[0], "type": _SUB_COMMAND_GROUP, "options": nest(sub_path[1:], leaf, options)}]


def modal_submission(
    modal: dict[str, Any], values: Mapping[str, Any], *, client_checks: bool = True
) -> list[dict[str, Any]]:
    """The ``components`` of a MODAL_SUBMIT, mirroring the structure of the modal the bot sent.

    Text inputs get ``value`` (strings); selects get ``values`` (lists). Checks required/min/max like the
    client (unless ``client_checks`` is off, for a crafted request), and that every given value names an
    input of the modal.
    """
    inputs = {c["custom_id"]: c for c in walk_components(modal.get("components") or []) if "custom_id" in c}
    unknown = set(values) - set(inputs)
    if unknown:
        raise ValueError(f"modal {modal.get('custom_id')!r} has no input(s) {sorted(unknown)}; inputs: {list(inputs)}")

    def answer(component: dict[str, Any]) -> dict[str, Any] | None:
        kind = component.get("type")
        out: dict[str, Any] = {"type": kind, "id": component.get("id", 0)}
        if kind == 1:
            out["components"] = [a for a in (answer(c) for c in component.get("components") or []) if a]
        elif kind == 18:
            inner = answer(component["component"])
            if inner is None:
                return None
            out["component"] = inner
        elif kind == 4:
            custom_id = component["custom_id"]
            value = str(values.get(custom_id, component.get("value") or ""))
            if client_checks and component.get("required", True) and not value:
                raise ValueError(f"modal input {custom_id!r} is required")
            low, high = component.get("min_length", 0), component.get("max_length", 4000)
            if client_checks and value and not low <= len(value) <= high:
                raise ValueError(f"modal input {custom_id!r}: length {len(value)} outside {low}..{high}")
            out.update(custom_id=custom_id, value=value)
        elif "custom_id" in component:
            chosen = values.get(component["custom_id"], [])
            out.update(custom_id=component["custom_id"], values=[str(v) for v in chosen])
        elif kind == 10:
            pass
        else:
            return None
        return out

    return [a for a in (answer(c) for c in modal.get("components") or []) if a]
