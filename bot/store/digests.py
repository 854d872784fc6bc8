"""Every SQL statement behind scheduled digests: subscriptions, the delivery ledger, and what changed.

The ledger is what makes delivery exactly-once. A run is claimed by inserting its (subscription,
scheduled time) row, which the UNIQUE constraint lets only one writer do; what it will post is frozen in
the same row before anything is sent; each message id is recorded as soon as Discord returns it. So
whoever finds a row still `sending` (after a crash, or in another process) knows exactly which part was
in flight and resends only that, with the same nonce.

Several processes share the ledger: the one that claims a run holds a lease on it (`Lease`), renewed while
it lives, and every write it makes while posting is conditional on still holding it. Another process
takes a run over (`take_over`) only once the lease has run out, so a run is posted by one process at a
time, decided in the database whatever the processes were told.

The module stays whole past 450 lines because subscriptions and the ledger are one set of tables written
together: recording, finishing or settling a run moves its subscription's `last_change_id` or status in
the same transaction, so split in two, each half would still write the other's table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bot.store.engine.base import Connection
from bot.store.records import Record
from bot.store.store import Store

SubscriptionStatus = Literal["active", "paused", "done", "removed"]
DeliveryStatus = Literal["sending", "sent", "silent", "skipped", "failed", "attention"]

_SUBSCRIPTION = (
    "SELECT s.id, s.kind, s.guild_id, s.channel_id, s.topic_id, t.slug AS topic_slug, s.timezone, s.schedule,"
    " s.quiet, s.event_id, e.name AS event_name, s.after_spec, s.due_at, s.status, s.status_reason,"
    " s.active_since, s.last_change_id, s.created_by, s.created_by_name, s.created_at, s.updated_at"
    " FROM digest_subscriptions s JOIN topics t ON t.id = s.topic_id LEFT JOIN events e ON e.id = s.event_id"
)
_DELIVERY = (
    "SELECT id, subscription_id, scheduled_for, status, late, manual, nonce, through_change_id, parts,"
    " message_ids, attempted_at, detail, recorded_at, updated_at FROM digest_deliveries"
)


@dataclass(frozen=True)
class Lease:
    """A process's hold on the runs it is posting: who (`holder`, one per process start) and until when."""

    holder: str
    until: datetime


def iso(moment: datetime) -> str:
    """A moment as stored: UTC, so that text order is time order and equal moments are equal keys."""
    return moment.astimezone(UTC).isoformat()


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SubscriptionRecord(Record):
    """A subscription as stored, with the names of its topic and event."""

    id: int
    kind: Literal["recurring", "milestone"]
    guild_id: int
    channel_id: int
    topic_id: int
    topic_slug: str
    timezone: str
    schedule: str | None
    quiet: bool
    event_id: int | None
    event_name: str | None
    after_spec: str | None
    due_at: datetime | None
    status: SubscriptionStatus
    status_reason: str | None
    active_since: datetime
    last_change_id: int
    created_by: int | None
    created_by_name: str
    created_at: datetime
    updated_at: datetime


class DeliveryRecord(Record):
    """One run in the ledger: what it posts (`parts`, as answer JSON) and what it has posted so far."""

    id: int
    subscription_id: int
    scheduled_for: datetime
    status: DeliveryStatus
    late: bool
    manual: bool
    nonce: str
    through_change_id: int
    parts: list[dict[str, Any]]
    message_ids: list[int | None]
    #: When the part after the last recorded one was first sent; None if it never was.
    attempted_at: datetime | None
    detail: str | None
    recorded_at: datetime
    updated_at: datetime


class ChangedEntity(Record):
    """The net effect of the changes to one fact or event within a window of the change log."""

    entity: Literal["fact", "event"]
    entity_id: int
    added: bool
    restored: bool
    last_action: str
    before: dict[str, Any] | None
    reason: str | None


