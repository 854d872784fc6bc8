"""The double itself: an aiohttp server speaking Discord's REST API v10 and gateway on 127.0.0.1.

Point discord.py at it with ``discord.http.Route.BASE = double.api_base``; the gateway URL is what
``GET /gateway/bot`` answers (``double.gateway_url``). Every request is logged, checked against Discord's
OpenAPI request schema, and may be rate limited on demand; unknown routes answer 404 and are recorded.

The endpoints live in :mod:`.api`, one module per section of Discord's API reference (gateway, users,
applications, commands, interactions, channels, messages, guilds, attachments, rate limits), each a mixin
whose handlers carry a ``@route(method, path)``. What a test does as a user is in :mod:`.acting`. This
module only mixes them into one class and owns the server's lifecycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket

from aiohttp import web

from .acting import ActingAsUsers
from .api.applications import ApplicationsApi
from .api.commands import CommandsApi
from .api.guilds import GuildsApi
from .api.interactions import InteractionsApi
from .api.ratelimits import RateLimitsApi
from .api.routing import Router
from .api.state import API_PREFIX
from .api.users import UsersApi
from .records import RecordedRequest
from .schema import SchemaViolation


class DiscordDouble(
    ActingAsUsers, InteractionsApi, CommandsApi, GuildsApi, UsersApi, ApplicationsApi, RateLimitsApi, Router
):
    """A local stand-in for Discord that the real, unpatched discord.py client connects to.

    Use as ``async with DiscordDouble() as double:`` or through the ``discord_double`` pytest fixture.
    Build the world with :meth:`add_guild`, run a client with :func:`tests.discord_double.run_client`, then
    act as users (:meth:`slash`, :meth:`autocomplete`, :meth:`press`, :meth:`submit_modal`) and inspect
    :meth:`messages`, :attr:`requests`, :meth:`commands`, :attr:`schema_violations`.
    """

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

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Logged requests whose method matches and whose path fully matches ``path_regex``."""
        pattern = re.compile(path_regex)
        return [r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)]
