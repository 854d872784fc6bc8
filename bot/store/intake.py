"""Intake's SQL: feeds, items seen, candidates and their review messages (migrations 0010 and 0015).

A review message shows an article's candidates together; a review channel found gone or forbidden is kept
until a post there works again.

Reads go through the store's reader (committed data); each write is one short transaction on the
writer. A unique key settles races (two polls of one feed, the bot and `briefbot feed poll` at once):
the second insert of the same sentence is ignored rather than proposed twice. It stays whole past 450
lines because its tables are one pipeline's, written together: an item and its candidates in one
transaction, a review message and its candidates' numbers in another.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.store.engine.base import Database


class FeedRecord(BaseModel):
    """A feed followed, with the state of its polling."""

    model_config = ConfigDict(frozen=True)

    id: int
    url: str
    title: str
    reliability: str
    channel_id: int | None
    guild_id: int | None
    status: str
    etag: str | None
    last_modified: str | None
    items_now: int
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    failing_since: datetime | None
    alerted: bool
    next_poll_at: datetime | None
    added_by_name: str
    created_at: datetime
    #: Whose candidates these are; None is DEFAULT_TOPIC (a feed followed before there were several topics).
    topic_id: int | None = None


class CandidateRecord(BaseModel):
    """A candidate fact and where its review stands."""

    model_config = ConfigDict(frozen=True)

    id: int
    topic_id: int
    item_id: int | None
    fields: dict[str, Any]
    links: list[dict[str, str]]
    duplicate_of: int | None
    channel_id: int | None
    message_id: int | None
    status: str
    proposed_by: int | None
    proposed_by_name: str | None
    decided_by: int | None
    decided_by_name: str | None
    decided_at: datetime | None
    fact_id: int | None
    created_at: datetime
    item_url: str | None = None
    #: Other outlets' reports of the same claim: each `{"fields", "links", "item_url"}` as a candidate has them.
    also: list[dict[str, Any]] = []
    #: The language of the sentence (ISO 639-1), and why its day is the article's date if it could not be known.
    language: str = "en"
    day_note: str | None = None
    #: The side of the known actor that claims it, when proposed: regime or resistance make it a party's claim.
    claimant_side: str | None = None


class ReviewRecord(BaseModel):
    """One review message: an article's candidates (or one proposed by hand), and where it was posted."""

    model_config = ConfigDict(frozen=True)

    id: int
    key: str
    channel_id: int | None
    message_id: int | None
    created_at: datetime


class BrokenChannel(BaseModel):
    """A review channel that is gone or forbids the bot: since when, why, when to try it again, told or not."""

    model_config = ConfigDict(frozen=True)

    channel_id: int
    error: str
    broken_since: datetime
    retry_at: datetime
    alerted: bool


_FEED_COLUMNS = (
    "id, url, title, reliability, channel_id, guild_id, status, etag, last_modified, items_now, last_polled_at,"
    " last_ok_at, last_error, last_error_at, failures, failing_since, alerted, next_poll_at, added_by_name, created_at,"
    " topic_id"
)
_CANDIDATE_COLUMNS = (
    "c.id, c.topic_id, c.item_id, c.fields, c.links, c.duplicate_of, c.channel_id, c.message_id, c.status,"
    " c.proposed_by, c.proposed_by_name, c.decided_by, c.decided_by_name, c.decided_at, c.fact_id, c.created_at,"
    " i.url AS item_url, c.language, c.day_note, c.claimant_side, c.also"
)


_REVIEW_COLUMNS = "id, key, channel_id, message_id, created_at"


def _iso(moment: datetime) -> str:
    """A moment as compared in SQL: UTC text, so that text order is time order."""
    return moment.astimezone(UTC).isoformat()


def _candidate(row: sqlite3.Row) -> CandidateRecord:
    values = dict(row)
    values["fields"] = json.loads(values["fields"])
    values["links"] = json.loads(values["links"])
    values["also"] = json.loads(values["also"])
    return CandidateRecord(**values)


