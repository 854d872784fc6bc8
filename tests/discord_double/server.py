"""The double itself: an aiohttp server speaking Discord's REST API v10 and gateway on 127.0.0.1.

Point discord.py at it with ``discord.http.Route.BASE = double.api_base``; the gateway URL is what
``GET /gateway/bot`` answers (``double.gateway_url``). Every request is logged, checked against Discord's
OpenAPI request schema, and may be rate limited on demand; unknown routes answer 404 and are recorded.
"""

# Waiting methods take `timeout=`: a test waiting on the bot must fail with an explanation, never hang.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import json
import logging
import re
import secrets
import socket
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from . import interactions as ix
from .files import DEFAULT_ATTACHMENT_SIZE_LIMIT, FilePart, StoredFile, Upload, guess_content_type, store_file
from .gateway import GatewayConnection, GatewayFrame, GatewaySession
from .ratelimit import InjectedRateLimit, RateLimiter, RouteLimit, Scope
from .records import EPHEMERAL, LOADING, CallbackRecord, DoubleMessage, RecordedRequest, resolve_mentions
from .records import walk_components as _walk
from .schema import RequestValidator, SchemaViolation, load_validator
from .snowflake import SnowflakeFactory, iso
from .world import (
    DEFAULT_BOT_PERMISSIONS,
    MENTION_EVERYONE,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Member,
    PermissionsLike,
    User,
)

API_PREFIX = "/api/v10"
#: GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT.
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)
GUILD_MESSAGES = 1 << 9
GUILD_MEMBERS = 1 << 1
MESSAGE_CONTENT = 1 << 15
SEND_MESSAGES_IN_THREADS = 1 << 38
READ_MESSAGE_HISTORY = 1 << 16
#: Discord's page size for ``GET /channels/{id}/messages``, when ``limit`` is not given.
DEFAULT_MESSAGES_LIMIT = 50
ATTACH_FILES = 1 << 15
MANAGE_MESSAGES = 1 << 13

ChannelRef = Channel | str
MemberRef = Member | str


