"""Every SQL statement behind watch lists: the watches, their matches waiting to be told, and the ledger.

Matching runs inside the writer's transaction (`queue_matches`, called by `bot.store.writes` wherever a fact
becomes active), so a fact and the matches it makes land together or not at all: nothing is lost if the
bot dies before announcing, and nothing is queued for a write that rolled back. Watches are found by
index, not scanned: one range of `watches_target` per actor, place and event of the fact, and one look-up
of `watch_terms` per distinct stem of its words, so the cost follows the matches, not the watches.

Announcing is exactly-once the way digests are (`bot.store.digests`): a message is claimed by taking its
matches out of the outbox and freezing it in `watch_announcements` in one transaction (only one process
can take a given set of rows), held by a lease its process renews, and every write made while posting is
conditional on still holding it. It stays whole past 450 lines because matching and announcing share the
outbox's rows and their invariant: a match leaves the outbox only in the transaction that claims it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.store.digests import Lease, iso
from bot.store.engine.base import Connection
from bot.store.reads import marks
from bot.store.records import Record
from bot.store.search import content_stems
from bot.store.stemming import stems
from bot.store.store import Store

WatchKind = Literal["actor", "place", "event", "words"]
InboxKind = Literal["dm", "channel"]
AnnouncementStatus = Literal["sending", "sent", "failed", "unknown"]

_WATCH = (
    "SELECT w.id, w.guild_id, w.member_id, w.topic_id, w.kind, w.target_id, w.words, w.label, w.status,"
    " w.status_reason, w.created_at, w.last_told_at, i.kind AS inbox_kind, i.target_id AS inbox_target"
    " FROM watches w JOIN watch_inboxes i ON i.id = w.inbox_id"
)
_ANNOUNCEMENT = (
    "SELECT id, inbox_id, status, nonce, message, watch_ids, fact_ids, channel_id, message_id, attempted_at,"
    " detail, recorded_at FROM watch_announcements"
)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class WatchRecord(Record):
    """A watch as stored, with where it tells (`inbox_kind`: a DM to `inbox_target`, or that channel)."""

    id: int
    guild_id: int
    member_id: int
    topic_id: int
    kind: WatchKind
    target_id: int | None
    words: str | None
    label: str
    status: Literal["active", "paused"]
    status_reason: str | None
    created_at: datetime
    last_told_at: datetime | None
    inbox_kind: InboxKind
    inbox_target: int


class InboxRecord(Record):
    """Where one watcher is told: a member's DMs or a channel, in one server."""

    id: int
    guild_id: int
    kind: InboxKind
    target_id: int


class PendingMatch(Record):
    """A match waiting in the outbox: which watch matched which fact."""

    id: int
    watch_id: int
    fact_id: int
    label: str
    member_id: int


class AnnouncementRecord(Record):
    """One message in the ledger: what it says (answer JSON, frozen at the claim) and what became of it."""

    id: int
    inbox_id: int
    status: AnnouncementStatus
    nonce: str
    message: dict[str, Any]
    watch_ids: list[int]
    fact_ids: list[int]
    #: Where it is posted (a DM channel once opened); None until the first attempt.
    channel_id: int | None
    message_id: int | None
    attempted_at: datetime | None
    detail: str | None
    recorded_at: datetime


class WatchCounts(Record):
    """What moderators may see of a server's watches: counts, never whose or what."""

    watches: int
    members: int
    paused: int
    channels: int


@dataclass(frozen=True)
class NewWatch:
    """What a new watch is made of; the store adds its id, inbox and times."""

    guild_id: int
    member_id: int
    topic_id: int
    kind: WatchKind
    target_id: int | None
    words: str | None
    label: str
    #: The channel to tell; None for the member's DMs.
    channel_id: int | None


def _watch(row: Any) -> WatchRecord:
    values = dict(row)
    for key in ("created_at", "last_told_at"):
        values[key] = _moment(values[key])
    return WatchRecord(**values)


