"""Facts as answers cite them: one by id or key, filtered lists, and the record of changes to it.

Every read here selects the same columns and builds each `FactRecord` in `_hydrate`, with the names it refers
to fetched in one query for the lot.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from bot.store.names import Recorded
from bot.store.reads import Reads, marks, up_to
from bot.store.records import ChangeRecord, FactRecord, Ref, SourceRecord

_FACT_COLUMNS = (
    "f.id, f.topic_id, f.key, f.statement, f.kind, f.event_id, f.place_id, f.stakeholder_id, f.interest,"
    " f.as_of, f.reliability, f.credibility, f.status, f.created_at, f.updated_at,"
    " s.id AS s_id, s.title AS s_title, s.publisher AS s_publisher, s.url AS s_url,"
    " s.published AS s_published, s.kind AS s_kind, s.note AS s_note"
)
_FACT_FROM = "facts f JOIN sources s ON s.id = f.source_id"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Facts(Reads):
    """Reads of facts, hydrated into records with their source and what they are about."""

    async def _hydrate(self, rows: Iterable[sqlite3.Row]) -> list[FactRecord]:
        rows = list(rows)
        if not rows:
            return []
        actors, refs = await self._refs(rows)
        facts = []
        for r in rows:
            source = SourceRecord(
                id=r["s_id"],
                title=r["s_title"],
                publisher=r["s_publisher"],
                url=r["s_url"],
                published=_day(r["s_published"]),
                kind=r["s_kind"],
                note=r["s_note"],
            )
            facts.append(
                FactRecord(
                    id=r["id"],
                    topic_id=r["topic_id"],
                    key=r["key"],
                    statement=r["statement"],
                    kind=r["kind"],
                    actors=actors.get(r["id"], []),
                    event=refs.get(("events", r["event_id"])),
                    place=refs.get(("places", r["place_id"])),
                    stakeholder=refs.get(("actors", r["stakeholder_id"])),
                    interest=r["interest"],
                    as_of=date.fromisoformat(r["as_of"]),
                    source=source,
                    reliability=r["reliability"],
                    credibility=r["credibility"],
                    status=r["status"],
                    created_at=datetime.fromisoformat(r["created_at"]),
                    updated_at=datetime.fromisoformat(r["updated_at"]),
                )
            )
        return facts

    async def _refs(self, rows: list[sqlite3.Row]) -> tuple[dict[int, list[Ref]], dict[tuple[str, int], Ref]]:
        """The names behind facts' references in one query: each fact's actors, and its event, place, stakeholder."""
        fact_ids = [r["id"] for r in rows]
        wanted = {
            "events": sorted({r["event_id"] for r in rows if r["event_id"]}),
            "places": sorted({r["place_id"] for r in rows if r["place_id"]}),
            "actors": sorted({r["stakeholder_id"] for r in rows if r["stakeholder_id"]}),
        }
        selects = [
            "SELECT 'fact' AS what, fa.fact_id, a.id, a.slug, a.name FROM fact_actors fa"
            f" JOIN actors a ON a.id = fa.actor_id WHERE fa.fact_id IN ({marks(fact_ids)})"
        ]
        params: list[int] = list(fact_ids)
        for table, ids in wanted.items():
            if ids:
                selects.append(f"SELECT '{table}', NULL, id, slug, name FROM {table} WHERE id IN ({marks(ids)})")
                params.extend(ids)
        actors: dict[int, list[Ref]] = {}
        refs: dict[tuple[str, int], Ref] = {}
        for what, fact_id, ref_id, slug, name in await self.rows(" UNION ALL ".join(selects) + " ORDER BY 5", params):
            ref = Ref(id=ref_id, slug=slug, name=name)
            if what == "fact":
                actors.setdefault(fact_id, []).append(ref)
            else:
                refs[(what, ref_id)] = ref
        return actors, refs

    async def fact(self, fact_id: int) -> FactRecord | None:
        """One fact, active or retracted."""
        found = await self.facts_by_id([fact_id])
        return found[0] if found else None

    async def facts_by_id(self, ids: Sequence[int]) -> list[FactRecord]:
        """Facts in the order asked, as a search ranked them."""
        if not ids:
            return []
        rows = await self.rows(f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.id IN ({marks(ids)})", ids)
        by_id = {f.id: f for f in await self._hydrate(rows)}
        return [by_id[i] for i in ids if i in by_id]

    async def fact_by_key(self, topic_id: int, key: str) -> FactRecord | None:
        """A fact by its stable key, as packs name facts."""
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.topic_id = ? AND f.key = ?", (topic_id, key)
        )
        found = await self._hydrate(rows)
        return found[0] if found else None

    async def changes(self, entity: Recorded, entity_id: int, limit: int = 50) -> list[ChangeRecord]:
        """The record of writes to one actor, place, event or fact, oldest first."""
        rows = await self.rows(
            "SELECT id, at, entity, entity_id, action, user_id, user_name, reason, before, after FROM changes"
            " WHERE entity = ? AND entity_id = ? ORDER BY id LIMIT ?",
            (entity, entity_id, limit),
        )
        return [
            ChangeRecord(
                **{k: r[k] for k in ("id", "entity", "entity_id", "action", "user_id", "user_name", "reason")},
                at=datetime.fromisoformat(r["at"]),
                before=json.loads(r["before"]) if r["before"] else None,
                after=json.loads(r["after"]),
            )
            for r in rows
        ]

    async def retraction_reason(self, fact_id: int) -> str | None:
        """Why a fact was last retracted."""
        row = await self.row(
            "SELECT reason FROM changes WHERE entity = 'fact' AND entity_id = ? AND action = 'retract'"
            " ORDER BY id DESC LIMIT 1",
            (fact_id,),
        )
        return row[0] if row else None

    async def facts_of_kind(
        self, topic_id: int, kinds: Sequence[str], as_of: date | None, limit: int
    ) -> list[FactRecord]:
        """The latest active facts of the given kinds, newest first."""
        listed = marks(kinds)
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.topic_id = ? AND f.status = 'active'"
            f" AND f.kind IN ({listed}) AND f.as_of <= ? ORDER BY f.as_of DESC, f.id ASC LIMIT ?",
            (topic_id, *kinds, up_to(as_of), limit),
        )
        return await self._hydrate(rows)

    async def facts_about_actor(self, actor_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """The latest active facts that name this actor."""
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM fact_actors fa JOIN facts f ON f.id = fa.fact_id"
            " JOIN sources s ON s.id = f.source_id"
            " WHERE fa.actor_id = ? AND fa.active = 1 AND fa.as_of <= ?"
            " ORDER BY fa.as_of DESC, fa.fact_id ASC LIMIT ?",
            (actor_id, up_to(as_of), limit),
        )
        return await self._hydrate(rows)

    async def facts_about_event(self, event_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """The active facts about this event, oldest first, as a story reads."""
        return (await self.facts_about_events([event_id], as_of, limit)).get(event_id, [])

    async def facts_about_events(
        self, event_ids: Sequence[int], as_of: date | None, per_event: int
    ) -> dict[int, list[FactRecord]]:
        """The first few active facts about each of several events, in one query (a list of events cites them)."""
        if not event_ids:
            return {}
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.id IN (SELECT g.id FROM events e"
            " JOIN facts g ON g.id IN (SELECT h.id FROM facts h WHERE h.event_id = e.id AND h.status = 'active'"
            f" AND h.as_of <= ? ORDER BY h.as_of, h.id LIMIT ?) WHERE e.id IN ({marks(event_ids)}))"
            " ORDER BY f.as_of, f.id",
            (up_to(as_of), per_event, *event_ids),
        )
        found: dict[int, list[FactRecord]] = {}
        for fact in await self._hydrate(rows):
            if fact.event is not None:
                found.setdefault(fact.event.id, []).append(fact)
        return found

    async def stakes(self, stakeholder_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """The active stakes of one stakeholder, newest first."""
        return await self._active_facts("stakeholder_id", stakeholder_id, as_of, "DESC", limit)

    async def headline_stakes(self, stakeholder_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """A few stakes that show their breadth: the newest of each interest, then the newest of the rest.

        Chosen among the stakeholder's 40 newest, so the cost stays flat however many it has, and only the
        ones shown are read in full.
        """
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM (SELECT id, row_number() OVER"
            " (PARTITION BY interest ORDER BY as_of DESC, id) AS nth FROM (SELECT id, interest, as_of FROM facts"
            " WHERE stakeholder_id = ? AND status = 'active' AND as_of <= ? ORDER BY as_of DESC, id LIMIT 40))"
            " pick JOIN facts f ON f.id = pick.id JOIN sources s ON s.id = f.source_id"
            " ORDER BY pick.nth > 1, f.as_of DESC, f.id LIMIT ?",
            (stakeholder_id, up_to(as_of), limit),
        )
        return await self._hydrate(rows)

    async def _active_facts(
        self, column: str, value: int, as_of: date | None, order: str, limit: int
    ) -> list[FactRecord]:
        """Active facts by one indexed reference column (facts_event, facts_stake), in date order."""
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.{column} = ? AND f.status = 'active'"
            f" AND f.as_of <= ? ORDER BY f.as_of {order}, f.id ASC LIMIT ?",
            (value, up_to(as_of), limit),
        )
        return await self._hydrate(rows)
