"""The double's state: the knobs a test sets, the world, and everything it records, shared by every resource.

Each resource module (:mod:`.gateway`, :mod:`.messages`, ...) is a mixin over :class:`DoubleState`; the
resources one of them uses are its base classes, so its imports say what it depends on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from .. import interactions as ix
from ..files import DEFAULT_ATTACHMENT_SIZE_LIMIT, StoredFile
from ..gateway import GatewayConnection, GatewayFrame, GatewaySession
from ..ratelimit import RateLimiter
from ..records import DoubleMessage, RecordedRequest
from ..schema import RequestValidator, SchemaViolation, load_validator
from ..snowflake import SnowflakeFactory
from ..world import Guild, User

API_PREFIX = "/api/v10"


class DoubleState:
    """Knobs, world and records of :class:`..server.DiscordDouble` (its constructor is this one's)."""

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
        #: DM channels by user and by id, the DM opens still to refuse with 40003, users refusing DMs (50007).
        self._dms_by_user: dict[int, Any] = {}
        self._dms_by_id: dict[int, Any] = {}
        self._dm_refusals = 0
        self._dms_closed: set[int] = set()
        #: How many DM channel opens were answered (refused ones not counted).
        self.dm_opens = 0
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

    # ================================================================================ lifecycle

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