def _announcement(row: Any) -> AnnouncementRecord:
    values = dict(row)
    for key in ("message", "watch_ids", "fact_ids"):
        values[key] = json.loads(values[key])
    for key in ("attempted_at", "recorded_at"):
        values[key] = _moment(values[key])
    return AnnouncementRecord(**values)


def watch_stems(words: str) -> list[str]:
    """A words watch's terms: its words but the glue, stemmed as the search index holds them."""
    return sorted(set(content_stems(words)))


async def _all(conn: Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def queue_matches(conn: Connection, fact_id: int, now: datetime) -> int:
    """Queue the fact for every active watch it matches, in the writer's transaction; how many it matched.

    Called where a fact becomes active (added, edited, restored, imported). A retracted fact matches
    nothing. The fact's words are its statement and the names of what it is about, as the search
    index holds them, so a words watch matches what `/search` would find by those words.
    """
    rows = await _all(
        conn,
        "SELECT topic_id, status, event_id, place_id, stakeholder_id, statement FROM facts WHERE id = ?",
        (fact_id,),
    )
    if not rows or rows[0]["status"] != "active":
        return 0
    fact = rows[0]
    actors = {r[0] for r in await _all(conn, "SELECT actor_id FROM fact_actors WHERE fact_id = ?", (fact_id,))}
    if fact["stakeholder_id"] is not None:
        actors.add(fact["stakeholder_id"])
    # The fact's place and its event's places, and every place they are within.
    places = {
        r[0]
        for r in await _all(
            conn,
            "WITH RECURSIVE up(id) AS (SELECT place_id FROM facts WHERE id = ? AND place_id IS NOT NULL"
            " UNION SELECT place_id FROM event_places WHERE event_id = ?"
            " UNION SELECT p.parent_id FROM places p JOIN up ON p.id = up.id WHERE p.parent_id IS NOT NULL)"
            " SELECT id FROM up",
            (fact_id, fact["event_id"] or 0),
        )
    }
    names = await _all(
        conn,
        f"SELECT name FROM names WHERE (entity = 'actor' AND entity_id IN ({marks(list(actors))}))"
        f" OR (entity = 'place' AND entity_id IN ({marks(list(places))})) OR (entity = 'event' AND entity_id = ?)",
        (*actors, *places, fact["event_id"] or 0),
    )
    words = sorted(set(stems(" ".join([fact["statement"], *(r[0] for r in names)]))))
    topic = fact["topic_id"]
    by_target = " UNION ".join(
        f"SELECT id FROM watches WHERE topic_id = ? AND kind = '{kind}' AND status = 'active'"
        f" AND target_id IN ({marks(ids)})"
        for kind, ids in (("actor", list(actors)), ("place", list(places)), ("event", [fact["event_id"]]))
        if ids and ids[0] is not None
    )
    params: list[Any] = [fact_id, iso(now)]
    for ids in (list(actors), list(places), [fact["event_id"]]):
        if ids and ids[0] is not None:
            params += [topic, *ids]
    # Read from the fact's stems, never from the watches: a join would let the planner walk every watch of
    # the topic and look its terms up (130 ms at 10,000 watches), where this reads only the stems' rows. The
    # unary `+` and `|| ''` keep the outer query off the topic's index, so it reads the matched ids by primary key.
    by_words = (
        f"SELECT t.watch_id FROM watch_terms t WHERE t.stem IN ({marks(words)}) GROUP BY t.watch_id"
        " HAVING count(*) = (SELECT w.term_count FROM watches w WHERE w.id = t.watch_id)"
    )
    params += words
    matched = f"{by_target} UNION {by_words}" if by_target else by_words
    cur = await conn.execute(
        "INSERT INTO watch_outbox (inbox_id, watch_id, fact_id, queued_at)"
        f" SELECT inbox_id, id, ?, ? FROM watches WHERE id IN ({matched}) AND +topic_id = ? AND status || '' = 'active'"
        " ON CONFLICT (watch_id, fact_id) DO NOTHING",
        [*params, topic],
    )
    if cur.rowcount:
        await conn.execute(
            "UPDATE watch_inboxes SET first_pending_at = ? WHERE first_pending_at IS NULL"
            " AND id IN (SELECT inbox_id FROM watch_outbox WHERE fact_id = ?)",
            (iso(now), fact_id),
        )
    return max(cur.rowcount, 0)


async def drop_matches(conn: Connection, fact_id: int) -> None:
    """A fact retracted before it was announced is not announced afterwards: its waiting matches go."""
    await conn.execute("DELETE FROM watch_outbox WHERE fact_id = ?", (fact_id,))


class WatchStore:
    """Reads and writes for watch lists, on the fact store's connections and write lock."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # Watches ----------------------------------------------------------------------------------------

    async def add(self, new: NewWatch, now: datetime, *, limit: int) -> WatchRecord | int:
        """Store a watch; or, if the member already has `limit` in the server, how many they have.

        Counted in the write transaction, so two adds at once cannot pass the limit together.
        """
        kind, target = ("channel", new.channel_id) if new.channel_id is not None else ("dm", new.member_id)
        async with self.store.db.transaction() as conn:
            [(count,)] = await _all(
                conn, "SELECT count(*) FROM watches WHERE guild_id = ? AND member_id = ?", (new.guild_id, new.member_id)
            )
            if count >= limit:
                return int(count)
            await conn.execute(
                "INSERT INTO watch_inboxes (guild_id, kind, target_id) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, kind, target_id) DO NOTHING",
                (new.guild_id, kind, target),
            )
            [(inbox_id,)] = await _all(
                conn,
                "SELECT id FROM watch_inboxes WHERE guild_id = ? AND kind = ? AND target_id = ?",
                (new.guild_id, kind, target),
            )
            terms = watch_stems(new.words) if new.words is not None else []
            cur = await conn.execute(
                "INSERT INTO watches (inbox_id, guild_id, member_id, topic_id, kind, target_id, words, label,"
                " term_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    inbox_id,
                    new.guild_id,
                    new.member_id,
                    new.topic_id,
                    new.kind,
                    new.target_id,
                    new.words,
                    new.label,
                    len(terms),
                    iso(now),
                ),
            )
            watch_id = cur.lastrowid or 0
            await conn.executemany(
                "INSERT INTO watch_terms (stem, watch_id) VALUES (?, ?)", [(term, watch_id) for term in terms]
            )
            [row] = await _all(conn, f"{_WATCH} WHERE w.id = ?", (watch_id,))
        return _watch(row)

    async def of_member(self, guild_id: int, member_id: int, limit: int = 100) -> list[WatchRecord]:
        """A member's own watches in a server, oldest first."""
        rows = await self.store.rows(
            f"{_WATCH} WHERE w.guild_id = ? AND w.member_id = ? ORDER BY w.id LIMIT ?", (guild_id, member_id, limit)
        )
        return [_watch(r) for r in rows]

    async def remove(self, guild_id: int, member_id: int, watch_id: int) -> bool:
        """Delete one of a member's watches (its waiting matches go with it); whether there was one."""
        async with self.store.db.transaction() as conn:
            await conn.execute("DELETE FROM watch_outbox WHERE watch_id = ?", (watch_id,))
            cur = await conn.execute(
                "DELETE FROM watches WHERE id = ? AND guild_id = ? AND member_id = ?", (watch_id, guild_id, member_id)
            )
            return cur.rowcount == 1

    async def remove_member(self, guild_id: int, member_id: int) -> int:
        """Delete every watch of a member who left the server; how many there were."""
        async with self.store.db.transaction() as conn:
            where = "SELECT id FROM watches WHERE guild_id = ? AND member_id = ?"
            await conn.execute(f"DELETE FROM watch_outbox WHERE watch_id IN ({where})", (guild_id, member_id))
            await conn.execute(f"DELETE FROM watch_terms WHERE watch_id IN ({where})", (guild_id, member_id))
            cur = await conn.execute("DELETE FROM watches WHERE guild_id = ? AND member_id = ?", (guild_id, member_id))
            await conn.execute("DELETE FROM watch_notices WHERE guild_id = ? AND member_id = ?", (guild_id, member_id))
            return cur.rowcount

    async def counts(self, guild_id: int) -> WatchCounts:
        """How many watches a server has, by how many members, how many paused, how many told in channels."""
        row = await self.store.row(
            "SELECT count(*), count(DISTINCT w.member_id),"
            " coalesce(sum(CASE WHEN w.status = 'paused' THEN 1 ELSE 0 END), 0),"
            " coalesce(sum(CASE WHEN i.kind = 'channel' THEN 1 ELSE 0 END), 0)"
            " FROM watches w JOIN watch_inboxes i ON i.id = w.inbox_id WHERE w.guild_id = ?",
            (guild_id,),
        )
        assert row is not None
        return WatchCounts(watches=row[0], members=row[1], paused=row[2], channels=row[3])

    async def resume_dms(self, guild_id: int, member_id: int) -> int:
        """Start a member's paused DM watches again (they opened their DMs); how many."""
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE watches SET status = 'active', status_reason = NULL WHERE guild_id = ? AND member_id = ?"
                " AND status = 'paused' AND inbox_id IN"
                " (SELECT id FROM watch_inboxes WHERE guild_id = ? AND kind = 'dm' AND target_id = ?)",
                (guild_id, member_id, guild_id, member_id),
            )
            await conn.execute("DELETE FROM watch_notices WHERE guild_id = ? AND member_id = ?", (guild_id, member_id))
            return cur.rowcount

    async def pause_inbox(self, inbox_id: int, reason: str, now: datetime) -> list[WatchRecord]:
        """Pause every watch told through an inbox, dropping what waits for it; the watches paused."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE watches SET status = 'paused', status_reason = ? WHERE inbox_id = ? AND status = 'active'",
                (reason, inbox_id),
            )
            await conn.execute("DELETE FROM watch_outbox WHERE inbox_id = ?", (inbox_id,))
            await conn.execute("UPDATE watch_inboxes SET first_pending_at = NULL WHERE id = ?", (inbox_id,))
            rows = await _all(conn, f"{_WATCH} WHERE w.inbox_id = ? ORDER BY w.id", (inbox_id,))
        return [_watch(r) for r in rows]

    # Notices ----------------------------------------------------------------------------------------

    async def leave_notice(self, guild_id: int, member_id: int, text: str, now: datetime) -> None:
        """Keep something to tell a member the next time they use a command (the latest replaces any other)."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO watch_notices (guild_id, member_id, text, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (guild_id, member_id)"
                " DO UPDATE SET text = excluded.text, created_at = excluded.created_at",
                (guild_id, member_id, text, iso(now)),
            )

    async def take_notice(self, guild_id: int, member_id: int) -> str | None:
        """The notice waiting for a member, removed as it is read, so it is told once; None when there is none.

        Read first on the reader, since nearly every command finds none and should not wait for the writer.
        """
        if (
            await self.store.row(
                "SELECT 1 FROM watch_notices WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
            )
            is None
        ):
            return None
        async with self.store.db.transaction() as conn:
            rows = await _all(
                conn, "SELECT text FROM watch_notices WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
            )
            await conn.execute("DELETE FROM watch_notices WHERE guild_id = ? AND member_id = ?", (guild_id, member_id))
        return str(rows[0][0]) if rows else None

    # The outbox -------------------------------------------------------------------------------------

    async def due(self, now: datetime, window: timedelta, limit: int = 500) -> list[InboxRecord]:
        """Inboxes with matches waiting at least a window, told last at least a window ago."""
        cutoff = iso(now - window)
        rows = await self.store.rows(
            "SELECT id, guild_id, kind, target_id FROM watch_inboxes WHERE first_pending_at IS NOT NULL"
            " AND first_pending_at <= ? AND (last_sent_at IS NULL OR last_sent_at <= ?)"
            " ORDER BY first_pending_at LIMIT ?",
            (cutoff, cutoff, limit),
        )
        return [InboxRecord(**dict(r)) for r in rows]

    async def is_due(self, inbox_id: int, now: datetime, window: timedelta) -> bool:
        """Whether one inbox is due (as `due` reads them)."""
        cutoff = iso(now - window)
        row = await self.store.row(
            "SELECT 1 FROM watch_inboxes WHERE id = ? AND first_pending_at <= ?"
            " AND (last_sent_at IS NULL OR last_sent_at <= ?)",
            (inbox_id, cutoff, cutoff),
        )
        return row is not None

    async def clear_pending(self, inbox_id: int) -> None:
        """Mark an inbox as waiting for nothing, unless a match arrived meanwhile."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE watch_inboxes SET first_pending_at = NULL WHERE id = ?"
                " AND NOT EXISTS (SELECT 1 FROM watch_outbox WHERE inbox_id = ?)",
                (inbox_id, inbox_id),
            )

    async def discard(self, inbox_id: int, taken: Sequence[int]) -> None:
        """Drop matches whose facts are no longer active: there is nothing left to tell of them."""
        async with self.store.db.transaction() as conn:
            await conn.execute(f"DELETE FROM watch_outbox WHERE id IN ({marks(list(taken))})", tuple(taken))
            await conn.execute(
                "UPDATE watch_inboxes SET first_pending_at ="
                " (SELECT min(queued_at) FROM watch_outbox WHERE inbox_id = ?) WHERE id = ?",
                (inbox_id, inbox_id),
            )

    async def inbox(self, inbox_id: int) -> InboxRecord | None:
        """One inbox."""
        row = await self.store.row("SELECT id, guild_id, kind, target_id FROM watch_inboxes WHERE id = ?", (inbox_id,))
        return InboxRecord(**dict(row)) if row else None

    async def pending(self, inbox_id: int, limit: int) -> list[PendingMatch]:
        """The matches waiting for an inbox, oldest first."""
        rows = await self.store.rows(
            "SELECT o.id, o.watch_id, o.fact_id, w.label, w.member_id FROM watch_outbox o"
            " JOIN watches w ON w.id = o.watch_id WHERE o.inbox_id = ? ORDER BY o.id LIMIT ?",
            (inbox_id, limit),
        )
        return [PendingMatch(**dict(r)) for r in rows]

    # The ledger -------------------------------------------------------------------------------------

    async def claim(
        self,
        inbox_id: int,
        taken: Sequence[int],
        *,
        nonce: Callable[[int], str],
        message: dict[str, Any],
        watch_ids: Sequence[int],
        fact_ids: Sequence[int],
        now: datetime,
        lease: Lease,
    ) -> AnnouncementRecord | None:
        """Take matches out of the outbox and freeze the message that tells them, held by `lease`.

        The nonce is `nonce` of the message's ledger id, which no other message ever has (outbox ids are
        reused once deleted). None when any of `taken` is gone (another process claimed it, or a retraction
        or removal dropped it): nothing is written, and the caller reads the outbox again. What arrived
        since stays waiting, and the inbox's window starts again from now.
        """
        try:
            async with self.store.db.transaction() as conn:
                cur = await conn.execute(f"DELETE FROM watch_outbox WHERE id IN ({marks(list(taken))})", tuple(taken))
                if cur.rowcount != len(taken):
                    raise _Taken
                cur = await conn.execute(
                    "INSERT INTO watch_announcements (inbox_id, status, nonce, message, watch_ids, fact_ids,"
                    " claimed_by, lease_until, recorded_at, updated_at) VALUES (?, 'sending', ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        inbox_id,
                        f"claiming:{lease.holder}",
                        json.dumps(message),
                        json.dumps(list(watch_ids)),
                        json.dumps(list(fact_ids)),
                        lease.holder,
                        iso(lease.until),
                        iso(now),
                        iso(now),
                    ),
                )
                announcement_id = cur.lastrowid or 0
                await conn.execute(
                    "UPDATE watch_announcements SET nonce = ? WHERE id = ?", (nonce(announcement_id), announcement_id)
                )
                await conn.execute(
                    "UPDATE watch_inboxes SET last_sent_at = ?,"
                    " first_pending_at = (SELECT min(queued_at) FROM watch_outbox WHERE inbox_id = ?) WHERE id = ?",
                    (iso(now), inbox_id, inbox_id),
                )
                [row] = await _all(conn, f"{_ANNOUNCEMENT} WHERE id = ?", (announcement_id,))
        except _Taken:
            return None
        return _announcement(row)

    async def in_flight(self, inbox_id: int) -> list[AnnouncementRecord]:
        """An inbox's messages claimed but not finished: a crash, or another process, cut them off."""
        rows = await self.store.rows(
            f"{_ANNOUNCEMENT} WHERE inbox_id = ? AND status = 'sending' ORDER BY id LIMIT 20", (inbox_id,)
        )
        return [_announcement(r) for r in rows]

    async def abandoned(self, now: datetime, limit: int = 1000) -> list[int]:
        """Inboxes with a message left `sending` whose lease ran out: cut off, and for anyone to finish."""
        rows = await self.store.rows(
            "SELECT DISTINCT inbox_id FROM watch_announcements WHERE status = 'sending' AND lease_until <= ?"
            " ORDER BY inbox_id LIMIT ?",
            (iso(now), limit),
        )
        return [int(r[0]) for r in rows]

    async def take_over(self, announcement_id: int, lease: Lease, now: datetime) -> bool:
        """Hold a message left `sending`, if no other living process holds it; whether this one may post it."""
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE watch_announcements SET claimed_by = ?, lease_until = ? WHERE id = ? AND status = 'sending'"
                " AND (claimed_by = ? OR lease_until <= ?)",
                (lease.holder, iso(lease.until), announcement_id, lease.holder, iso(now)),
            )
            return cur.rowcount == 1

    async def renew(self, lease: Lease) -> int:
        """Extend the holder's lease on every message it is still posting; how many that is."""
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE watch_announcements SET lease_until = ? WHERE claimed_by = ? AND status = 'sending'",
                (iso(lease.until), lease.holder),
            )
            return cur.rowcount

    async def attempting(self, announcement_id: int, channel_id: int, now: datetime, lease: Lease) -> bool:
        """Record where and from when the message may be in a channel, if `lease` still holds it."""
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE watch_announcements SET attempted_at = coalesce(attempted_at, ?), channel_id = ?,"
                " lease_until = ?, updated_at = ? WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                (iso(now), channel_id, iso(lease.until), iso(now), announcement_id, lease.holder),
            )
            return cur.rowcount == 1

    async def sent(self, announcement: AnnouncementRecord, message_id: int | None, now: datetime, lease: Lease) -> bool:
        """Mark a message sent and its watches as having told, if `lease` still holds it; whether it did."""
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE watch_announcements SET status = 'sent', message_id = ?, updated_at = ?"
                " WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                (message_id, iso(now), announcement.id, lease.holder),
            )
            if cur.rowcount != 1:
                return False
            ids = announcement.watch_ids
            await conn.execute(f"UPDATE watches SET last_told_at = ? WHERE id IN ({marks(ids)})", (iso(now), *ids))
            return True

    async def settle(
        self, announcement_id: int, status: Literal["failed", "unknown"], detail: str, now: datetime
    ) -> None:
        """End a message that was not (or cannot be known to be) sent, saying why."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE watch_announcements SET status = ?, detail = ?, updated_at = ? WHERE id = ?",
                (status, detail, iso(now), announcement_id),
            )

    # DM channels ------------------------------------------------------------------------------------

    async def dm_channel(self, user_id: int) -> int | None:
        """The DM channel opened before with a member, if any."""
        row = await self.store.row("SELECT channel_id FROM watch_dm_channels WHERE user_id = ?", (user_id,))
        return int(row[0]) if row else None

    async def keep_dm_channel(self, user_id: int, channel_id: int, now: datetime) -> None:
        """Remember a member's DM channel, so it is opened once."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO watch_dm_channels (user_id, channel_id, opened_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id, opened_at = excluded.opened_at",
                (user_id, channel_id, iso(now)),
            )


class _Taken(Exception):
    """Rolls a claim back when another writer took some of its matches first."""