class DiscordError(Exception):
    """Raised inside a handler to answer with Discord's error format."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


@dataclass
class Reply:
    status: int = 200
    body: Any = None


@dataclass
class _Ctx:
    request: web.Request
    record: RecordedRequest
    params: dict[str, str]
    body: Any
    files: dict[str, FilePart] = field(default_factory=dict)


Handler = Callable[[_Ctx], Awaitable[Reply]]


@dataclass
class _Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool
    literals: int


class DiscordDouble:
    """A local stand-in for Discord that the real, unpatched discord.py client connects to.

    Use as ``async with DiscordDouble() as double:`` or through the ``discord_double`` pytest fixture.
    Build the world with :meth:`add_guild`, run a client with :func:`tests.discord_double.run_client`, then
    act as users (:meth:`slash`, :meth:`autocomplete`, :meth:`press`, :meth:`submit_modal`) and inspect
    :meth:`messages`, :attr:`requests`, :meth:`commands`, :attr:`schema_violations`.
    """

    def __init__(
        self,
        *,
        token: str = "double-bot-token",
        bot_name: str = "briefbot",
        heartbeat_interval_ms: int = 41_250,
        interaction_timeout: float = 5.0,
        callback_deadline: float | None = 3.0,
        reject_invalid_bodies: bool = True,
        allowed_privileged_intents: int = 0,
        application_flags: int = 0,
        nonce_window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        spec_path: Path | None = None,
        check_schema: bool = True,
        attachment_size_limit: int = DEFAULT_ATTACHMENT_SIZE_LIMIT,
        shard_count: int = 1,
    ) -> None:
        self.snowflakes = SnowflakeFactory()
        #: The token the bot must log in with.
        self.token = token
        #: Sent in HELLO; tests may shorten it to exercise heartbeats.
        self.heartbeat_interval_ms = heartbeat_interval_ms
        #: Default seconds an :class:`InteractionResult` waits before failing.
        self.interaction_timeout = interaction_timeout
        #: Discord answers "Unknown interaction" to a first callback later than 3 s; None disables the check.
        self.callback_deadline = callback_deadline
        #: Answer a schema-invalid body with 400 Invalid Form Body (always recorded either way).
        self.reject_invalid_bodies = reject_invalid_bodies
        #: Privileged intents the application is "approved" for; IDENTIFY asking for others is closed 4014.
        self.allowed_privileged_intents = allowed_privileged_intents
        self.application_flags = application_flags
        #: How long ``enforce_nonce`` de-duplicates (Discord: "a few minutes").
        self.nonce_window = nonce_window
        #: Seconds by which nonces age; a test may set its own, so the window passes without waiting.
        self.clock = clock
        #: Largest file a user may attach or the bot may upload (sent as ``attachment_size_limit``).
        self.attachment_size_limit = attachment_size_limit
        #: What ``GET /gateway/bot`` recommends; each IDENTIFY's ``shard`` decides which guilds it is sent.
        self.shard_count = shard_count

        self.application_id = self.snowflakes.world()
        self.bot_user = User(id=self.application_id, username=bot_name, bot=True, global_name=bot_name)
        self.owner_user = User(id=self.snowflakes.world(), username="app-owner")
        self.guilds: dict[int, Guild] = {}

        self.validator: RequestValidator = load_validator(spec_path)
        #: Validate bodies against the OpenAPI schema (benchmarks may turn it off to save ~1 ms a request).
        self.check_schema = check_schema
        self.ratelimits = RateLimiter()

        #: Every HTTP request, in order.
        self.requests: list[RecordedRequest] = []
        #: Bodies that Discord's schema rejects.
        self.schema_violations: list[SchemaViolation] = []
        #: Downloads of attachments from the double's CDN (``Attachment.read()``), in order.
        self.downloads: list[RecordedRequest] = []
        #: Requests to routes the double does not know (answered 404).
        self.unknown_routes: list[RecordedRequest] = []
        #: Exceptions inside the double (a bug in the double, or a request it cannot model).
        self.internal_errors: list[str] = []
        #: Frames on the gateway, both directions.
        self.gateway_log: list[GatewayFrame] = []
        #: Presence updates (op 3) the client sent.
        self.presence_updates: list[dict[str, Any]] = []
        #: Number of bulk-overwrite PUTs per scope (a guild id, or None for global).
        self.command_puts: Counter[int | None] = Counter()
        #: The last body PUT per scope, exactly as sent.
        self.command_bodies: dict[int | None, list[dict[str, Any]]] = {}
        #: How many ``enforce_nonce`` posts were answered with the earlier message.
        self.nonce_dedupes = 0
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats = 0

        self._commands: dict[int | None, list[dict[str, Any]]] = {}
        self._messages: dict[int, DoubleMessage] = {}
        self._channel_messages: dict[int, list[DoubleMessage]] = {}
        self._nonces: dict[tuple[int, int, str], tuple[float, DoubleMessage]] = {}
        self._interactions: dict[int, ix.InteractionResult] = {}
        self._by_token: dict[str, ix.InteractionResult] = {}
        self._modals: dict[str, ix.InteractionResult] = {}
        self._files: dict[int, StoredFile] = {}
        self._sessions: dict[str, GatewaySession] = {}
        self._active: GatewaySession | None = None
        #: The latest session of each shard (by its IDENTIFY's ``shard``, None without one), latest last.
        self._shards: dict[tuple[int, int] | None, GatewaySession] = {}
        self._connections: set[GatewayConnection] = set()
        self._dropped: set[GatewayConnection] = set()
        self._marks = {"identify": 0, "resume": 0}
        self._gateway_changed = asyncio.Condition()
        self._pending: list[asyncio.Task[Any]] = []
        #: ERROR records discord.py logged (e.g. "Ignoring exception in command"), quoted in timeout messages.
        self.client_errors: list[tuple[float, str]] = []
        self._log_handler = _ErrorCollector(self.client_errors)
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port = 0
        self._routes: list[_Route] = []
        self._register_routes()

    # ================================================================================ lifecycle

    async def start(self) -> DiscordDouble:
        """Listen on a free port on 127.0.0.1."""
        self._loop = asyncio.get_running_loop()
        logging.getLogger("discord").addHandler(self._log_handler)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._handle_gateway)
        app.router.add_get("/gateway/", self._handle_gateway)
        app.router.add_get("/attachments/{channel_id}/{file_id}/{filename}", self._serve_attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_rest)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Close every websocket and stop listening."""
        logging.getLogger("discord").removeHandler(self._log_handler)
        for task in self._pending:
            task.cancel()
        for conn in list(self._connections):
            with contextlib.suppress(Exception):
                conn.abort()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordDouble:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        """What to set ``discord.http.Route.BASE`` to."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def cdn_base(self) -> str:
        """Where attachment URLs point (the double itself stands in for ``cdn.discordapp.com``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        """The gateway URL ``GET /gateway/bot`` answers (and READY's ``resume_gateway_url``)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def reset(self) -> None:
        """Forget what happened (requests, messages, files, violations, injected limits, interactions).

        The world (guilds, members), the synced commands, ``command_puts`` and gateway sessions stay, so a
        connected client keeps working across tests that share one double.
        """
        self.requests.clear()
        self.schema_violations.clear()
        self.unknown_routes.clear()
        self.internal_errors.clear()
        self.client_errors.clear()
        self.gateway_log.clear()
        self.presence_updates.clear()
        self.ratelimits.reset()
        self.nonce_dedupes = 0
        self._messages.clear()
        self._channel_messages.clear()
        self._nonces.clear()
        self._interactions.clear()
        self._by_token.clear()
        self._modals.clear()
        self._files.clear()
        self.downloads.clear()

    def take_schema_violations(self) -> list[SchemaViolation]:
        """Return and clear the recorded violations (for tests that provoke one on purpose)."""
        found, self.schema_violations = self.schema_violations, []
        return found

    # ================================================================================ world

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

    def world_changed(self, event: str, payload: dict[str, Any], guild: Guild) -> None:
        """Forward a change of the world to the connected client (called by the builders)."""
        session = self._session_for(guild.id)
        if session is None or not guild.live:
            return
        if event == "GUILD_MEMBER_ADD" and not session.intents & GUILD_MEMBERS:
            return
        self._schedule(session.dispatch(event, payload))

    def _schedule(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # built before any loop runs: no client can be connected yet
            coro.close()
            return
        self._pending.append(loop.create_task(coro))

    async def _flush(self) -> None:
        """Let scheduled dispatches go out first, so events keep the order the test caused them in."""
        pending, self._pending = self._pending, []
        for outcome in await asyncio.gather(*pending, return_exceptions=True):
            if isinstance(outcome, Exception):
                self.internal_errors.append(f"dispatch failed: {''.join(traceback.format_exception(outcome))}")

    # ================================================================================ inspection

    def commands(self, guild: Guild | int | None = None) -> list[dict[str, Any]]:
        """The commands as synced (with ids) for ``guild``, or the global ones."""
        return copy.deepcopy(self._commands.get(_gid(guild), []))

    def command(self, name: str, guild: Guild | int | None = None) -> dict[str, Any]:
        """One synced command by name."""
        for command in self._commands.get(_gid(guild), []):
            if command["name"] == name:
                return copy.deepcopy(command)
        raise LookupError(f"no command {name!r} synced to {guild or 'global'}")

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

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Logged requests whose method matches and whose path fully matches ``path_regex``."""
        pattern = re.compile(path_regex)
        return [r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)]

    def interaction(self, interaction_id: int) -> ix.InteractionResult:
        return self._interactions[interaction_id]

    # ================================================================================ rate limits

    def rate_limit(
        self,
        method: str,
        path_regex: str | re.Pattern[str],
        *,
        times: int = 1,
        retry_after: float = 0.05,
        scope: Scope = "user",
        global_: bool = False,
    ) -> InjectedRateLimit:
        """Answer the next ``times`` requests matching ``method`` and ``path_regex`` (full match on the path
        after ``/api/v10``, e.g. ``r"/channels/\\d+/messages"``; method ``"*"`` for any) with a 429.

        The returned rule's ``hits`` tells how many 429s were served.
        """
        return self.ratelimits.inject(
            method, path_regex, times=times, retry_after=retry_after, scope="global" if global_ else scope
        )

    def enforce_limits(self, enabled: bool = True) -> None:
        """Enforce realistic per-route buckets (see ``ratelimit.DEFAULT_ROUTE_LIMITS``), e.g. for benchmarks."""
        if enabled and not self.ratelimits.enforce:
            self.ratelimits.use_defaults()
        self.ratelimits.enforce = enabled

    def route_limit(self, method: str, path_regex: str, limit: int, per: float) -> RouteLimit:
        """Enforce ``limit`` requests per ``per`` seconds on a route; group 1 of the regex is the major key."""
        rule = self.ratelimits.add_route_limit(method, path_regex, limit, per)
        self.ratelimits.enforce = True
        return rule

    # ================================================================================ gateway control

    @property
    def connected(self) -> bool:
        """Whether a client currently holds a live gateway session."""
        session = self._active
        return session is not None and session.connection is not None and session.connection.open

    @property
    def session_intents(self) -> int | None:
        """The gateway intents the current session identified with (None before the first IDENTIFY)."""
        return self._active.intents if self._active is not None else None

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send a raw dispatch to the connected session (buffered for RESUME if it is disconnected)."""
        await self._flush()
        return await self._require_session().dispatch(event, data)

    async def drop_gateway(self, *, resumable: bool = True, code: int | None = 4000) -> None:
        """Cut the client's websocket, as Discord does at times.

        ``code=4000`` (default) is a resumable close; ``code=None`` drops the TCP connection without a close
        frame. With ``resumable=False`` the session is invalidated, so the client's RESUME gets INVALID
        SESSION and it must IDENTIFY again. Then ``await double.wait_resumed()`` / ``wait_identified()``.
        """
        session = self._require_session()
        self._marks = {"identify": self.identify_count, "resume": self.resume_count}
        if not resumable:
            session.resumable = False
        conn = session.connection
        if conn is None:
            return
        session.connection = None
        self._dropped.add(conn)
        if code is None:
            conn.abort()
        else:
            await conn.ws.close(code=code, message=b"dropped by the test double")

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should close and RESUME."""
        session = self._require_session()
        self._marks = {"identify": self.identify_count, "resume": self.resume_count}
        if session.connection is not None:
            await session.connection.send({"op": 7, "d": None, "s": None, "t": None})

    async def wait_resumed(self, timeout: float = 5.0) -> None:
        """Wait for a RESUME after the last :meth:`drop_gateway` / :meth:`request_reconnect`."""
        await self._wait_gateway(lambda: self.resume_count > self._marks["resume"], "RESUME", timeout)

    async def wait_identified(self, timeout: float = 10.0) -> None:
        """Wait for an IDENTIFY after the last drop (or for the first IDENTIFY).

        discord.py sleeps 5 s before a re-IDENTIFY unless the client overrides ``before_identify_hook``.
        """
        await self._wait_gateway(lambda: self.identify_count > self._marks["identify"], "IDENTIFY", timeout)

    async def _wait_gateway(self, predicate: Callable[[], bool], what: str, timeout: float) -> None:
        async with self._gateway_changed:
            try:
                await asyncio.wait_for(self._gateway_changed.wait_for(predicate), timeout)
            except TimeoutError:
                raise AssertionError(
                    f"no {what} within {timeout:g}s (identifies={self.identify_count}, resumes={self.resume_count}, "
                    f"connected={self.connected})"
                ) from None

    async def _gateway_event(self) -> None:
        async with self._gateway_changed:
            self._gateway_changed.notify_all()

    def _session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The session a guild's events go to: the latest of the shard Discord puts the guild on.

        With one client, that is its session; with several processes each running some shards, each
        guild's GUILD_CREATE, interactions and other events reach only the process running its shard.
        """
        for session in reversed(self._shards.values()):
            if guild_id is None or session.wants_guild(guild_id):
                return session
        return None

    def _live(self, session: GatewaySession) -> None:
        """Make ``session`` the one its shard's events go to, and the latest (``dispatch``, ``drop_gateway``)."""
        self._shards.pop(session.shard, None)
        self._shards[session.shard] = session
        self._active = session

    def _require_session(self) -> GatewaySession:
        if self._loop is not None and asyncio.get_running_loop() is not self._loop:
            raise AssertionError(
                "this test runs in another event loop than the double's server; a module-scoped double needs "
                'pytestmark = pytest.mark.asyncio(loop_scope="module") (or use fresh_discord_double)'
            )
        if self._active is None:
            raise AssertionError(
                "no client has identified with the double yet: start one with run_client(double, client) "
                "(and check it points at double.api_base / double.gateway_url)"
            )
        return self._active

    # ================================================================================ acting as users

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

    # ================================================================================ HTTP plumbing

    def _register_routes(self) -> None:
        table: list[tuple[str, str, Handler, bool]] = [
            ("GET", "/users/@me", self._get_me, True),
            ("GET", "/users/{user_id}", self._get_user, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/applications/@me", self._get_application, True),
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("GET", "/applications/{application_id}/commands", self._list_commands, True),
            ("PUT", "/applications/{application_id}/commands", self._put_commands, True),
            ("POST", "/applications/{application_id}/commands", self._post_command, True),
            ("GET", "/applications/{application_id}/commands/{command_id}", self._get_command, True),
            ("PATCH", "/applications/{application_id}/commands/{command_id}", self._patch_command, True),
            ("DELETE", "/applications/{application_id}/commands/{command_id}", self._delete_command, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._list_commands, True),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_commands, True),
            ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self._post_command, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self._get_command, True),
            (
                "PATCH",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._patch_command,
                True,
            ),
            (
                "DELETE",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._delete_command,
                True,
            ),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback, False),
            ("POST", "/webhooks/{application_id}/{token}", self._followup, False),
            ("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", self._get_webhook_message, False),
            ("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}", self._edit_webhook_message, False),
            ("DELETE", "/webhooks/{application_id}/{token}/messages/{message_id}", self._delete_webhook_message, False),
            ("GET", "/channels/{channel_id}", self._get_channel, True),
            ("GET", "/channels/{channel_id}/messages", self._list_messages, True),
            ("POST", "/channels/{channel_id}/messages", self._create_channel_message, True),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_channel_message, True),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_channel_message, True),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_channel_message, True),
            ("POST", "/channels/{channel_id}/typing", self._typing, True),
            ("GET", "/guilds/{guild_id}", self._get_guild, True),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels, True),
            ("GET", "/guilds/{guild_id}/roles", self._get_guild_roles, True),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_guild_member, True),
        ]
        for method, template, handler, auth in table:
            pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
            literals = sum(1 for part in template.split("/") if part and not part.startswith("{"))
            self._routes.append(_Route(method, template, re.compile(pattern), handler, auth, literals))
        self._routes.sort(key=lambda r: -r.literals)

    def _match(self, method: str, path: str) -> tuple[_Route, dict[str, str]] | None:
        for route in self._routes:
            if route.method == method and (found := route.regex.match(path)):
                return route, found.groupdict()
        return None

    async def _handle_rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :] or "/"
        method = request.method
        record = RecordedRequest(
            method=method, path=path, query=dict(request.query), headers=dict(request.headers), json=None
        )
        self.requests.append(record)
        matched = self._match(method, path)
        record.route = matched[0].template if matched else None
        headers: dict[str, str] = {"Via": "1.1 google"}
        try:
            body, files = await self._read_body(request)
            record.json = body
            record.files = sorted(files)
            if matched is None:
                self.unknown_routes.append(record)
                raise DiscordError(404, 0, "404: Not Found")
            route, params = matched
            if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
                raise DiscordError(401, 0, "401: Unauthorized")
            verdict = self.ratelimits.check(method, path, route.template)
            headers.update(verdict.headers)
            if verdict.limited is not None:
                reply = Reply(429, verdict.limited)
            else:
                self._validate(method, path, body)
                self._validate_query(method, path, record.query)
                reply = await route.handler(_Ctx(request, record, params, body, files))
        except DiscordError as error:
            reply = Reply(error.status, error.body())
        except Exception as error:  # a bug in the double must fail the test, not hang the client
            self.internal_errors.append(f"{method} {path}: {''.join(traceback.format_exception(error))}")
            reply = Reply(400, {"message": f"Discord double internal error: {error!r}", "code": 0})
        record.status = reply.status
        if reply.status == 204 or reply.body is None:
            return web.Response(status=204 if reply.status < 300 else reply.status, headers=headers)
        # Exactly "application/json": discord.py compares the header verbatim (no "; charset=utf-8").
        headers["Content-Type"] = "application/json"
        return web.Response(body=json.dumps(reply.body).encode(), status=reply.status, headers=headers)

    async def _read_body(self, request: web.Request) -> tuple[Any, dict[str, FilePart]]:
        if not request.can_read_body:
            return None, {}
        if request.content_type == "multipart/form-data":
            body: Any = None
            files: dict[str, FilePart] = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(data)
                else:
                    files[part.name or ""] = FilePart(part.filename, bytes(data))  # type: ignore[union-attr]
            return body, files
        raw = await request.read()
        if not raw:
            return None, {}
        try:
            return json.loads(raw), {}
        except ValueError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None

    def _validate(self, method: str, path: str, body: Any) -> None:
        if body is None or not self.check_schema:
            return
        violations = self.validator.validate(method, path, body)
        if not violations:
            return
        self.schema_violations.extend(violations)
        if self.reject_invalid_bodies:
            errors: dict[str, Any] = {}
            for violation in violations:
                node = errors
                for part in re.findall(r"\[(\d+)\]|\.([^.\[]+)", violation.location):
                    node = node.setdefault(part[0] or part[1], {})
                node["_errors"] = [{"code": "SCHEMA_VIOLATION", "message": violation.message}]
            raise DiscordError(400, 50035, "Invalid Form Body", errors)

    def _validate_query(self, method: str, path: str, query: dict[str, str]) -> None:
        if not query or not self.check_schema:
            return
        violations = self.validator.validate_query(method, path, query)
        if not violations:
            return
        self.schema_violations.extend(violations)
        if self.reject_invalid_bodies:
            errors = {
                v.location.removeprefix("?"): {"_errors": [{"code": "SCHEMA_VIOLATION", "message": v.message}]}
                for v in violations
            }
            raise DiscordError(400, 50035, "Invalid Form Body", errors)

    # ================================================================================ REST: identity

    async def _get_me(self, ctx: _Ctx) -> Reply:
        data = self.bot_user.payload()
        data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "premium_type": 0})
        return Reply(200, data)

    async def _get_user(self, ctx: _Ctx) -> Reply:
        user_id = int(ctx.params["user_id"])
        for guild in self.guilds.values():
            if user_id in guild.members:
                return Reply(200, guild.members[user_id].user.payload())
        raise DiscordError(404, 10013, "Unknown User")

    async def _get_application(self, ctx: _Ctx) -> Reply:
        return Reply(
            200,
            {
                "id": str(self.application_id),
                "name": self.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot": self.bot_user.payload(),
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": self.application_flags,
                "owner": self.owner_user.payload(),
                "team": None,
                "hook": True,
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
                "approximate_guild_count": len(self.guilds),
                "integration_types_config": {"0": {}},
            },
        )

    async def _get_gateway(self, ctx: _Ctx) -> Reply:
        return Reply(200, {"url": self.gateway_url})

    async def _get_gateway_bot(self, ctx: _Ctx) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
        return Reply(200, {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit})

    # ================================================================================ REST: commands

    def _scope(self, ctx: _Ctx) -> int | None:
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

    async def _list_commands(self, ctx: _Ctx) -> Reply:
        return Reply(200, copy.deepcopy(self._commands.get(self._scope(ctx), [])))

    async def _put_commands(self, ctx: _Ctx) -> Reply:
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

    async def _post_command(self, ctx: _Ctx) -> Reply:
        scope = self._scope(ctx)
        commands = self._commands.setdefault(scope, [])
        body = ctx.body or {}
        for index, old in enumerate(commands):
            if old["name"] == body.get("name") and old["type"] == body.get("type", 1):
                commands[index] = self._stored_command(scope, body, old)
                return Reply(200, copy.deepcopy(commands[index]))
        commands.append(self._stored_command(scope, body, None))
        return Reply(201, copy.deepcopy(commands[-1]))

    def _find_command(self, ctx: _Ctx) -> tuple[list[dict[str, Any]], int]:
        commands = self._commands.get(self._scope(ctx), [])
        for index, command in enumerate(commands):
            if command["id"] == ctx.params["command_id"]:
                return commands, index
        raise DiscordError(404, 10063, "Unknown application command")

    async def _get_command(self, ctx: _Ctx) -> Reply:
        commands, index = self._find_command(ctx)
        return Reply(200, copy.deepcopy(commands[index]))

    async def _patch_command(self, ctx: _Ctx) -> Reply:
        commands, index = self._find_command(ctx)
        merged = {**commands[index], **(ctx.body or {})}
        commands[index] = self._stored_command(self._scope(ctx), merged, commands[index])
        return Reply(200, copy.deepcopy(commands[index]))

    async def _delete_command(self, ctx: _Ctx) -> Reply:
        commands, index = self._find_command(ctx)
        del commands[index]
        return Reply(204)

    # ================================================================================ REST: interactions

    def _interaction_for(self, ctx: _Ctx) -> ix.InteractionResult:
        result = self._by_token.get(ctx.params["token"])
        if result is None or ("interaction_id" in ctx.params and ctx.params["interaction_id"] != str(result.id)):
            raise DiscordError(404, 10062, "Unknown interaction")
        return result

    async def _interaction_callback(self, ctx: _Ctx) -> Reply:
        result = self._interaction_for(ctx)
        body = ctx.body or {}
        kind = int(body.get("type", 0))
        data = body.get("data")
        if result.callbacks:
            result.errors.append(f"second callback (type {kind}) rejected: already acknowledged")
            result.notify()
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        late = time.monotonic() - result.dispatched_at
        if self.callback_deadline is not None and late > self.callback_deadline:
            result.errors.append(f"callback after {late:.2f}s (> {self.callback_deadline:g}s): Unknown interaction")
            result.notify()
            raise DiscordError(404, 10062, "Unknown interaction")
        if kind not in ix.ALLOWED_CALLBACKS.get(result.type, set()):
            result.errors.append(f"callback type {kind} is not valid for interaction type {result.type}")
            result.notify()
            raise DiscordError(400, 50035, "Invalid Form Body", {"type": {"_errors": [{"code": "INVALID_TYPE"}]}})
        callback = CallbackRecord(type=kind, data=data, body=body)
        message: DoubleMessage | None = None
        if kind == ix.CHANNEL_MESSAGE:
            message = self._interaction_message(result, data or {}, source="interaction", files=ctx.files)
        elif kind == ix.DEFERRED_CHANNEL_MESSAGE:
            flags = LOADING | (int((data or {}).get("flags") or 0) & EPHEMERAL)
            message = self._interaction_message(result, {"content": "", "flags": flags}, source="interaction")
            message.bodies.clear()
        elif kind in (ix.DEFERRED_UPDATE_MESSAGE, ix.UPDATE_MESSAGE):
            message = result.source_message
            if message is None:
                raise DiscordError(400, 50035, "Invalid Form Body", {"type": {"_errors": [{"code": "NO_MESSAGE"}]}})
            result._edits_at_callback = message.edits
            if kind == ix.UPDATE_MESSAGE:
                self._edit_message(message, data or {}, files=ctx.files)
        elif kind == ix.MODAL:
            self._modals[(data or {}).get("custom_id", "")] = result
        result.message = message if message is not None else result.message
        result.callbacks.append(callback)
        result.notify()
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(result.id),
                "type": result.type,
                "response_message_loading": kind == ix.DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message.ephemeral) if message else False,
            },
            "resource": {"type": kind},
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = str(message.id)
            if kind != ix.DEFERRED_UPDATE_MESSAGE:
                answer["resource"]["message"] = message.data
        if kind == ix.AUTOCOMPLETE_RESULT:
            del answer["resource"]
        return Reply(200, answer)

    def _interaction_message(
        self,
        result: ix.InteractionResult,
        body: dict[str, Any],
        *,
        source: str,
        files: Mapping[str, FilePart] | None = None,
    ) -> DoubleMessage:
        message_type = 20 if result.type == ix.APPLICATION_COMMAND and source == "interaction" else 0
        metadata: dict[str, Any] = {
            "id": str(result.id),
            "type": result.type,
            "user": result.member.user.payload(),
            "authorizing_integration_owners": {"0": str(result.guild.id)},
        }
        if result.type == ix.APPLICATION_COMMAND:
            metadata["name"] = result.name
            metadata["command_type"] = 1
        if result.source_message is not None:
            metadata["interacted_message_id"] = str(result.source_message.id)
        extra = {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "interaction_metadata": metadata,
        }
        if result.type == ix.APPLICATION_COMMAND:
            extra["interaction"] = {
                "id": str(result.id),
                "type": result.type,
                "name": result.name,
                "user": result.member.user.payload(),
            }
        message = self._store_message(
            result.channel,
            self.bot_user,
            body,
            source=source,
            message_type=message_type,
            extra=extra,
            allowed_flags=EPHEMERAL | LOADING | 4 | 4096 | (1 << 15),
            files=files,
        )
        message.interaction_id = result.id
        return message

    def _webhook_interaction(self, ctx: _Ctx) -> ix.InteractionResult:
        if ctx.params["application_id"] != str(self.application_id):
            raise DiscordError(404, 10015, "Unknown Webhook")
        result = self._by_token.get(ctx.params["token"])
        if result is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if not result.callbacks:
            result.errors.append("follow-up/webhook request before the interaction was acknowledged")
            result.notify()
            raise DiscordError(404, 10015, "Unknown Webhook")
        return result

    async def _followup(self, ctx: _Ctx) -> Reply:
        result = self._webhook_interaction(ctx)
        body = ctx.body or {}
        original = result.message
        if original is not None and original.loading and result.response_type == ix.DEFERRED_CHANNEL_MESSAGE:
            # Discord turns the first follow-up after a "thinking" deferral into the original response.
            self._edit_message(original, body, files=ctx.files)
            message = original
        else:
            message = self._interaction_message(result, body, source="followup", files=ctx.files)
        result.followups.append(message)
        result.notify()
        if ctx.request.query.get("wait", "").lower() in ("true", "1"):
            return Reply(200, message.data)
        return Reply(204)

    def _webhook_target(self, ctx: _Ctx) -> tuple[ix.InteractionResult, DoubleMessage]:
        result = self._webhook_interaction(ctx)
        wanted = ctx.params["message_id"]
        if wanted == "@original":
            target = result.message
        else:
            owned = [m for m in [result.message, *result.followups] if m is not None]
            target = next((m for m in owned if str(m.id) == wanted), None)
        if target is None or target.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return result, target

    async def _get_webhook_message(self, ctx: _Ctx) -> Reply:
        _, target = self._webhook_target(ctx)
        return Reply(200, target.data)

    async def _edit_webhook_message(self, ctx: _Ctx) -> Reply:
        result, target = self._webhook_target(ctx)
        self._edit_message(target, ctx.body or {}, files=ctx.files)
        result.notify()
        return Reply(200, target.data)

    async def _delete_webhook_message(self, ctx: _Ctx) -> Reply:
        result, target = self._webhook_target(ctx)
        self._delete_message(target)
        result.notify()
        return Reply(204)

    # ================================================================================ REST: channels & guilds

    def _channel_by_id(self, channel_id: str) -> Channel:
        for guild in self.guilds.values():
            if (channel := guild.channels.get(int(channel_id))) is not None:
                return channel
        raise DiscordError(404, 10003, "Unknown Channel")

    def _channel_message(self, ctx: _Ctx) -> tuple[Channel, DoubleMessage]:
        channel = self._channel_by_id(ctx.params["channel_id"])
        message = self._messages.get(int(ctx.params["message_id"]))
        if message is None or message.channel_id != channel.id or message.deleted or message.ephemeral:
            raise DiscordError(404, 10008, "Unknown Message")
        return channel, message

    def _bot_may(self, channel: Channel, needed: int) -> None:
        permissions = channel.guild.permissions_for(channel.guild.me, channel)
        if not permissions & VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        if permissions & needed != needed:
            raise DiscordError(403, 50013, "Missing Permissions")

    async def _get_channel(self, ctx: _Ctx) -> Reply:
        channel = self._channel_by_id(ctx.params["channel_id"])
        self._bot_may(channel, VIEW_CHANNEL)
        return Reply(200, channel.payload())

    async def _list_messages(self, ctx: _Ctx) -> Reply:
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

    async def _create_channel_message(self, ctx: _Ctx) -> Reply:
        channel = self._channel_by_id(ctx.params["channel_id"])
        self._bot_may(channel, SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES)
        body = ctx.body or {}
        nonce = body.get("nonce")
        key = (channel.id, self.bot_user.id, str(nonce))
        now = self.clock()
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get(key)
            if seen is not None and now - seen[0] < self.nonce_window:
                self.nonce_dedupes += 1
                return Reply(200, seen[1].data)
        if ctx.files:
            self._bot_may(channel, ATTACH_FILES)
        message_type = 19 if body.get("message_reference") else 0
        message = self._store_message(
            channel, self.bot_user, body, source="channel", message_type=message_type, files=ctx.files
        )
        if nonce is not None:
            self._nonces[key] = (now, message)
        return Reply(200, message.data)

    async def _get_channel_message(self, ctx: _Ctx) -> Reply:
        _, message = self._channel_message(ctx)
        return Reply(200, message.data)

    async def _edit_channel_message(self, ctx: _Ctx) -> Reply:
        channel, message = self._channel_message(ctx)
        if message.author_id != self.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        if ctx.files:
            self._bot_may(channel, ATTACH_FILES)
        self._edit_message(message, ctx.body or {}, files=ctx.files)
        return Reply(200, message.data)

    async def _delete_channel_message(self, ctx: _Ctx) -> Reply:
        channel, message = self._channel_message(ctx)
        if message.author_id != self.bot_user.id:
            self._bot_may(channel, MANAGE_MESSAGES)
        self._delete_message(message)
        return Reply(204)

    async def _typing(self, ctx: _Ctx) -> Reply:
        self._channel_by_id(ctx.params["channel_id"])
        return Reply(204)

    def _guild(self, ctx: _Ctx) -> Guild:
        guild = self.guilds.get(int(ctx.params["guild_id"]))
        if guild is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild

    async def _get_guild(self, ctx: _Ctx) -> Reply:
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

    async def _get_guild_channels(self, ctx: _Ctx) -> Reply:
        guild = self._guild(ctx)
        return Reply(200, [c.payload() for c in guild.channels.values() if not c.is_thread])

    async def _get_guild_roles(self, ctx: _Ctx) -> Reply:
        return Reply(200, [r.payload() for r in self._guild(ctx).roles.values()])

    async def _get_guild_member(self, ctx: _Ctx) -> Reply:
        member = self._guild(ctx).members.get(int(ctx.params["user_id"]))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return Reply(200, member.payload())

    # ================================================================================ messages

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

    def _attachments(
        self,
        message: DoubleMessage,
        body: dict[str, Any],
        files: Mapping[str, FilePart],
        current: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """The message's attachments after a create or edit, keeping the uploaded bytes on the message.

        As Discord does: a body ``attachments`` entry whose ``id`` names a ``files[id]`` part is a new
        upload (its ``filename``/``description`` win over the part's); any other entry keeps the existing
        attachment with that id; without ``attachments`` existing ones stay. Uploaded parts no entry names
        are added too.
        """
        existing = {a["id"]: a for a in current}
        result: list[dict[str, Any]] = [] if "attachments" in body else list(current)
        used: set[str] = set()
        for entry in body.get("attachments") or []:
            part_name = f"files[{entry.get('id')}]"
            if part_name in files:
                used.add(part_name)
                result.append(self._store_upload(message, files[part_name], entry))
            elif str(entry.get("id")) in existing:
                result.append(existing[str(entry.get("id"))])
        for part_name, part in files.items():
            if part_name not in used:
                result.append(self._store_upload(message, part, {}))
        return result

    def _store_upload(self, message: DoubleMessage, part: FilePart, entry: dict[str, Any]) -> dict[str, Any]:
        filename = str(entry.get("filename") or part.filename or "unknown")
        stored = store_file(
            self.snowflakes.event(),
            message.channel_id,
            filename,
            part.data,
            base_url=self.cdn_base,
            content_type=guess_content_type(filename),
            description=entry.get("description"),
        )
        self._files[stored.id] = stored
        message.blobs[str(stored.id)] = part.data
        return copy.deepcopy(stored.payload)

    def _check_file_sizes(self, files: Mapping[str, FilePart]) -> None:
        for part in files.values():
            if len(part.data) > self.attachment_size_limit:
                raise DiscordError(413, 40005, "Request entity too large")

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

    # ================================================================================ CDN

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        """Serve a stored file as the CDN does: no Authorization needed, 404 for anything it does not hold.

        Downloads are logged in :attr:`downloads` (not :attr:`requests`, which is the API), so a test can
        tell whether the bot fetched a file at all, e.g. that it checked ``Attachment.size`` first.
        """
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            json=None,
        )
        self.downloads.append(record)
        info = request.match_info
        stored = self._files.get(int(info["file_id"])) if info["file_id"].isdigit() else None
        if stored is None or str(stored.channel_id) != info["channel_id"] or stored.filename != info["filename"]:
            record.status = 404
            return web.Response(status=404, text="This content is no longer available.")
        record.status = 200
        headers = {"Content-Type": stored.content_type or "application/octet-stream"}
        return web.Response(body=stored.data, headers=headers)

    # ================================================================================ gateway

    async def _handle_gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, timeout=2.0, autoping=True)
        await ws.prepare(request)
        if request.query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"the double only speaks encoding=json")
            return ws
        try:
            conn = GatewayConnection(ws, request, request.query.get("compress"), self.gateway_log)
        except ValueError as error:
            await ws.close(code=4002, message=str(error).encode())
            return ws
        self._connections.add(conn)
        interval = self.heartbeat_interval_ms
        await conn.send(
            {"op": 10, "d": {"heartbeat_interval": interval, "_trace": ["discord-double"]}, "s": None, "t": None}
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    payload = json.loads(msg.data)
                    self.gateway_log.append(GatewayFrame("in", payload.get("op"), None, None, payload.get("d")))
                    await self._on_gateway_op(conn, payload)
                elif msg.type == WSMsgType.BINARY:
                    await ws.close(code=4002, message=b"binary frames are not supported")
                else:
                    break
        finally:
            self._connections.discard(conn)
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                if conn not in self._dropped and ws.close_code in (1000, 1001):
                    session.resumable = False  # a clean close by the client ends the session
            self._dropped.discard(conn)
            await self._gateway_event()
        return ws

    async def _on_gateway_op(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            self.heartbeats += 1
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif conn.session is None:
            await conn.ws.close(code=4003, message=b"Not authenticated.")
        elif op == 3:
            self.presence_updates.append(data or {})
        elif op == 8:
            await self._request_members(conn, data or {})
        elif op == 4:
            pass  # voice state: nothing to model
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = data.get("shard")
        if shard is not None and not (0 <= shard[0] < shard[1]):
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        session = GatewaySession(
            session_id=secrets.token_hex(16), intents=intents, shard=tuple(shard) if shard else None
        )
        session.connection = conn
        conn.session = session
        self._sessions[session.session_id] = session
        self._live(session)
        guilds = [g for g in self.guilds.values() if session.wants_guild(g.id)]
        ready = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["discord-double"],
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        await session.dispatch("READY", ready)
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", guild.create_payload())
        self.identify_count += 1
        await self._gateway_event()

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or not session.resumable:
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        previous = session.connection
        if previous is not None and previous is not conn and previous.open:
            self._dropped.add(previous)
            await previous.ws.close(code=4000)
        conn.session = session
        self._live(session)
        await session.replay(conn, int(data.get("seq") or 0))
        await session.dispatch("RESUMED", {"_trace": ["discord-double"]})
        self.resume_count += 1
        await self._gateway_event()

    async def _request_members(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        guild = self.guilds.get(int(data.get("guild_id", 0)))
        if guild is None or conn.session is None:
            return
        query = data.get("query")
        user_ids = {int(u) for u in data.get("user_ids") or []}
        members = [
            m
            for m in guild.members.values()
            if (user_ids and m.id in user_ids) or (query is not None and m.user.username.startswith(query))
        ]
        limit = data.get("limit") or len(members)
        chunk = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members[:limit]],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await conn.session.dispatch("GUILD_MEMBERS_CHUNK", chunk)


# ==================================================================================== helpers


class _ErrorCollector(logging.Handler):
    """Keeps discord.py's ERROR records so a timeout can say "the command raised X" instead of just "no answer"."""

    def __init__(self, sink: list[tuple[float, str]]) -> None:
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {record.exc_info[1]!r}"
        self.sink.append((time.monotonic(), text))


def _gid(guild: Guild | int | None) -> int | None:
    if guild is None:
        return None
    return guild.id if isinstance(guild, Guild) else int(guild)


def _channel(guild: Guild, channel: ChannelRef) -> Channel:
    return guild.channel(channel) if isinstance(channel, str) else channel


def _member(guild: Guild, member: MemberRef) -> Member:
    return guild.member(member) if isinstance(member, str) else member


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
