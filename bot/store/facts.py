"""Facts as answers cite them: one by id or key, filtered lists, and the record of changes to it.

Every read here selects the same columns and builds each `FactRecord` in `_hydrate`, with the names it refers
to fetched in one query for the lot.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from bot.models import FactKind
from bot.store.names import Recorded
from bot.store.reads import Reads, marks, up_to
from bot.store.records import ChangeRecord, FactRecord, Ref, SourceRecord

_FACT_COLUMNS = (
    "f.id, f.topic_id, f.key, f.statement, f.kind, f.event_id, f.place_id, f.stakeholder_id, f.interest,"
    " f.as_of, f.reliability, f.credibility, f.status, f.created_at, f.updated_at, f.salience,"
    " f.claimant, f.claimant_actor_id, (SELECT a.side FROM actors a WHERE a.id = f.claimant_actor_id) AS claimant_side,"
    " s.id AS s_id, s.title AS s_title, s.publisher AS s_publisher, s.url AS s_url,"
    " s.published AS s_published, s.kind AS s_kind, s.note AS s_note"
)
_FACT_FROM = "facts f JOIN sources s ON s.id = f.source_id"
#: How many of the newest facts a ranked read weighs, and how many of the marked ones (few by design): the
#: ranking sorts these few rows, so its cost stays flat however large the store grows.
CANDIDATES = 60
FACT_KINDS = tuple(k.value for k in FactKind)
MARKED = 200


def salience_order(f: str = "f", *, current: bool = False) -> str:
    """The order answers show facts in, what matters most first; `f` is the alias of the facts table.

    1. What a pack's author marked: key judgements, then headlines, then the unmarked, then colour.
    2. What kind of claim it is: assessments and figures carry the story, then events and stakes, then
       background.
    3. The grade: the more reliable source, then the more credible information.
    4. Consequence: how many events followed from the event it is about (up to 20).
    5. Recency, the tie-break: the newer day it describes, then the newer event it is about, then the order
       it was recorded in.

    A stake is what someone stands to gain or lose now, so with `current` (stakes) the newest development
    comes straight after the mark and the grade: "re-engaged" before "the coup strained ties", though the
    coup had more consequences.
    """
    mark = f"CASE {f}.salience WHEN 'key-judgement' THEN 0 WHEN 'headline' THEN 1 WHEN 'colour' THEN 3 ELSE 2 END"
    grade = f"{f}.reliability, {f}.credibility"
    recency = f"{f}.as_of DESC, (SELECT e.date FROM events e WHERE e.id = {f}.event_id) DESC, {f}.id"
    if current:
        return f"{mark}, {grade}, {recency}"
    kind = f"CASE {f}.kind WHEN 'assessment' THEN 0 WHEN 'figure' THEN 0 WHEN 'background' THEN 2 ELSE 1 END"
    consequence = f"(SELECT count(*) FROM (SELECT 1 FROM event_follows x WHERE x.follows_id = {f}.event_id LIMIT 20))"
    return f"{mark}, {kind}, {grade}, {consequence} DESC, {recency}"


# The topic's marked facts, newest first from their partial index (migration 0007); parameters: topic id, day,
# how many.
_MARKED_OF_TOPIC = (
    "SELECT id FROM (SELECT id FROM facts WHERE topic_id = ? AND status = 'active' AND salience IS NOT NULL"
    " AND as_of <= ? ORDER BY as_of DESC LIMIT ?)"
)


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
                    salience=r["salience"],
                    claimant=r["claimant"],
                    claimant_actor=refs.get(("actors", r["claimant_actor_id"])),
                    claimant_side=r["claimant_side"],
                )
            )
        return facts

    async def _refs(self, rows: list[sqlite3.Row]) -> tuple[dict[int, list[Ref]], dict[tuple[str, int], Ref]]:
        """The names behind facts' references in one query: each fact's actors, and its event, place, stakeholder."""
        fact_ids = [r["id"] for r in rows]
        wanted = {
            "events": sorted({r["event_id"] for r in rows if r["event_id"]}),
            "places": sorted({r["place_id"] for r in rows if r["place_id"]}),
            "actors": sorted(
                {r["stakeholder_id"] for r in rows if r["stakeholder_id"]}
                | {r["claimant_actor_id"] for r in rows if r["claimant_actor_id"]}
            ),
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
        """The active facts of the given kinds that matter most (`salience_order`) among the newest and the marked.

        Each kind is read newest first from its own index range, so the candidates never need a sort of their own.
        """
        if not kinds:
            return []
        newest = " UNION ALL ".join(
            "SELECT id FROM (SELECT id FROM facts WHERE topic_id = ? AND status = 'active' AND kind = ?"
            " AND as_of <= ? ORDER BY as_of DESC, id DESC LIMIT ?)"
            for _ in kinds
        )
        params: list[object] = []
        for kind in kinds:
            params += [topic_id, kind, up_to(as_of), CANDIDATES]
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.id IN ({newest} UNION {_MARKED_OF_TOPIC})"
            f" AND f.kind IN ({marks(kinds)}) ORDER BY {salience_order()} LIMIT ?",
            (*params, topic_id, up_to(as_of), MARKED, *kinds, limit),
        )
        return await self._hydrate(rows)

    async def count_facts_dated(
        self, topic_id: int, since: date, through: date, cap: int = 500
    ) -> tuple[int, date | None]:
        """How many active facts are dated from `since` to `through` (counted up to `cap`), and the earliest day.

        Read per kind from the facts' kind index, so each is a bounded range however large the topic is.
        """
        ranges = " UNION ALL ".join(
            "SELECT as_of FROM (SELECT as_of FROM facts WHERE topic_id = ? AND status = 'active' AND kind = ?"
            " AND as_of >= ? AND as_of <= ? ORDER BY as_of LIMIT ?)"
            for _ in FACT_KINDS
        )
        params: list[object] = []
        for kind in FACT_KINDS:
            params += [topic_id, kind, since.isoformat(), through.isoformat(), cap]
        row = await self.row(f"SELECT count(*), min(as_of) FROM ({ranges})", params)
        if row is None or not row[0]:
            return 0, None
        return min(int(row[0]), cap), date.fromisoformat(row[1])

    async def facts_about_actor(
        self, actor_id: int, as_of: date | None, limit: int, kinds: Sequence[str] | None = None
    ) -> list[FactRecord]:
        """The active facts naming this actor that matter most, among its newest and the topic's marked ones."""
        only = f" AND f.kind IN ({','.join(f'?{6 + i}' for i in range(len(kinds)))})" if kinds else ""
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.id IN ("
            "SELECT fact_id FROM (SELECT fa.fact_id FROM fact_actors fa WHERE fa.actor_id = ?1 AND fa.active = 1"
            " AND fa.as_of <= ?2 ORDER BY fa.as_of DESC, fa.fact_id LIMIT ?3)"
            " UNION SELECT id FROM (SELECT m.id FROM facts m WHERE m.topic_id = (SELECT topic_id FROM actors"
            " WHERE id = ?1) AND m.status = 'active' AND m.salience IS NOT NULL AND m.as_of <= ?2"
            " ORDER BY m.as_of DESC LIMIT ?4) marked"
            " WHERE EXISTS (SELECT 1 FROM fact_actors x WHERE x.fact_id = marked.id AND x.actor_id = ?1))"
            f"{only} ORDER BY {salience_order()} LIMIT ?5",
            (actor_id, up_to(as_of), CANDIDATES, MARKED, limit, *(kinds or [])),
        )
        return await self._hydrate(rows)

    async def facts_about_event(self, event_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """The active facts about this event that matter most."""
        return (await self.facts_about_events([event_id], as_of, limit)).get(event_id, [])

    async def facts_about_events(
        self, event_ids: Sequence[int], as_of: date | None, per_event: int
    ) -> dict[int, list[FactRecord]]:
        """The few active facts that matter most about each of several events, in one query.

        A list of events cites them; each event's are chosen among its newest few (four times as many as asked
        for), so a timeline of popular events ranks dozens of rows, not thousands.
        """
        if not event_ids:
            return {}
        # One bounded index range per event, joined by UNION ALL: both engines read each event's newest few
        # and stop. A correlated `IN (… LIMIT ?)` did the same on SQLite, but PostgreSQL cannot turn it into
        # a join and tested it against every fact in the store (seconds at 100,000 facts).
        newest = " UNION ALL ".join(
            f"SELECT * FROM (SELECT h.id FROM facts h WHERE h.event_id = ? AND h.status = 'active'"
            f" AND h.as_of <= ? ORDER BY h.as_of DESC LIMIT ?) AS newest{n}"
            for n in range(len(event_ids))
        )
        day, few = up_to(as_of), max(4 * per_event, 8)
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM (SELECT g.id, g.event_id, row_number() OVER"
            f" (PARTITION BY g.event_id ORDER BY {salience_order('g')}) AS nth FROM facts g"
            f" WHERE g.id IN ({newest})) pick"
            " JOIN facts f ON f.id = pick.id JOIN sources s ON s.id = f.source_id"
            " WHERE pick.nth <= ? ORDER BY pick.event_id, pick.nth",
            (*(value for event_id in event_ids for value in (event_id, day, few)), per_event),
        )
        found: dict[int, list[FactRecord]] = {}
        for fact in await self._hydrate(rows):
            if fact.event is not None:
                found.setdefault(fact.event.id, []).append(fact)
        return found

    async def stakes(self, stakeholder_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """The active facts at stake for one stakeholder, what matters most first, among its newest."""
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM {_FACT_FROM} WHERE f.id IN (SELECT id FROM facts WHERE stakeholder_id = ?"
            " AND status = 'active' AND as_of <= ? ORDER BY as_of DESC LIMIT ?)"
            f" ORDER BY {salience_order(current=True)} LIMIT ?",
            (stakeholder_id, up_to(as_of), max(limit, CANDIDATES), limit),
        )
        return await self._hydrate(rows)

    async def headline_stakes(self, stakeholder_id: int, as_of: date | None, limit: int) -> list[FactRecord]:
        """A few stakes that show their breadth: the one that matters most of each interest, then the rest.

        Chosen among the stakeholder's 40 newest, so the cost stays flat however many it has, and only the
        ones shown are read in full.
        """
        rows = await self.rows(
            f"SELECT {_FACT_COLUMNS} FROM (SELECT g.id, row_number() OVER"
            f" (PARTITION BY g.interest ORDER BY {salience_order('g', current=True)}) AS nth FROM facts g WHERE g.id IN"
            " (SELECT id FROM facts WHERE stakeholder_id = ? AND status = 'active' AND as_of <= ?"
            " ORDER BY as_of DESC, id LIMIT 40)) pick JOIN facts f ON f.id = pick.id"
            f" JOIN sources s ON s.id = f.source_id ORDER BY pick.nth > 1, {salience_order(current=True)} LIMIT ?",
            (stakeholder_id, up_to(as_of), limit),
        )
        return await self._hydrate(rows)
