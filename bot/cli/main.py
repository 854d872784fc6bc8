"""The `briefbot` command: run the bot or its offline console, sync, load or export packs, print their schema.

Every path starts by reading the settings, so a missing or malformed setting ends the program with one
line on standard error (exit status 2) rather than a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import digests as digest_cli
from bot.cli import intake as intake_cli
from bot.config import ConfigError, Settings, load_settings
from bot.console import run_console
from bot.curation.export import export_pack
from bot.edge.run import run_bot, setup_logging
from bot.errors import UserError
from bot.packs import PackError, pack_json_schema
from bot.seeding import load_pack_file
from bot.services import open_services
from bot.store import Store

NO_TOKEN = """\
No Discord token is configured, so briefbot cannot connect to Discord.
To get one: https://discord.com/developers/applications → New Application → Bot → Reset Token,
then put DISCORD_TOKEN=… in .env (see .env.example and the README).
Meanwhile, here is the offline console: the same answers from the same store."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefbot", description="Cited crisis briefings for Discord.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default; without a token, the offline console)")
    sub.add_parser("console", help="answer /commands typed or piped on standard input, offline")
    sub.add_parser("sync", help="sync the slash commands to Discord now, even if unchanged")
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
    pack = sub.add_parser("pack", help="about the pack format")
    pack_actions = pack.add_subparsers(dest="pack_action", required=True, metavar="ACTION")
    pack_actions.add_parser("schema", help="print the JSON Schema of a pack file, for editors")
    return parser


def pack_schema() -> int:
    """Print the pack file's JSON Schema; it needs no settings, so it works before any are written."""
    print(json.dumps(pack_json_schema(), indent=2, ensure_ascii=False))
    return 0


async def console(settings: Settings) -> int:
    """Run the offline console until end of input, on the same store (seeded on first start) as the bot."""
    services = await open_services(settings)
    try:
        await run_console(services.briefing)
    finally:
        await services.close()
    return 0


async def load(settings: Settings, packs: Sequence[Path], *, dry_run: bool = False) -> int:
    """Load each pack; a bad pack loads nothing and every problem is printed with its line."""
    store = await Store.open(settings.database_path)
    status = 0
    try:
        for path in packs:
            try:
                changes = await load_pack_file(store, path, dry_run=dry_run)
            except (PackError, OSError) as exc:
                print(f"{path}: {exc}", file=sys.stderr)
                status = 1
                continue
            verb = "would add" if dry_run else "added"
            print(f"{path}: {verb} {changes.added}, changed {changes.changed}, unchanged {changes.unchanged}")
    finally:
        await store.close()
    return status


async def export(settings: Settings, topic: str | None, output: Path | None) -> int:
    """Write a topic as pack YAML to a file or standard output."""
    store = await Store.open(settings.database_path)
    try:
        text = await export_pack(store, topic or settings.default_topic)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
    return 0


async def backup(settings: Settings, path: Path) -> int:
    """Copy the live database consistently (SQLite's online backup), then move it into place."""
    store = await Store.open(settings.database_path)
    try:
        await store.db.backup(path)
    finally:
        await store.close()
    print(f"backed up {settings.database_path} to {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `briefbot` command."""
    args = _parser().parse_args(argv)
    if args.command == "pack":
        return pack_schema()
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level)
    command = args.command or "run"
    if command in {"load", "import"}:
        return asyncio.run(load(settings, args.packs, dry_run=args.dry_run))
    if command == "export":
        return asyncio.run(export(settings, args.topic, args.output))
    if command == "backup":
        return asyncio.run(backup(settings, args.path))
    if command == "console":
        return asyncio.run(console(settings))
    if command == "digest":
        return asyncio.run(digest_cli.run(settings, args))
    if command in {"feed", "source"}:
        return asyncio.run(intake_cli.run(settings, args))
    if settings.discord_token is None:
        if command == "sync":
            print("error: DISCORD_TOKEN is not set; syncing needs the bot's token.", file=sys.stderr)
            return 2
        print(NO_TOKEN, file=sys.stderr)
        return asyncio.run(console(settings))
    try:
        return asyncio.run(run_bot(settings, sync_only=command == "sync"))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