@dataclass(frozen=True)
class NewSubscription:
    """What a new subscription is made of; the store adds its id, times and change-log position."""

    kind: Literal["recurring", "milestone"]
    guild_id: int
    channel_id: int
    topic_id: int
    timezone: str
    created_by: int | None
    created_by_name: str
    schedule: str | None = None
    quiet: bool = False
    event_id: int | None = None
    after_spec: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class Run:
    """A run recorded without posting anything: skipped, or silent because nothing changed."""

    scheduled_for: datetime
    status: Literal["skipped", "silent"]
    nonce: str
    detail: str
    late: bool = False
    through_change_id: int = 0


async def _fetch_one(conn: Connection, sql: str, params: Sequence[Any]) -> sqlite3.Row | None:
    """Read back on the writer, inside its transaction: the record exactly as this write leaves it."""
    async with conn.execute(sql, params) as cur:
        return await cur.fetchone()


async def _reread(conn: Connection, subscription_id: int) -> SubscriptionRecord:
    """A subscription as the writer's transaction leaves it."""
    row = await _fetch_one(conn, f"{_SUBSCRIPTION} WHERE s.id = ?", (subscription_id,))
    assert row is not None
    return _subscription(row)


def _subscription(row: sqlite3.Row) -> SubscriptionRecord:
    values = dict(row)
    for key in ("due_at", "active_since", "created_at", "updated_at"):
        values[key] = _moment(values[key])
    return SubscriptionRecord(**values)


def _delivery(row: sqlite3.Row) -> DeliveryRecord:
    values = dict(row)
    for key in ("scheduled_for", "attempted_at", "recorded_at", "updated_at"):
        values[key] = _moment(values[key])
    values["parts"] = json.loads(values["parts"])
    values["message_ids"] = json.loads(values["message_ids"])
    return DeliveryRecord(**values)


