"""The `briefbot` command, a front end like the bot: it takes its services from `bot.services`."""

from bot.cli.main import main

__all__ = ["main"]
