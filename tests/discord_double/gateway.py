"""The gateway side: connections (with the transport compression the client asked for) and sessions.

A session outlives its websocket: dispatches made while the client is disconnected are buffered with their
sequence numbers and replayed on RESUME, as Discord does, so an interaction sent during a reconnect still
arrives exactly once.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

try:  # discord.py prefers zstd-stream when a zstd module is importable; mirror whichever it would find.
    import zstandard as _zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    _zstd = None


class _Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


class _ZlibStream:
    """``compress=zlib-stream``: one zlib context per connection, every message ends in a sync flush."""

    def __init__(self) -> None:
        self._context = zlib.compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._context.compress(data) + self._context.flush(zlib.Z_SYNC_FLUSH)


class _ZstdStream:
    """``compress=zstd-stream``: one zstd stream per connection, each message a flushed block."""

    def __init__(self) -> None:
        if _zstd is not None:
            self._context = _zstd.ZstdCompressor().compressobj()
            self._flush = lambda: self._context.flush(_zstd.COMPRESSOBJ_FLUSH_BLOCK)
        else:  # pragma: no cover - Python 3.14's compression.zstd
            from compression import zstd  # type: ignore[import-not-found]

            compressor = zstd.ZstdCompressor()
            self._context = compressor
            self._flush = lambda: compressor.flush(zstd.ZstdCompressor.FLUSH_BLOCK)

    def compress(self, data: bytes) -> bytes:
        return self._context.compress(data) + self._flush()


def make_compressor(kind: str | None) -> _Compressor | None:
    """The compressor for a ``compress`` query value; None means plain text frames."""
    if kind is None:
        return None
    if kind == "zlib-stream":
        return _ZlibStream()
    if kind == "zstd-stream":
        return _ZstdStream()
    raise ValueError(f"unsupported gateway compression {kind!r}")


@dataclass
class GatewayFrame:
    """One frame on the wire, kept for debugging (``double.gateway_log``)."""

    direction: str
    op: int
    t: str | None
    s: int | None
    d: Any


class GatewayConnection:
    """One websocket. Sends are serialised because the compression context is a stream."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: str | None, log: list) -> None:
        self.ws = ws
        self.request = request
        self._compressor = make_compressor(compress)
        self._lock = asyncio.Lock()
        self._log = log
        self.session: GatewaySession | None = None

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, payload: dict[str, Any]) -> None:
        async with self._lock:
            if self.ws.closed:
                return
            self._log.append(GatewayFrame("out", payload["op"], payload.get("t"), payload.get("s"), payload.get("d")))
            raw = json.dumps(payload, separators=(",", ":"))
            try:
                if self._compressor is None:
                    await self.ws.send_str(raw)
                else:
                    await self.ws.send_bytes(self._compressor.compress(raw.encode()))
            except (ConnectionResetError, RuntimeError):
                pass  # the client went away mid-send; the session buffer still has the event for RESUME

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (an "abnormal closure" for the client)."""
        if self.request.transport is not None:
            self.request.transport.abort()


@dataclass
class GatewaySession:
    """A gateway session: identity, sequence, and the dispatches a RESUME may need to replay."""

    session_id: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    resumable: bool = True
    connection: GatewayConnection | None = None
    buffer: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=5000))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def wants_guild(self, guild_id: int) -> bool:
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return (guild_id >> 22) % count == shard_id

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Number, buffer and (if connected) send a dispatch; returns its sequence number."""
        async with self.lock:
            self.seq += 1
            payload = {"op": 0, "t": event, "s": self.seq, "d": data}
            self.buffer.append(payload)
            if self.connection is not None and self.connection.open:
                await self.connection.send(payload)
            return self.seq

    async def replay(self, connection: GatewayConnection, after: int) -> int:
        """Attach ``connection`` and send every buffered dispatch with a sequence above ``after``."""
        async with self.lock:
            self.connection = connection
            missed = [p for p in self.buffer if p["s"] > after]
            for payload in missed:
                await connection.send(payload)
            return len(missed)
