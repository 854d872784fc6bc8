"""Running the bot as a process: log in, serve until stopped, close cleanly on SIGTERM as on Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import discord

from bot.config import Settings
from bot.edge.app import BriefBot


def setup_logging(level: str) -> None:
    """discord.py's log format (coloured on a terminal) for the whole process."""
    discord.utils.setup_logging(level=getattr(logging, level), root=True)


async def run_bot(settings: Settings, *, sync_only: bool = False) -> int:
    """Connect to Discord and serve until stopped; with `sync_only`, log in, force a sync and leave."""
    assert settings.discord_token is not None
    token = settings.discord_token.get_secret_value()
    try:
        async with BriefBot(settings, sync_only=sync_only) as bot:
            if sync_only:
                await bot.login(token)
                print("commands synced", file=sys.stderr)
            else:
                _close_on_terminate(bot)
                await bot.start(token)
    except discord.LoginFailure:
        print("error: Discord rejected DISCORD_TOKEN; reset the token in the Developer Portal.", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("error: Discord refused the gateway intents; briefbot needs no privileged ones.", file=sys.stderr)
        return 1
    return 0


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
