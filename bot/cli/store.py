"""`briefbot store copy SOURCE TARGET`: move a whole store between SQLite and PostgreSQL, either way.

It needs no settings: both stores are named on the command line, as a SQLite path (or `sqlite:///path`)
or a `postgresql://` URL. The copy is `bot.store.copy.copy_store`; this prints its progress, one line per
table, and turns what an operator can fix into one line and status 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.errors import UserError
from bot.store.copy import copy_store
from bot.store.engine import open_database
from bot.store.engine.base import Database, StoreUnavailable, is_postgres, shown

SQLITE_URL = "sqlite:///"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `store copy` to the `briefbot` command."""
    store = sub.add_parser("store", help="the store as a whole")
    actions = store.add_subparsers(dest="store_command", required=True)
    copy = actions.add_parser(
        "copy", help="copy a whole store into an empty one: SQLite (PATH or sqlite:///PATH) or postgresql://…"
    )
    copy.add_argument("source", metavar="SOURCE_URL")
    copy.add_argument("target", metavar="TARGET_URL")


def address(text: str) -> Path | str:
    """A store's address as `open_database` takes it: a PostgreSQL URL as it is, else a SQLite file's path."""
    if is_postgres(text):
        return text
    return Path(text.removeprefix(SQLITE_URL))


async def _open(text: str, *, existing: bool) -> Database:
    target = address(text)
    if existing and isinstance(target, Path) and not target.is_file():
        raise UserError(f"there is no SQLite store at {target}")
    try:
        return await open_database(target)
    except StoreUnavailable as exc:
        raise UserError(str(exc)) from None


async def run(args: argparse.Namespace) -> int:
    """Copy SOURCE into the empty TARGET, in one transaction on TARGET, printing each table as it is done."""
    if address(args.source) == address(args.target):
        raise UserError("the source and the target are the same store")
    source = await _open(args.source, existing=True)
    try:
        target = await _open(args.target, existing=False)
        try:
            copied = await copy_store(source, target, lambda table, rows: print(f"{table}: {rows} rows", flush=True))
        finally:
            await target.close()
    finally:
        await source.close()
    print(
        f"copied {sum(copied.values())} rows in {len(copied)} tables from {shown(args.source)} to {shown(args.target)}"
    )
    return 0
