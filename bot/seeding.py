"""Loading packs into the store: on first start, and on demand with `briefbot load`.

Packs given together are one change, as a single pack is: every file is read and validated before any
is written, and then all of them are applied in one transaction, so a bad file loads none of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from bot.packs import Pack, PackError, read_pack
from bot.store import Store
from bot.store.records import PackChanges
from bot.store.writes import apply_packs

log = logging.getLogger(__name__)


class PacksRejected(Exception):
    """Pack files that cannot be loaded, each with everything wrong with it; nothing was written."""

    def __init__(self, problems: dict[Path, str]) -> None:
        self.problems = problems
        super().__init__(f"{', '.join(str(path) for path in problems)} cannot be loaded; nothing was written")


def read_packs(paths: Sequence[Path]) -> list[Pack]:
    """Read and validate every file, collecting the problems of all of them before giving up."""
    packs, problems = [], {}
    for path in paths:
        try:
            packs.append(read_pack(path))
        except PackError as exc:
            problems[path] = str(exc)
        except OSError as exc:
            problems[path] = f"cannot be read ({(exc.strerror or str(exc)).lower()})"
    if problems:
        raise PacksRejected(problems)
    return packs


async def load_pack_files(
    store: Store, paths: Sequence[Path], *, dry_run: bool = False, into_empty: bool = False
) -> list[PackChanges]:
    """Validate the files as a whole, then apply them in one transaction (or only report, in a dry run).

    With `into_empty`, only into a store with no topic yet (`apply_packs`); [] if it has one.
    """
    if not paths:
        return []
    changes = await apply_packs(store.db, read_packs(paths), dry_run=dry_run, into_empty=into_empty)
    if not changes:
        log.info("packs not loaded: the store holds a topic already (another process loaded them first)")
        return []
    for path, change in zip(paths, changes, strict=True):
        outcome = "dry run, nothing written" if dry_run else "loaded"
        log.info("pack %s (%s): %s", path.name, outcome, change.summary(dry_run=dry_run))
        for warning in change.warnings:
            log.warning("pack %s: %s", path.name, warning)
        for capped in change.capped:
            log.info("pack %s: graded 3: %s", path.name, capped)
    return changes


async def seed_if_empty(store: Store, packs_dir: Path) -> list[Path]:
    """On a store with no topics, load every pack under `packs_dir`, so a fresh install answers at once.

    The first look spares every later start reading the packs; the store decides again inside the write
    (`into_empty`), because several processes may start together on one new store. Returns the files
    loaded, [] when this process did not load them.
    """
    if await store.topics():
        return []
    paths = sorted(await asyncio.to_thread(lambda: list(packs_dir.glob("*.yaml"))))
    return paths if await load_pack_files(store, paths, into_empty=True) else []