class IntakeStore:
    """Feeds, items and candidates in the fact store's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        return list(await self.db.reader.execute_fetchall(sql, params))

    # Feeds ------------------------------------------------------------------------------------------------

    async def add_feed(
        self,
        *,
        url: str,
        title: str,
        reliability: str,
        channel_id: int | None,
        guild_id: int | None,
        author_id: int | None,
        author_name: str,
        at: datetime,
        topic_id: int | None = None,
    ) -> int:
        """Follow a feed; a removed feed with the same URL is followed again with the new settings."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO intake_feeds (url, title, reliability, channel_id, guild_id, added_by, added_by_name,"
                " created_at, topic_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
                " title = excluded.title, reliability = excluded.reliability, channel_id = excluded.channel_id,"
                " guild_id = excluded.guild_id, topic_id = excluded.topic_id,"
                " status = 'active', added_by = excluded.added_by, added_by_name = excluded.added_by_name,"
                " failures = 0, failing_since = NULL, alerted = 0, next_poll_at = NULL"
                " WHERE intake_feeds.status = 'removed' RETURNING id",
                (url, title, reliability, channel_id, guild_id, author_id, author_name, at.isoformat(), topic_id),
            )
            row = await cur.fetchone()
        if row is None:
            raise LookupError(url)
        return int(row[0])

    async def feed(self, feed_id: int) -> FeedRecord | None:
        """A feed by id, removed ones included."""
        rows = await self._rows(f"SELECT {_FEED_COLUMNS} FROM intake_feeds WHERE id = ?", (feed_id,))
        return FeedRecord(**dict(rows[0])) if rows else None

    async def feed_by_url(self, url: str) -> FeedRecord | None:
        """A feed by its URL."""
        rows = await self._rows(f"SELECT {_FEED_COLUMNS} FROM intake_feeds WHERE url = ?", (url,))
        return FeedRecord(**dict(rows[0])) if rows else None

    async def feeds(self, *, statuses: tuple[str, ...] = ("active", "paused"), limit: int = 1000) -> list[FeedRecord]:
        """Feeds in these states, oldest first."""
        marks = ",".join("?" * len(statuses))
        rows = await self._rows(
            f"SELECT {_FEED_COLUMNS} FROM intake_feeds WHERE status IN ({marks}) ORDER BY id LIMIT ?",
            (*statuses, limit),
        )
        return [FeedRecord(**dict(r)) for r in rows]

    async def set_feed_status(self, feed_id: int, status: str) -> None:
        """Pause, resume or remove a feed; a resumed feed is polled at the next round."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE intake_feeds SET status = ?, next_poll_at = NULL WHERE id = ?", (status, feed_id)
            )

    async def poll_ok(
        self,
        feed_id: int,
        *,
        at: datetime,
        title: str | None,
        etag: str | None,
        last_modified: str | None,
        items_now: int | None,
    ) -> None:
        """A poll that worked (a 304 too): the failure count starts again and the validators are kept."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE intake_feeds SET last_polled_at = ?1, last_ok_at = ?1, failures = 0, failing_since = NULL,"
                " alerted = 0, next_poll_at = NULL, title = coalesce(?2, title), etag = coalesce(?3, etag),"
                " last_modified = coalesce(?4, last_modified), items_now = coalesce(?5, items_now) WHERE id = ?6",
                (at.isoformat(), title, etag, last_modified, items_now, feed_id),
            )

    async def poll_failed(self, feed_id: int, *, at: datetime, error: str, next_poll_at: datetime) -> FeedRecord:
        """A failed poll: the error kept for `/feed list`, the feed backed off; returns the feed as it now is."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE intake_feeds SET last_polled_at = ?1, last_error = ?2, last_error_at = ?1,"
                " failures = failures + 1, failing_since = coalesce(failing_since, ?1), next_poll_at = ?3"
                " WHERE id = ?4",
                (at.isoformat(), error[:500], next_poll_at.isoformat(), feed_id),
            )
        feed = await self.feed(feed_id)
        assert feed is not None
        return feed

    async def mark_alerted(self, feed_id: int) -> None:
        """Moderators were told this feed has been failing: not again until it works and fails anew."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE intake_feeds SET alerted = 1 WHERE id = ?", (feed_id,))

    # Items ------------------------------------------------------------------------------------------------

    async def seen_item(self, guid: str | None, url: str | None) -> bool:
        """Whether an item with this guid or link was read before, from any feed or by hand."""
        for column, value in (("guid", guid), ("url", url), ("canonical_url", url)):
            if value and await self._rows(f"SELECT 1 FROM intake_items WHERE {column} = ? LIMIT 1", (value,)):
                return True
        return False

    async def seen_article(self, canonical_url: str | None, text_hash: str) -> bool:
        """Whether this article was read before under another link or feed: same canonical URL or same text."""
        if canonical_url:
            for column in ("canonical_url", "url"):
                if await self._rows(f"SELECT 1 FROM intake_items WHERE {column} = ? LIMIT 1", (canonical_url,)):
                    return True
        return bool(await self._rows("SELECT 1 FROM intake_items WHERE text_hash = ? LIMIT 1", (text_hash,)))

    async def add_item(
        self,
        *,
        feed_id: int | None,
        guid: str | None,
        url: str | None,
        canonical_url: str | None,
        text_hash: str | None,
        title: str,
        publisher: str | None,
        published: str | None,
        status: str,
        detail: str | None,
        at: datetime,
        candidates: list[dict[str, Any]] | None = None,
    ) -> tuple[int, list[int]]:
        """Record an item read and, in the same transaction, its candidates; returns their ids.

        A candidate whose sentence was proposed before (by any item, decided or not) is left out.
        """
        created: list[int] = []
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO intake_items (feed_id, guid, url, canonical_url, text_hash, title, publisher, published,"
                " status, detail, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    feed_id,
                    guid,
                    url,
                    canonical_url,
                    text_hash,
                    title,
                    publisher,
                    published,
                    status,
                    detail,
                    at.isoformat(),
                ),
            )
            item_id = cur.lastrowid
            assert item_id is not None
            for candidate in candidates or []:
                candidate_id = await _insert_candidate(conn, item_id=item_id, at=at, **candidate)
                if candidate_id is not None:
                    created.append(candidate_id)
            await conn.execute("UPDATE intake_items SET candidates = ? WHERE id = ?", (len(created), item_id))
        return item_id, created

    # Candidates -------------------------------------------------------------------------------------------

    async def add_candidate(self, *, at: datetime, **values: Any) -> int | None:
        """A candidate proposed by hand (no item); None when the same sentence was proposed before."""
        async with self.db.transaction() as conn:
            return await _insert_candidate(conn, item_id=None, at=at, **values)

    async def candidate(self, candidate_id: int) -> CandidateRecord | None:
        """A candidate with the URL of the item it came from."""
        rows = await self._rows(
            f"SELECT {_CANDIDATE_COLUMNS} FROM intake_candidates c LEFT JOIN intake_items i ON i.id = c.item_id"
            " WHERE c.id = ?",
            (candidate_id,),
        )
        return _candidate(rows[0]) if rows else None

    async def known_sentence(self, topic_id: int, key: str) -> bool:
        """Whether this sentence was proposed before, whatever became of it."""
        rows = await self._rows(
            "SELECT 1 FROM intake_candidates WHERE topic_id = ? AND sentence_key = ? LIMIT 1", (topic_id, key)
        )
        return bool(rows)

    async def unposted(self, limit: int = 50) -> list[CandidateRecord]:
        """Pending candidates not yet posted for review, oldest first."""
        rows = await self._rows(
            f"SELECT {_CANDIDATE_COLUMNS} FROM intake_candidates c LEFT JOIN intake_items i ON i.id = c.item_id"
            " WHERE c.message_id IS NULL AND c.status = 'pending' ORDER BY c.id LIMIT ?",
            (limit,),
        )
        return [_candidate(r) for r in rows]

    async def pending(self, topic_id: int, limit: int = 500) -> list[CandidateRecord]:
        """A topic's candidates still waiting for a decision, newest first."""
        rows = await self._rows(
            f"SELECT {_CANDIDATE_COLUMNS} FROM intake_candidates c LEFT JOIN intake_items i ON i.id = c.item_id"
            " WHERE c.topic_id = ? AND c.status = 'pending' ORDER BY c.id DESC LIMIT ?",
            (topic_id, limit),
        )
        return [_candidate(r) for r in rows]

    async def set_also(self, candidate_id: int, also: list[dict[str, Any]]) -> bool:
        """Make these the other outlets' reports of a pending candidate; False once it is decided."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE intake_candidates SET also = ? WHERE id = ? AND status = 'pending'",
                (json.dumps(also, sort_keys=True, default=str), candidate_id),
            )
            return cur.rowcount == 1

    async def posted(self, candidate_id: int, channel_id: int, message_id: int) -> None:
        """Where a candidate's review message is."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE intake_candidates SET channel_id = ?, message_id = ? WHERE id = ?",
                (channel_id, message_id, candidate_id),
            )

    async def claim(self, candidate_id: int) -> bool:
        """Take a pending candidate for a decision; False if someone else decided, or is deciding, first."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE intake_candidates SET status = 'deciding' WHERE id = ? AND status = 'pending'", (candidate_id,)
            )
            return cur.rowcount == 1

    async def release(self, candidate_id: int) -> None:
        """Give a claimed candidate back (the decision failed, e.g. the fact was refused)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE intake_candidates SET status = 'pending' WHERE id = ? AND status = 'deciding'", (candidate_id,)
            )

    async def decide(
        self,
        candidate_id: int,
        status: str,
        *,
        author_id: int | None,
        author_name: str,
        at: datetime,
        fact_id: int | None,
    ) -> None:
        """Record the decision on a claimed candidate."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE intake_candidates SET status = ?, decided_by = ?, decided_by_name = ?, decided_at = ?,"
                " fact_id = ? WHERE id = ?",
                (status, author_id, author_name, at.isoformat(), fact_id, candidate_id),
            )

    async def counts(self) -> dict[str, int]:
        """Candidates by state, for the CLI and the logs."""
        rows = await self._rows("SELECT status, count(*) FROM intake_candidates GROUP BY status")
        return {r[0]: r[1] for r in rows}

    # Review messages ----------------------------------------------------------------------------------------

    async def gather_reviews(self, at: datetime, limit: int = 1000) -> int:
        """Give each pending candidate not yet shown a review message (its article's) and a number in it.

        An article's candidates share one message, numbered in the order they were found; a fact proposed by
        hand has one of its own. Returns how many candidates were placed.
        """
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT id, item_id, channel_id FROM intake_candidates"
                " WHERE review_id IS NULL AND message_id IS NULL AND status = 'pending' ORDER BY id LIMIT ?",
                (limit,),
            )
            loose = list(await cur.fetchall())
            groups: dict[str, list[tuple[int, int | None]]] = {}
            for candidate_id, item_id, channel_id in loose:
                key = f"item:{item_id}" if item_id is not None else f"candidate:{candidate_id}"
                groups.setdefault(key, []).append((candidate_id, channel_id))
            for key, members in groups.items():
                await conn.execute(
                    "INSERT INTO intake_reviews (key, channel_id, created_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO NOTHING",
                    (key, members[0][1], _iso(at)),
                )
                cur = await conn.execute(
                    "SELECT r.id, coalesce(max(c.number), 0) FROM intake_reviews r"
                    " LEFT JOIN intake_candidates c ON c.review_id = r.id WHERE r.key = ? GROUP BY r.id",
                    (key,),
                )
                row = await cur.fetchone()
                assert row is not None
                review_id, last = int(row[0]), int(row[1])
                for number, (candidate_id, _) in enumerate(members, start=last + 1):
                    await conn.execute(
                        "UPDATE intake_candidates SET review_id = ?, number = ? WHERE id = ? AND review_id IS NULL",
                        (review_id, number, candidate_id),
                    )
        return len(loose)

    async def unposted_reviews(self, limit: int = 50) -> list[ReviewRecord]:
        """Review messages not posted yet that still have a candidate waiting, oldest first."""
        rows = await self._rows(
            f"SELECT {_REVIEW_COLUMNS} FROM intake_reviews r WHERE message_id IS NULL AND EXISTS"
            " (SELECT 1 FROM intake_candidates c WHERE c.review_id = r.id AND c.status = 'pending')"
            " ORDER BY id LIMIT ?",
            (limit,),
        )
        return [ReviewRecord(**dict(r)) for r in rows]

    async def review_of(self, candidate_id: int) -> int | None:
        """The review message a candidate is shown on, once it has one."""
        rows = await self._rows("SELECT review_id FROM intake_candidates WHERE id = ?", (candidate_id,))
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    async def review(self, review_id: int) -> ReviewRecord | None:
        """A review message by id."""
        rows = await self._rows(f"SELECT {_REVIEW_COLUMNS} FROM intake_reviews WHERE id = ?", (review_id,))
        return ReviewRecord(**dict(rows[0])) if rows else None

    async def review_candidates(self, review_id: int) -> list[tuple[int, CandidateRecord]]:
        """A review message's candidates with their numbers, in order."""
        rows = await self._rows(
            f"SELECT c.number AS number, {_CANDIDATE_COLUMNS} FROM intake_candidates c"
            " LEFT JOIN intake_items i ON i.id = c.item_id WHERE c.review_id = ? ORDER BY c.number",
            (review_id,),
        )
        found = []
        for row in rows:
            values = dict(row)
            number = int(values.pop("number"))
            found.append((number, _candidate(values)))  # type: ignore[arg-type]
        return found

    async def claim_review(self, review_id: int, holder: str, until: datetime, now: datetime) -> bool:
        """Take the posting of a review message: False if it is posted, or another process holds it now."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE intake_reviews SET claimed_by = ?, lease_until = ? WHERE id = ? AND message_id IS NULL"
                " AND (claimed_by IS NULL OR claimed_by = ? OR lease_until IS NULL OR lease_until <= ?)",
                (holder, _iso(until), review_id, holder, _iso(now)),
            )
            return cur.rowcount == 1

    async def release_review(self, review_id: int, holder: str) -> None:
        """Let go of a claim whose post failed, so the next round (of any process) may try."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE intake_reviews SET claimed_by = NULL, lease_until = NULL WHERE id = ? AND claimed_by = ?",
                (review_id, holder),
            )

    async def review_posted(self, review_id: int, channel_id: int, message_id: int) -> None:
        """Where a review message is; its candidates point there too."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE intake_reviews SET channel_id = ?, message_id = ?, claimed_by = NULL, lease_until = NULL"
                " WHERE id = ?",
                (channel_id, message_id, review_id),
            )
            await conn.execute(
                "UPDATE intake_candidates SET channel_id = ?, message_id = ? WHERE review_id = ?",
                (channel_id, message_id, review_id),
            )

    async def broken_channels(self) -> dict[int, BrokenChannel]:
        """The review channels found gone or forbidden, by id."""
        rows = await self._rows("SELECT channel_id, error, broken_since, retry_at, alerted FROM intake_review_channels")
        return {int(r[0]): BrokenChannel(**dict(r)) for r in rows}

    async def channel_broken(self, channel_id: int, error: str, at: datetime, retry_at: datetime) -> bool:
        """Record a review channel as broken until `retry_at`; True when moderators have not been told yet."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO intake_review_channels (channel_id, error, broken_since, retry_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (channel_id) DO UPDATE SET error = excluded.error, retry_at = excluded.retry_at",
                (channel_id, error[:500], _iso(at), _iso(retry_at)),
            )
            cur = await conn.execute(
                "UPDATE intake_review_channels SET alerted = 1 WHERE channel_id = ? AND alerted = 0", (channel_id,)
            )
            return cur.rowcount == 1

    async def channel_works(self, channel_id: int) -> None:
        """A post in the channel worked: it is no longer broken, and breaking again is news again."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM intake_review_channels WHERE channel_id = ?", (channel_id,))

    # What the topic knows -----------------------------------------------------------------------------------

    async def known_names(self, topic_id: int) -> list[tuple[str, str, str, str]]:
        """Every (folded name, entity, slug, display name) of the topic's actors, places and events."""
        rows = await self._rows(
            "SELECT n.norm, n.entity, coalesce(a.slug, p.slug, e.slug), coalesce(a.name, p.name, e.name)"
            " FROM names n"
            " LEFT JOIN actors a ON n.entity = 'actor' AND a.id = n.entity_id"
            " LEFT JOIN places p ON n.entity = 'place' AND p.id = n.entity_id"
            " LEFT JOIN events e ON n.entity = 'event' AND e.id = n.entity_id"
            " WHERE n.topic_id = ? ORDER BY n.is_primary DESC, n.id LIMIT 200000",
            (topic_id,),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows if r[2] is not None]


async def _insert_candidate(
    conn: Any,
    *,
    item_id: int | None,
    at: datetime,
    topic_id: int,
    sentence_key: str,
    fields: dict[str, Any],
    links: list[dict[str, str]],
    duplicate_of: int | None,
    channel_id: int | None,
    proposed_by: int | None = None,
    proposed_by_name: str | None = None,
    language: str = "en",
    day_note: str | None = None,
    claimant_side: str | None = None,
) -> int | None:
    cur = await conn.execute(
        "INSERT INTO intake_candidates (topic_id, item_id, sentence_key, fields, links, duplicate_of, channel_id,"
        " proposed_by, proposed_by_name, created_at, language, day_note, claimant_side)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (topic_id, sentence_key) DO NOTHING",
        (
            topic_id,
            item_id,
            sentence_key,
            json.dumps(fields, sort_keys=True, default=str),
            json.dumps(links),
            duplicate_of,
            channel_id,
            proposed_by,
            proposed_by_name,
            at.isoformat(),
            language,
            day_note,
            claimant_side,
        ),
    )
    return cur.lastrowid if cur.rowcount == 1 else None
