"""Run a real discord.py client against the double for the length of an ``async with`` block."""

# Waiting methods take `timeout=`: a test waiting on the bot must fail with an explanation, never hang.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Literal, TypeVar

import discord
from discord.gateway import DiscordWebSocket

from .server import DiscordDouble

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.asynccontextmanager
async def run_client(
    double: DiscordDouble,
    client: ClientT,
    token: str | None = None,
    *,
    timeout: float = 10.0,
    until: Literal["ready", "guilds"] = "ready",
) -> AsyncIterator[ClientT]:
    """Start ``client.start(token)`` as a task, wait until it is up, yield it, then close it.

    ``until="ready"`` waits for discord.py's ``on_ready``, which comes ``guild_ready_timeout`` seconds
    (default 2 s) after the last GUILD_CREATE; pass ``guild_ready_timeout=0.1`` to the client to keep tests
    fast, or use ``until="guilds"``, which returns as soon as every guild is in the client's cache
    (interactions are handled from then on, but ``on_ready`` may not have run yet).

    The client must already point at the double: ``discord.http.Route.BASE = double.api_base`` before login,
    and, unless it is an ``AutoShardedClient`` (which asks ``GET /gateway/bot``), a gateway URL taken from
    ``GET /gateway/bot`` in ``DiscordWebSocket.DEFAULT_GATEWAY``. A timeout says which of these is missing.
    """
    token = double.token if token is None else token
    identifies = double.identify_count
    task = asyncio.create_task(client.start(token), name="discord-double-client")
    up = False
    try:
        await _wait_up(double, client, task, identifies, timeout, until)
        up = True
        yield client
    finally:
        await client.close()
        if up:  # let start() return by itself, as it does once the gateway loop sees the close
            await asyncio.wait({task}, timeout=5.0)
        if not task.done():  # e.g. sleeping in a reconnect back-off after a failed start
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def _wait_up(
    double: DiscordDouble,
    client: discord.Client,
    task: asyncio.Task[None],
    identifies: int,
    timeout: float,
    until: str,
) -> None:
    loop = asyncio.get_running_loop()
    first_request = len(double.requests)
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if task.done():
            error = task.exception()
            why = f"the client stopped before it was ready ({error!r})" if error else "client.start() returned early"
            raise AssertionError(f"{why}; {_diagnose(double, client, identifies, first_request)}") from error
        identified = double.identify_count > identifies
        if until == "ready" and identified and client.is_ready():
            return
        if until == "guilds" and identified and all(client.get_guild(g) is not None for g in double.guilds):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(
        f"the client was not ready within {timeout:g}s: {_diagnose(double, client, identifies, first_request)}"
    )


def _diagnose(double: DiscordDouble, client: discord.Client, identifies: int, first_request: int) -> str:
    base = discord.http.Route.BASE
    requests = double.requests[first_request:]
    if not requests:
        return f"no request reached the double: discord.http.Route.BASE is {base!r}, expected {double.api_base!r}."
    if double.identify_count == identifies:
        if isinstance(client, discord.AutoShardedClient):
            hint = "AutoShardedClient should have used GET /gateway/bot"
        else:
            hint = (
                f"discord.py's Client connects to DiscordWebSocket.DEFAULT_GATEWAY "
                f"({DiscordWebSocket.DEFAULT_GATEWAY}) and never asks GET /gateway/bot; "
                f"set it to the URL GET /gateway/bot answers ({double.gateway_url})"
            )
        seen = [str(r) for r in requests[-8:]]
        return f"it made REST requests ({seen}) but never identified on the gateway: {hint}."
    return (
        "it identified but on_ready did not fire; discord.py waits guild_ready_timeout (default 2 s) after the "
        "last GUILD_CREATE, so raise the timeout, lower guild_ready_timeout, or use until='guilds'."
    )
