"""A whole store copied to another, SQLite or PostgreSQL either way, with nothing lost and every id kept.

Every table is copied row for row, in an order that meets each reference before it is made (a place's
parent first), inside one transaction on the target, so a copy that fails leaves the target as empty as it
was. What each engine derives from the rows is left to it: the trigram index of names is built by the
target's own triggers, and PostgreSQL's full-text lexemes by `Dialect.index_terms`, a page at a time. The
two tables that triggers keep (`counts`, `topic_versions`) are copied last, over what the triggers wrote
while copying, so they end as they were in the source. PostgreSQL's identity sequences then continue
after the largest id.

Pages follow each table's key (`WHERE key > last ORDER BY key LIMIT n`), not an OFFSET, which would have
the source read past every row already copied, again for each page: at a million facts that made the copy
quadratic. Each page is written with one `executemany`, and its lexemes computed together.

Copy from a store nothing writes to meanwhile (stop the bot, or copy a backup): the source is read table by
table, not as one snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.errors import UserError
from bot.store.engine.base import Connection, Database, Dialect, Reader


@dataclass(frozen=True)
class Table:
    """A table to copy and the columns that order its rows (and so its pages) in the source."""

    name: str
    order: str


#: Every table of the store, each after those it refers to; those triggers keep come last.
TABLES = (
    Table("topics", "id"),
    Table("sources", "id"),
    Table("actors", "id"),
    Table("affiliations", "actor_id, other_id, relation"),
    Table("places", "id"),
    Table("events", "id"),
    Table("event_actors", "event_id, actor_id"),
    Table("event_follows", "event_id, follows_id"),
    Table("event_places", "rowid"),
    Table("names", "id"),
    Table("facts", "id"),
    Table("fact_actors", "fact_id, actor_id"),
    Table("fact_sources", "fact_id, position"),
    Table("facts_fts", "rowid"),
    Table("related_terms", "topic_id, grp, position"),
    Table("changes", "id"),
    Table("digest_subscriptions", "id"),
    Table("digest_deliveries", "id"),
    Table("watch_inboxes", "id"),
    Table("watches", "id"),
    Table("watch_terms", "stem, watch_id"),
    Table("watch_outbox", "id"),
    Table("watch_announcements", "id"),
    Table("watch_dm_channels", "user_id"),
    Table("watch_notices", "guild_id, member_id"),
    Table("intake_feeds", "id"),
    Table("intake_items", "id"),
    Table("intake_reviews", "id"),
    Table("intake_candidates", "id"),
    Table("intake_review_channels", "channel_id"),
    Table("rejected_names", "topic_id, norm"),
    Table("candidate_growth", "topic_id, sentence_key"),
    Table("topic_defaults", "guild_id, channel_id"),
    Table("topic_changes", "id"),
    Table("meta", "key"),
    Table("counts", "topic_id, what"),
    Table("topic_versions", "topic_id"),
)
#: Kept by triggers as the other tables are written: replaced by the source's rows once those are in.
DERIVED = frozenset({"counts", "topic_versions"})
#: The triggers that keep `DERIVED`, by table: off while copying where the engine can turn them off, as the
#: source's rows replace what they write. On PostgreSQL each row copied would update the same counter row
#: again, and a row updated a million times in one transaction is a chain of a million versions, walked by
#: every next update: the copy was quadratic in the number of facts.
DERIVED_TRIGGERS = {
    "topics": ("topics_version",),
    "actors": ("actors_count", "actors_version"),
    "places": ("places_count", "places_version"),
    "events": ("events_count", "events_version"),
    "names": ("names_version",),
    "facts": ("facts_count", "facts_version"),
    "related_terms": ("related_terms_version",),
}
#: Tables whose row order is SQLite's implicit rowid, a column of its own on PostgreSQL.
ROWID_TABLES = frozenset({"event_places", "facts_fts"})
#: Rows read from the source and written to the target at a time.
PAGE = 1000


async def table_counts(db: Database) -> dict[str, int]:
    """How many rows each table of the store holds."""
    counts = {}
    for table in TABLES:
        rows = await db.reader.execute_fetchall(f"SELECT count(*) FROM {table.name}")
        counts[table.name] = int(next(iter(rows))[0])
    return counts


async def copy_store(source: Database, target: Database, progress: Callable[[str, int], None]) -> dict[str, int]:
    """Copy every table of `source` into the empty store `target`, in one transaction; rows copied per table.

    A target that holds anything is refused (`UserError`) before anything is written; `progress` is told
    each table's name and row count as it is done.
    """
    held = {name: n for name, n in (await table_counts(target)).items() if n}
    if held:
        listed = ", ".join(f"{name} ({n})" for name, n in held.items())
        raise UserError(f"the target store is not empty: {listed}; copy into a new, empty store")
    copied: dict[str, int] = {}
    async with target.transaction() as conn:
        await target.dialect.set_triggers(conn, DERIVED_TRIGGERS, enabled=False)
        for table in TABLES:
            wanted = await _columns(target, table.name)
            columns = [c for c in await _columns(source, table.name) if c in wanted]
            if table.name in DERIVED:
                await conn.execute(f"DELETE FROM {table.name}")
            copied[table.name] = await _copy_table(source.reader, conn, table, columns, target.dialect)
            progress(table.name, copied[table.name])
        await target.dialect.set_triggers(conn, DERIVED_TRIGGERS, enabled=True)
        await target.dialect.continue_ids(conn, [t.name for t in TABLES])
    return copied


async def _columns(db: Database, table: str) -> list[str]:
    """The table's columns in the source, with the row order's `rowid` where SQLite keeps it implicit."""
    sql, params = db.dialect.columns(table)
    found = [r[0] for r in await db.reader.execute_fetchall(sql, params)]
    if table in ROWID_TABLES and "rowid" not in found:
        found.insert(0, "rowid")
    return found


async def _copy_table(source: Reader, target: Connection, table: Table, columns: list[str], dialect: Dialect) -> int:
    insert = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    key = [columns.index(c) for c in _key(table)]
    copied = 0
    last: tuple[Any, ...] | None = None
    while True:
        rows: list[tuple[Any, ...]] = [tuple(r) for r in await source.execute_fetchall(*_reading(table, columns, last))]
        if not rows:
            return copied
        await target.executemany(insert, rows)
        if table.name == "facts_fts":
            await dialect.index_terms(target, [r[key[0]] for r in rows])
        copied += len(rows)
        if table.name == "places":  # all of them at once: see `_reading`
            return copied
        last = tuple(rows[-1][i] for i in key)


def _key(table: Table) -> list[str]:
    return [c.strip() for c in table.order.split(",")]


def _reading(table: Table, columns: list[str], last: tuple[Any, ...] | None) -> tuple[str, tuple[Any, ...]]:
    """The next page of the source's rows, after the `last` key read, and its parameters.

    Places come all at once, by depth, so that a place's parent is always written first: a place's depth is
    only known from the whole tree, and places are few (about 1,200 at a million facts).
    """
    listed = ", ".join(f"t.{c}" for c in columns)
    if table.name == "places":
        return (
            "WITH RECURSIVE depth(id, d) AS (SELECT id, 0 FROM places WHERE parent_id IS NULL"
            " UNION ALL SELECT p.id, depth.d + 1 FROM places p JOIN depth ON p.parent_id = depth.id)"
            f" SELECT {listed} FROM places t JOIN depth ON depth.id = t.id ORDER BY depth.d, t.id",
            (),
        )
    key = ", ".join(f"t.{c}" for c in _key(table))
    if last is None:
        return f"SELECT {listed} FROM {table.name} t ORDER BY {key} LIMIT ?", (PAGE,)
    after = f"({key}) > ({', '.join('?' * len(last))})"
    return f"SELECT {listed} FROM {table.name} t WHERE {after} ORDER BY {key} LIMIT ?", (*last, PAGE)
