"""The `briefbot` command: run the bot or its offline console, sync, load or export packs, print their schema.

Every path starts by reading the settings, and every failure an operator can fix ends the program with
one line on standard error rather than a traceback: exit status 2 for a setting (`ConfigError`, also
raised when the store or the packs a setting names cannot be used), 1 for a command that could not do
its work (`UserError`: a bad pack, an unknown topic, a backup path that cannot be written).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import health
from bot.cli import digests as digest_cli
from bot.cli import intake as intake_cli
from bot.cli import store as store_cli
from bot.config import ConfigError, Settings, load_settings
from bot.console import Pictures, error_text, run_console
from bot.curation.export import export_pack
from bot.edge.run import run_bot, setup_logging
from bot.errors import UserError
from bot.packs import pack_json_schema
from bot.seeding import PacksRejected, load_pack_files
from bot.services import open_services, open_store

#: What a shell reports for a command that a closed pipe ended (128 + SIGPIPE); Windows has no SIGPIPE.
SIGPIPE_STATUS = 141

NO_TOKEN = """\
No Discord token is configured, so briefbot cannot connect to Discord.
To get one: https://discord.com/developers/applications → New Application → Bot → Reset Token,
then put DISCORD_TOKEN=… in .env (see .env.example and the README).
Meanwhile, here is the offline console: the same answers from the same store."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefbot", description="Cited crisis briefings for Discord.")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot (the default; without a token, the offline console)")
    console_cmd = sub.add_parser("console", help="answer /commands typed or piped on standard input, offline")
    console_cmd.add_argument("--topic", help="the topic answered about without topic: (default: DEFAULT_TOPIC)")
    for each in (run, console_cmd):
        each.add_argument(
            "--pictures", type=Path, metavar="DIR", help="console: write answers' pictures (PNG) to DIR, print paths"
        )
    sub.add_parser("sync", help="sync the slash commands to Discord now, even if unchanged")
    sub.add_parser("health", help="exit 0 if the running bot's heartbeat (HEARTBEAT_FILE) is fresh and connected")
    load = sub.add_parser("load", aliases=["import"], help="validate YAML packs as a whole and apply them")
    load.add_argument("packs", nargs="+", type=Path, metavar="PACK")
    load.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    export = sub.add_parser("export", help="write a topic as a YAML pack that imports back to the same store")
    export.add_argument("--topic", help="the topic's slug (default: DEFAULT_TOPIC)")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    backup = sub.add_parser("backup", help="a consistent copy of the live database, safe while the bot runs")
    backup.add_argument("path", type=Path, metavar="PATH")
    digest_cli.add_parser(sub)
    intake_cli.add_parser(sub)
    store_cli.add_parser(sub)
    pack = sub.add_parser("pack", help="about the pack format")
    pack_actions = pack.add_subparsers(dest="pack_action", required=True, metavar="ACTION")
    pack_actions.add_parser("schema", help="print the JSON Schema of a pack file, for editors")
    return parser


def pack_schema() -> int:
    """Print the pack file's JSON Schema; it needs no settings, so it works before any are written."""
    print(json.dumps(pack_json_schema(), indent=2, ensure_ascii=False))
    return 0


async def console(settings: Settings, topic: str | None = None, pictures: Path | None = None) -> int:
    """Run the offline console until end of input, on the same store (seeded on first start) as the bot."""
    services = await open_services(settings)
    try:
        # An unknown topic is one line and status 1, before any input is read.
        slug = (await services.topics.named(topic)).slug if topic else None
        drawn = Pictures(pictures, services.painter) if pictures is not None else None
        await run_console(services, topic=slug, pictures=drawn)
    finally:
        await services.close()
    return 0


async def load(settings: Settings, packs: Sequence[Path], *, dry_run: bool = False) -> int:
    """Load the packs as one change: each file's problems are printed with their lines, and then none loads."""
    store = await open_store(settings, seed=False)
    try:
        changes = await load_pack_files(store, packs, dry_run=dry_run)
    except PacksRejected as exc:
        for path, problems in exc.problems.items():
            print(f"{path}: {problems}", file=sys.stderr)
        raise UserError(f"{exc} (packs given together load together or not at all)") from None
    finally:
        await store.close()
    for path, change in zip(packs, changes, strict=True):
        print(f"{path}: {change.summary(dry_run=dry_run)}")
        for warning in change.warnings:
            print(f"{path}: warning: {warning}", file=sys.stderr)
        for capped in change.capped:
            print(f"{path}: graded 3: {capped}", file=sys.stderr)
    if dry_run:
        print("dry run: nothing was written; import again without --dry-run to apply this")
    return 0


async def export(settings: Settings, topic: str | None, output: Path | None) -> int:
    """Write a topic as pack YAML to a file or standard output."""
    store = await open_store(settings, seed=False)
    try:
        text = await export_pack(store, topic or settings.default_topic)
    finally:
        await store.close()
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
    return 0


async def backup(settings: Settings, path: Path) -> int:
    """Copy the live database consistently (SQLite's online backup), then move it into place."""
    store = await open_store(settings, seed=False)
    try:
        await store.db.backup(path)
    finally:
        await store.close()
    print(f"backed up {settings.database_path} to {path}")
    return 0


def check_health(settings: Settings) -> int:
    """0 and `healthy` when the bot's heartbeat is fresh and connected; 1 and the problem in one line if not."""
    if settings.heartbeat_file is None:
        raise ConfigError.of("HEARTBEAT_FILE", "not set; the bot writes no heartbeat to check without it")
    wrong = health.problem(settings.heartbeat_file)
    if wrong is not None:
        print(f"unhealthy: {wrong}", file=sys.stderr)
        return 1
    print("healthy")
    return 0


async def command(settings: Settings, args: argparse.Namespace) -> int:
    """Run the command the arguments name; `run` (the default) without a token opens the console."""
    name = args.command or "run"
    if name in {"load", "import"}:
        return await load(settings, args.packs, dry_run=args.dry_run)
    if name == "export":
        return await export(settings, args.topic, args.output)
    if name == "backup":
        return await backup(settings, args.path)
    if name == "console":
        return await console(settings, args.topic, args.pictures)
    if name == "digest":
        return await digest_cli.run(settings, args)
    if name in {"feed", "source"}:
        return await intake_cli.run(settings, args)
    if name == "health":
        return check_health(settings)
    if settings.discord_token is None:
        if name == "sync":
            raise ConfigError.of("DISCORD_TOKEN", "not set; syncing needs the bot's token")
        print(NO_TOKEN, file=sys.stderr)
        return await console(settings, pictures=getattr(args, "pictures", None))
    await run_bot(settings, sync_only=name == "sync")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `briefbot` command: one line on standard error for anything an operator can fix."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "pack":
            status = pack_schema()
        elif args.command == "store":
            status = asyncio.run(store_cli.run(args))
        else:
            settings = load_settings()
            setup_logging(settings.log_level)
            status = asyncio.run(command(settings, args))
        sys.stdout.flush()  # here, where a reader that left can still be handled, rather than at exit
        return status
    except BrokenPipeError:
        # The reader left (`briefbot export | head`): stop quietly with the status a shell gives a command
        # ended by SIGPIPE, and send what is still buffered to devnull, as Python's docs advise, so that
        # the flush at exit does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return SIGPIPE_STATUS
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"error: {error_text(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
