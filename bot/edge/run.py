"""Running the bot as a process: log in, serve until stopped, close cleanly on SIGTERM as on Ctrl-C.

A start that cannot reach Discord, or whose token Discord refuses, ends with one line saying so (raised
for the CLI to print), not discord.py's and aiohttp's tracebacks: the operator needs to know which of
the two it is, and what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Iterator

import aiohttp
import discord

from bot.config import ConfigError, Settings
from bot.edge.app import BriefBot
from bot.errors import UserError

#: discord.py warns at every start that voice needs PyNaCl and davey; briefbot never joins a voice channel.
VOICE_WARNING = "voice will NOT be supported"


def setup_logging(level: str) -> None:
    """discord.py's log format (coloured on a terminal) for the whole process, without its voice warnings."""
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    logging.getLogger("discord.client").addFilter(lambda record: VOICE_WARNING not in record.getMessage())


async def run_bot(settings: Settings, *, sync_only: bool = False) -> None:
    """Connect to Discord and serve until stopped; with `sync_only`, log in, force a sync and leave.

    Once connected, discord.py itself reconnects after outages; failures at start are `login_failures`.
    """
    assert settings.discord_token is not None
    token = settings.discord_token.get_secret_value()
    with login_failures(settings):
        async with BriefBot(settings, sync_only=sync_only) as bot:
            if sync_only:
                await bot.login(token)
                print("commands synced", file=sys.stderr)
            else:
                _close_on_terminate(bot)
                await bot.start(token)


@contextlib.contextmanager
def login_failures(settings: Settings) -> Iterator[None]:
    """Turn what stops a login into one line, for the bot and for `digest run-due` alike.

    A refused token is a `ConfigError` (DISCORD_TOKEN is wrong); Discord out of reach, or refusing the
    intents, is a `UserError`.
    """
    try:
        yield
    except discord.LoginFailure:
        raise ConfigError.of(
            "DISCORD_TOKEN", "Discord refused it; reset the token in the Developer Portal (Bot → Reset Token)"
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise UserError("Discord refused the gateway intents; briefbot needs no privileged ones") from None
    except aiohttp.ClientConnectionError as exc:
        check = "the network connection" + (" and DISCORD_API_BASE" if settings.discord_api_base else "")
        raise UserError(f"cannot reach Discord ({_unreachable(exc)}); check {check}, then start again") from None


def _unreachable(exc: aiohttp.ClientConnectionError) -> str:
    """Where the connection failed and why, e.g. `discord.com:443: name or service not known`."""
    if not isinstance(exc, aiohttp.ClientConnectorError):
        return str(exc) or type(exc).__name__
    error = exc.os_error
    # A look-up failure's errno is resolver-specific; for the rest, the errno's text is the plain reason.
    reason = error.strerror if isinstance(error, socket.gaierror) or not error.errno else os.strerror(error.errno)
    return f"{exc.host}:{exc.port}: {(reason or str(error)).lower()}"


def _close_on_terminate(bot: BriefBot) -> None:
    """Make SIGTERM (what systemd, Docker and the benchmarks send) close the bot as Ctrl-C does.

    Left to its default, SIGTERM ends the process at once: the gateway is dropped without a goodbye, and
    the store is not checkpointed. Closing the bot makes `start` return, so the store closes as usual.
    """
    loop = asyncio.get_running_loop()
    closing: set[asyncio.Task[None]] = set()

    def close() -> None:
        task = loop.create_task(bot.close())
        closing.add(task)
        task.add_done_callback(closing.discard)

    with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers in asyncio
        loop.add_signal_handler(signal.SIGTERM, close)
