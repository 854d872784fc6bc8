"""pytest plugin: the ``discord_double`` fixtures and the end-of-test checks.

Register with ``pytest_plugins = ["tests.discord_double.plugin"]`` in ``tests/conftest.py``.

Fixtures
    ``discord_double``: one double per module (so a client connected once serves every test in the
    module), handed to each test with a check at teardown: the test fails if, during it, a request body
    broke Discord's schema, a request hit a route the double does not know, or the double had an internal
    error. Tests using it run in the module's event loop::

        pytestmark = pytest.mark.asyncio(loop_scope="module")

    ``fresh_discord_double``: a new double for one test, in the test's own loop (for restarts and other
    tests that want a clean slate), with the same checks.

    ``discord_double_options``: keyword arguments for :class:`DiscordDouble`; override it in a module to
    change e.g. ``heartbeat_interval_ms`` or ``callback_deadline``.

Marker
    ``@pytest.mark.discord_double(allow_schema_violations=True, allow_unknown_routes=True)`` relaxes the
    teardown checks for one test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sized
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord.gateway import DiscordWebSocket

from . import schema
from .server import DiscordDouble


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "discord_double(allow_schema_violations=False, allow_unknown_routes=False): "
        "relax the Discord double's end-of-test checks",
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Repeat the missing-schema warning where nobody can miss it."""
    if schema.missing_spec is not None:
        terminalreporter.write_line(
            f"WARNING: Discord OpenAPI schema not found at {schema.missing_spec}: "
            "request bodies were NOT checked against Discord's schema",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="module")
def discord_double_options() -> dict[str, Any]:
    """Keyword arguments for the module's :class:`DiscordDouble`; override per module."""
    return {}


class _GlobalsGuard:
    """Restores discord.py's two process-wide endpoints, which a bot under test points at the double."""

    def __init__(self) -> None:
        self.base = discord.http.Route.BASE
        self.gateway = DiscordWebSocket.DEFAULT_GATEWAY

    def restore(self) -> None:
        discord.http.Route.BASE = self.base
        DiscordWebSocket.DEFAULT_GATEWAY = self.gateway


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def discord_double_server(discord_double_options: dict[str, Any]) -> AsyncIterator[DiscordDouble]:
    """The module's double (use ``discord_double``, which adds the per-test checks)."""
    guard = _GlobalsGuard()
    try:
        async with DiscordDouble(**discord_double_options) as double:
            yield double
    finally:
        guard.restore()


@pytest.fixture
def discord_double(request: pytest.FixtureRequest, discord_double_server: DiscordDouble) -> Iterator[DiscordDouble]:
    """The module's double, checked after each test for schema violations, unknown routes, internal errors."""
    double = discord_double_server
    since = _marks(double)
    yield double
    _check(double, since, request.node.get_closest_marker("discord_double"))


@pytest_asyncio.fixture
async def fresh_discord_double(
    request: pytest.FixtureRequest, discord_double_options: dict[str, Any]
) -> AsyncIterator[DiscordDouble]:
    """A double of its own for one test, in the test's loop, with the same checks."""
    guard = _GlobalsGuard()
    double = await DiscordDouble(**discord_double_options).start()
    try:
        yield double
    finally:
        await double.stop()
        guard.restore()
    _check(double, (0, 0, 0), request.node.get_closest_marker("discord_double"))


def _marks(double: DiscordDouble) -> tuple[int, int, int]:
    return len(double.schema_violations), len(double.unknown_routes), len(double.internal_errors)


def _check(double: DiscordDouble, since: tuple[int, int, int], marker: pytest.Mark | None) -> None:
    options = marker.kwargs if marker else {}
    # double.reset() during the test shortens the lists; then everything left is new.
    violations, unknown, internal = double.schema_violations, double.unknown_routes, double.internal_errors
    problems = []
    if not options.get("allow_schema_violations"):
        problems += [f"schema violation: {v}" for v in violations[_start(since[0], violations) :]]
    if not options.get("allow_unknown_routes"):
        problems += [f"unknown route: {r}" for r in unknown[_start(since[1], unknown) :]]
    problems += [f"double internal error: {e}" for e in internal[_start(since[2], internal) :]]
    if problems:
        pytest.fail("the Discord double saw problems:\n" + "\n".join(problems), pytrace=False)


def _start(mark: int, found: Sized) -> int:
    return mark if mark <= len(found) else 0
