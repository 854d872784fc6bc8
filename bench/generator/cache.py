"""Generated stores kept between runs, keyed by everything that decides their rows.

The key used to carry a generator version bumped by hand, which a change to the store's write path alone
never prompted: the cache would then keep serving stores the bot no longer writes. It now carries a digest
of the code itself: this package, and the store modules whose code decides the rows `PackWriter` writes and
`BulkLoader` copies, so a change on either side rebuilds the cached stores on their next use.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench.generator.bulk import build_store
from bot.store.engine.base import migrations

BENCH = Path(__file__).resolve().parent.parent
REPO = BENCH.parent
CACHE_DIR = BENCH / ".cache"
#: Whose code decides a generated store's rows: the generator and its vocabulary, and the store's write
#: path (PackWriter, the names and forms it records, the topic token it indexes, the schema set-up). The
#: migrations are in the key on their own, as `schema_version`, which the PostgreSQL copies use too.
ROW_CODE = (
    "bench/generator/*.py",
    "bench/vocabulary.py",
    "bot/models.py",
    "bot/packs.py",
    "bot/store/engine/base.py",
    "bot/store/engine/sqlite.py",
    "bot/store/names.py",
    "bot/store/packform.py",
    "bot/store/search.py",
    "bot/store/topics.py",
    "bot/store/writes.py",
)


def schema_version(folder: str = "migrations", first: int = 1) -> str:
    """A digest of one engine's migrations, so a schema change by anyone invalidates every cached store."""
    digest = hashlib.sha256()
    for _, name, sql in migrations(folder, first):
        digest.update(name.encode() + b"\0" + sql.encode())
    return digest.hexdigest()[:10]


def code_version() -> str:
    """A digest of `ROW_CODE`'s files, so that a change to the code writing rows invalidates cached stores."""
    digest = hashlib.sha256()
    for path in sorted({p for pattern in ROW_CODE for p in REPO.glob(pattern)}):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:10]


def cached_store(facts: int, cache_dir: Path = CACHE_DIR, topics: int = 1) -> tuple[Path, bool]:
    """The generated store of this size (and number of topics), built on first use; returns (path, built now).

    Callers must not open it with the bot (closing runs PRAGMA optimize, which writes statistics that
    change query plans): copy it first, as `bench.harness.fresh_copy` does.
    """
    several = f"-t{topics}" if topics > 1 else ""
    path = cache_dir / f"store-g{code_version()}-s{schema_version()}-{facts}{several}.db"
    if path.exists():
        return path, False
    build_store(path, facts, topics=topics)
    return path, True
