"""Topics > Gateway: the websocket (HELLO, IDENTIFY, RESUME, heartbeats, member chunks) and ``GET /gateway``.

Also where a test controls the connection (:meth:`drop_gateway`, :meth:`request_reconnect`, the waits) and
where every other resource sends its events: :meth:`_session_for` picks the session of a guild's shard and
:meth:`_schedule` queues the dispatch so events keep the order the test caused them in.
"""

# Waiting methods take `timeout=`: a test waiting on the bot must fail with an explanation, never hang.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import json
import secrets
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import WSMsgType, web

from ..gateway import GatewayConnection, GatewayFrame, GatewaySession
from ..world import Guild
from .routing import Ctx, Reply, route
from .state import DoubleState

#: GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT.
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)
GUILD_MESSAGES = 1 << 9
GUILD_MEMBERS = 1 << 1
MESSAGE_CONTENT = 1 << 15


class GatewayApi(DoubleState):
    """The gateway connection and session bookkeeping."""

    @route("GET", "/gateway", auth=False)
    async def _get_gateway(self, ctx: Ctx) -> Reply:
        return Reply(200, {"url": self.gateway_url})

    @route("GET", "/gateway/bot")
    async def _get_gateway_bot(self, ctx: Ctx) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
        return Reply(200, {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit})

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