class DigestStore:
    """Reads and writes for digests, on the fact store's connections and write lock."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # Subscriptions ----------------------------------------------------------------------------------

    async def create(self, new: NewSubscription, now: datetime) -> SubscriptionRecord:
        """Store a subscription; its first digest reports changes made from now on."""
        async with self.store.db.transaction() as conn:
            async with conn.execute(
                "SELECT coalesce(max(id), 0) FROM changes WHERE topic_id = ?", (new.topic_id,)
            ) as cur:
                row = await cur.fetchone()
            cur = await conn.execute(
                "INSERT INTO digest_subscriptions (kind, guild_id, channel_id, topic_id, timezone, schedule, quiet,"
                " event_id, after_spec, due_at, active_since, last_change_id, created_by, created_by_name,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.kind,
                    new.guild_id,
                    new.channel_id,
                    new.topic_id,
                    new.timezone,
                    new.schedule,
                    int(new.quiet),
                    new.event_id,
                    new.after_spec,
                    iso(new.due_at) if new.due_at else None,
                    iso(now),
                    row[0] if row else 0,
                    new.created_by,
                    new.created_by_name,
                    iso(now),
                    iso(now),
                ),
            )
            return await _reread(conn, cur.lastrowid or 0)

    async def subscription(self, subscription_id: int) -> SubscriptionRecord | None:
        """One subscription, whatever its status."""
        row = await self.store.row(f"{_SUBSCRIPTION} WHERE s.id = ?", (subscription_id,))
        return _subscription(row) if row else None

    async def in_guild(self, guild_id: int, channel_id: int | None = None, limit: int = 50) -> list[SubscriptionRecord]:
        """A server's subscriptions (or one channel's), removed ones left out, oldest first."""
        where = "s.guild_id = ? AND s.status IN ('active', 'paused', 'done')"
        params: list[Any] = [guild_id]
        if channel_id is not None:
            where += " AND s.channel_id = ?"
            params.append(channel_id)
        rows = await self.store.rows(f"{_SUBSCRIPTION} WHERE {where} ORDER BY s.id LIMIT ?", (*params, limit))
        return [_subscription(r) for r in rows]

    async def active(self, limit: int = 100_000) -> list[SubscriptionRecord]:
        """Every active subscription: the scheduler's jobs are rebuilt from these."""
        rows = await self.store.rows(f"{_SUBSCRIPTION} WHERE s.status = 'active' ORDER BY s.id LIMIT ?", (limit,))
        return [_subscription(r) for r in rows]

    async def set_status(
        self, subscription_id: int, status: SubscriptionStatus, reason: str | None, now: datetime
    ) -> SubscriptionRecord:
        """Pause, resume, finish or remove; resuming restarts the clock so paused runs are not caught up."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE digest_subscriptions SET status = ?, status_reason = ?, updated_at = ?,"
                " active_since = CASE WHEN ? = 'active' THEN ? ELSE active_since END WHERE id = ?",
                (status, reason, iso(now), status, iso(now), subscription_id),
            )
            return await _reread(conn, subscription_id)

    # What changed -----------------------------------------------------------------------------------

    async def last_change_id(self, topic_id: int) -> int:
        """The newest entry of the change log for a topic (0 when there is none)."""
        row = await self.store.row("SELECT coalesce(max(id), 0) FROM changes WHERE topic_id = ?", (topic_id,))
        return int(row[0]) if row else 0

    async def changed(self, topic_id: int, after_id: int, through_id: int, limit: int) -> list[ChangedEntity]:
        """Facts and events changed in (after_id, through_id], one row each, in the order first changed.

        The log may hold several entries for one record (added, then corrected); a digest reports the
        net effect, so each row says whether it was added or restored in the window, its last action,
        its state before the window, and the reason given for its last change.
        """
        rows = await self.store.rows(
            "WITH w AS (SELECT entity, entity_id, min(id) AS first_id, max(id) AS last_id,"
            " max(action = 'add') AS added, max(action = 'restore') AS restored FROM changes"
            " WHERE topic_id = ? AND id > ? AND id <= ? AND entity IN ('fact', 'event')"
            " GROUP BY entity, entity_id)"
            " SELECT w.entity, w.entity_id, w.added, w.restored, l.action, f.before, l.reason FROM w"
            " JOIN changes f ON f.id = w.first_id JOIN changes l ON l.id = w.last_id ORDER BY w.first_id LIMIT ?",
            (topic_id, after_id, through_id, limit),
        )
        return [
            ChangedEntity(
                entity=r[0],
                entity_id=r[1],
                added=bool(r[2]),
                restored=bool(r[3]),
                last_action=r[4],
                before=json.loads(r[5]) if r[5] else None,
                reason=r[6],
            )
            for r in rows
        ]

    # The ledger -------------------------------------------------------------------------------------

    async def last_scheduled(self, subscription_id: int) -> datetime | None:
        """The latest scheduled (not manual) run on record, whatever became of it."""
        row = await self.store.row(
            "SELECT max(scheduled_for) FROM digest_deliveries WHERE subscription_id = ? AND manual = 0",
            (subscription_id,),
        )
        return _moment(row[0]) if row else None

    async def last_posted(self, subscription_id: int) -> DeliveryRecord | None:
        """The previous digest actually posted (or silent), which the next one reports changes since."""
        row = await self.store.row(
            f"{_DELIVERY} WHERE subscription_id = ? AND status IN ('sent', 'silent')"
            " ORDER BY scheduled_for DESC LIMIT 1",
            (subscription_id,),
        )
        return _delivery(row) if row else None

    async def latest(self, subscription_id: int) -> DeliveryRecord | None:
        """The most recent run on record, for `/digest list`."""
        row = await self.store.row(
            f"{_DELIVERY} WHERE subscription_id = ? ORDER BY recorded_at DESC, id DESC LIMIT 1", (subscription_id,)
        )
        return _delivery(row) if row else None

    async def delivery(self, subscription_id: int, scheduled_for: datetime) -> DeliveryRecord | None:
        """The run of a subscription at one scheduled time."""
        row = await self.store.row(
            f"{_DELIVERY} WHERE subscription_id = ? AND scheduled_for = ?", (subscription_id, iso(scheduled_for))
        )
        return _delivery(row) if row else None

    async def in_flight(self, subscription_id: int) -> list[DeliveryRecord]:
        """Runs recorded as `sending` but never finished: a crash, or another process, cut them off."""
        rows = await self.store.rows(
            f"{_DELIVERY} WHERE subscription_id = ? AND status = 'sending' ORDER BY scheduled_for LIMIT 20",
            (subscription_id,),
        )
        return [_delivery(r) for r in rows]

    async def claim(
        self,
        subscription_id: int,
        scheduled_for: datetime,
        *,
        nonce: str,
        through_change_id: int,
        parts: list[dict[str, Any]],
        late: bool,
        manual: bool,
        now: datetime,
        lease: Lease,
    ) -> tuple[DeliveryRecord, bool]:
        """Record a run as `sending`, held by `lease`, before anything is posted; or return the run on record.

        Returns the row and whether this call created it: only the creator may start posting it (anyone
        else must `take_over` first, which waits for the creator's lease to run out).
        """
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO digest_deliveries (subscription_id, scheduled_for, status, late, manual, nonce,"
                " through_change_id, parts, recorded_at, updated_at, claimed_by, lease_until)"
                " VALUES (?, ?, 'sending', ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (subscription_id, scheduled_for) DO NOTHING",
                (
                    subscription_id,
                    iso(scheduled_for),
                    int(late),
                    int(manual),
                    nonce,
                    through_change_id,
                    json.dumps(parts),
                    iso(now),
                    iso(now),
                    lease.holder,
                    iso(lease.until),
                ),
            )
            created = cur.rowcount == 1
            row = await _fetch_one(
                conn,
                f"{_DELIVERY} WHERE subscription_id = ? AND scheduled_for = ?",
                (subscription_id, iso(scheduled_for)),
            )
        assert row is not None
        return _delivery(row), created

    async def record_runs(self, subscription_id: int, runs: Sequence[Run], now: datetime) -> None:
        """Put runs that post nothing on record; a silent run moves the change-log position on like a post."""
        if not runs:
            return
        async with self.store.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO digest_deliveries (subscription_id, scheduled_for, status, late, nonce,"
                " through_change_id, detail, recorded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (subscription_id, scheduled_for) DO NOTHING",
                [
                    (
                        subscription_id,
                        iso(run.scheduled_for),
                        run.status,
                        int(run.late),
                        run.nonce,
                        run.through_change_id,
                        run.detail,
                        iso(now),
                        iso(now),
                    )
                    for run in runs
                ],
            )
            through = max((r.through_change_id for r in runs if r.status == "silent"), default=0)
            if through:
                await conn.execute(
                    "UPDATE digest_subscriptions SET last_change_id = max(last_change_id, ?) WHERE id = ?",
                    (through, subscription_id),
                )

    async def take_over(self, delivery_id: int, lease: Lease, now: datetime) -> bool:
        """Hold a run left `sending`, if no other process holds it now; whether this process may post it.

        A run is free when its lease ran out (its process stopped, or stalled for longer than a lease), when
        it has none (recorded before leases), or when `lease.holder` already holds it.
        """
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE digest_deliveries SET claimed_by = ?, lease_until = ?"
                " WHERE id = ? AND status = 'sending'"
                " AND (claimed_by IS NULL OR claimed_by = ? OR lease_until IS NULL OR lease_until <= ?)",
                (lease.holder, iso(lease.until), delivery_id, lease.holder, iso(now)),
            )
            return cur.rowcount == 1

    async def renew(self, lease: Lease) -> int:
        """Extend the holder's lease on every run it is still posting; how many runs that is."""
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE digest_deliveries SET lease_until = ? WHERE claimed_by = ? AND status = 'sending'",
                (iso(lease.until), lease.holder),
            )
            return cur.rowcount

    async def abandoned(self, now: datetime, limit: int = 1000) -> list[int]:
        """Subscriptions with a run left `sending` whose lease ran out: cut off, and for anyone to finish."""
        rows = await self.store.rows(
            "SELECT DISTINCT subscription_id FROM digest_deliveries WHERE status = 'sending'"
            " AND (claimed_by IS NULL OR lease_until IS NULL OR lease_until <= ?) ORDER BY subscription_id LIMIT ?",
            (iso(now), limit),
        )
        return [int(r[0]) for r in rows]

    async def attempting(self, delivery_id: int, now: datetime, lease: Lease) -> bool:
        """Record that the next part is about to be sent, if `lease` still holds the run; whether it does.

        The earliest attempt is the one that counts: from then on the part may be in the channel. A process
        that lost its lease (it stalled, and another took the run over) learns it here and sends nothing.
        """
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE digest_deliveries SET attempted_at = coalesce(attempted_at, ?), lease_until = ?,"
                " updated_at = ? WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                (iso(now), iso(lease.until), iso(now), delivery_id, lease.holder),
            )
            return cur.rowcount == 1

    async def part_posted(self, delivery_id: int, message_ids: list[int | None], now: datetime, lease: Lease) -> bool:
        """Record the message ids posted so far, the moment each part is accepted (no part is then in flight).

        Only while `lease` holds the run; whether it did (a process that lost it stops posting).
        """
        async with self.store.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE digest_deliveries SET message_ids = ?, attempted_at = NULL, lease_until = ?, updated_at = ?"
                " WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                (json.dumps(message_ids), iso(lease.until), iso(now), delivery_id, lease.holder),
            )
            return cur.rowcount == 1

    async def finish(self, delivery: DeliveryRecord, now: datetime, *, done: bool) -> SubscriptionRecord:
        """Mark a run sent and move the subscription's change-log position on; a milestone is then done."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE digest_deliveries SET status = 'sent', updated_at = ? WHERE id = ?", (iso(now), delivery.id)
            )
            await conn.execute(
                "UPDATE digest_subscriptions SET last_change_id = max(last_change_id, ?), updated_at = ?,"
                " status = CASE WHEN ? THEN 'done' ELSE status END WHERE id = ?",
                (delivery.through_change_id, iso(now), done, delivery.subscription_id),
            )
            return await _reread(conn, delivery.subscription_id)

    async def settle(
        self,
        delivery: DeliveryRecord,
        status: Literal["failed", "skipped", "attention"],
        detail: str,
        now: datetime,
        *,
        pause: bool,
    ) -> SubscriptionRecord:
        """End a run that was not sent, or mark it for a moderator.

        With `pause`, its subscription stops too (recording why) in the same write.
        """
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE digest_deliveries SET status = ?, detail = ?, updated_at = ? WHERE id = ?",
                (status, detail, iso(now), delivery.id),
            )
            if pause:
                await conn.execute(
                    "UPDATE digest_subscriptions SET status = 'paused', status_reason = ?, updated_at = ?"
                    " WHERE id = ? AND status = 'active'",
                    (detail, iso(now), delivery.subscription_id),
                )
            return await _reread(conn, delivery.subscription_id)

    async def awaiting_attention(self, subscription_id: int) -> DeliveryRecord | None:
        """The latest run marked for a moderator, which `/digest list` shows and `/digest send` finishes."""
        row = await self.store.row(
            f"{_DELIVERY} WHERE subscription_id = ? AND status = 'attention' ORDER BY scheduled_for DESC LIMIT 1",
            (subscription_id,),
        )
        return _delivery(row) if row else None

    async def reopen(self, delivery: DeliveryRecord, now: datetime, lease: Lease) -> DeliveryRecord:
        """Put a run marked for attention back in flight, held by `lease`, for a moderator's `/digest send`."""
        async with self.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE digest_deliveries SET status = 'sending', detail = NULL, updated_at = ?, claimed_by = ?,"
                " lease_until = ? WHERE id = ? AND status = 'attention'",
                (iso(now), lease.holder, iso(lease.until), delivery.id),
            )
            row = await _fetch_one(conn, f"{_DELIVERY} WHERE id = ?", (delivery.id,))
        assert row is not None
        return _delivery(row)
