"""Loading packs into the store: on first start, and on demand with `briefbot load`."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.packs import read_pack
from bot.store import Store
from bot.store.records import PackChanges
from bot.store.writes import apply_pack

log = logging.getLogger(__name__)


async def load_pack_file(store: Store, path: Path, *, dry_run: bool = False) -> PackChanges:
    """Validate a pack file as a whole, then apply it in one transaction (or only report, in a dry run)."""
    changes = await apply_pack(store.db, read_pack(path), dry_run=dry_run)
    log.info("loaded pack %s: added %s, changed %s", path.name, changes.added, changes.changed)
    for warning in changes.warnings:
        log.warning("pack %s: %s", path.name, warning)
    return changes


async def seed_if_empty(store: Store, packs_dir: Path) -> list[Path]:
    """On a store with no topics, load every pack under `packs_dir`, so a fresh install answers at once."""
    if await store.topics():
        return []
    loaded = []
    for path in sorted(await asyncio.to_thread(lambda: list(packs_dir.glob("*.yaml")))):
        await load_pack_file(store, path)
        loaded.append(path)
    return loaded


async def open_store(database: Path, packs_dir: Path) -> Store:
    """Open the store and seed it on first start: the bot, the console and the CLI all begin here."""
    store = await Store.open(database)
    try:
        await seed_if_empty(store, packs_dir)
    except BaseException:
        await store.close()
        raise
    return store
