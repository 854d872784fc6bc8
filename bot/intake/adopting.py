"""Adopting what reports propose: new names added with one press, events and stakes with their claim.

A report's proposals (`bot.intake.growth`) are kept beside its candidates. A moderator adds a new name with
one press: an actor or a place, with its aliases and parent place, written through the `Curator` like any
`/curate` change and on record with the report it came from; from then on every later report and every
command knows it (`generation` moves on, and the proposer reads the topic's names again). A name turned
down is never offered again for that topic. Approving a candidate adds the event it proposes (or links it
to the event on record it fits) and records its stake, so the timeline, `/event`, `/stakes` and digests
grow from reporting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any

from bot.curation.models import FactFields
from bot.curation.service import Curator
from bot.errors import NotFound, UserError
from bot.intake.growth import LINK_WINDOW, EventProposal, Growth, KnownEvent, StakeModel, grow
from bot.intake.names import NewName
from bot.intake.sentences import Gazetteer, sentence_key, stated_day
from bot.models import Author, DatePrecision, FactKind, normalise
from bot.store import Store
from bot.store.growth import GrowthStore
from bot.store.intake import CandidateRecord
from bot.store.records import TopicRecord

#: Events read to match a report's claims against, around the days the report covers.
EVENTS_READ = 500


class Adoption:
    """Growth proposed, kept, and adopted by moderators' presses."""

    def __init__(
        self,
        store: Store,
        curator_for: Callable[[str], Curator],
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.growth = GrowthStore(store.db)
        self.curator_for = curator_for
        self.clock = clock
        #: Per topic, how many names were added here: a cache of the topic's names older than that is stale.
        self.generation: dict[str, int] = {}

    async def propose(self, topic: TopicRecord, sentences: list[str], gazetteer: Gazetteer, published: date) -> Growth:
        """A report's growth against what the topic has on record, without the names moderators turned down."""
        days = [d for d in (stated_day(s, published, published) for s in sentences) if d] + [published]
        records = await self.store.events(
            topic.id, since=min(days) - LINK_WINDOW, until=max(days) + LINK_WINDOW, limit=EVENTS_READ
        )
        events = [
            KnownEvent(
                e.slug,
                e.name,
                e.date,
                e.precision.value,
                frozenset(p.slug for p in e.places),
                frozenset(a.actor.slug for a in e.actors),
            )
            for e in records
        ]
        stakes = StakeModel.build(
            await self.growth.stakes(topic.id),
            await self.growth.stakeholder_names(topic.id),
            await self.growth.facts_about(topic.id),
        )
        found = grow(sentences, gazetteer, events, stakes, published=published)
        rejected = await self.growth.rejected(topic.id)
        return replace(found, names=[n for n in found.names if normalise(n.name) not in rejected])

    @staticmethod
    def for_sentence(growth: Growth, sentence: str, day: tuple[date, DatePrecision] | None = None) -> dict[str, Any]:
        """What one candidate sentence proposes: the new names it uses, its event, its stake.

        The event goes on `day`, the candidate's own reading of it (with the claimant in view), when it has one.
        """
        names = [asdict(n) for n in growth.names if n.name in sentence or any(a in sentence for a in n.aliases)]
        event = next((e for e in growth.events if same_sentence(e.sentence, sentence)), None)
        if event is not None and day is not None:
            event = growth.event_on(event, *day)
        stake = next((s for s in growth.stakes if same_sentence(s.sentence, sentence)), None)
        proposal: dict[str, Any] = {}
        if names:
            proposal["names"] = names
        if event is not None:
            actors = [list(a) for a in event.actors]
            proposal["event"] = asdict(event) | {"day": event.day.isoformat(), "actors": actors}
        if stake is not None:
            proposal["stake"] = {"stakeholder": stake.stakeholder, "interest": stake.interest.value}
        return proposal

    @staticmethod
    def fields_with(fields: FactFields, proposal: dict[str, Any]) -> FactFields:
        """A candidate's fields with its stake and the event on record it fits, as approving would write them."""
        update: dict[str, Any] = {}
        if stake := proposal.get("stake"):
            update |= {"stakeholder": stake["stakeholder"], "interest": stake["interest"]}
            if fields.kind in (FactKind.ASSESSMENT, FactKind.BACKGROUND):
                update["kind"] = FactKind.STAKE
        event = proposal.get("event")
        if event and event.get("link") and not fields.event:
            update["event"] = event["link"]
        return FactFields.model_validate(fields.model_dump() | update) if update else fields

    async def save(self, topic_id: int, proposals: dict[str, dict[str, Any]]) -> None:
        """Keep the proposals of a report's candidates, by sentence key."""
        await self.growth.save(topic_id, {k: v for k, v in proposals.items() if v})

    async def proposals(self, topic_id: int, statement: str) -> dict[str, Any]:
        """What a candidate proposes beyond its fact (empty when nothing)."""
        return await self.growth.proposals(topic_id, sentence_key(topic_id, statement)) or {}

    async def new_names(self, topic: str, topic_id: int, statement: str) -> list[NewName]:
        """The new names a candidate still offers: neither added since nor turned down."""
        rejected = await self.growth.rejected(topic_id)
        offered = []
        curator = self.curator_for(topic)
        for values in (await self.proposals(topic_id, statement)).get("names", []):
            name = NewName(**{**values, "aliases": tuple(values["aliases"])})
            if normalise(name.name) in rejected or await _known(curator, name):
                continue
            offered.append(name)
        return offered

    async def add_name(
        self, topic: str, name: NewName, who: Author, *, report: str, kind: str | None = None, parent: str | None = None
    ) -> str:
        """Add a new actor or place (its kind and parent as the moderator corrected them); returns its slug."""
        curator = self.curator_for(topic)
        values: dict[str, Any] = {"name": name.name, "aliases": list(name.aliases), "kind": kind or name.kind}
        if name.entity == "place":
            wanted = parent if parent is not None else name.parent
            values["parent"] = await _slug_or_none(curator, "place", wanted)
        else:
            values["description"] = f"First named in {report}."[:1000]
        slug = await curator.save(name.entity, values, who, reason=f"new name from {report}"[:500])
        self.generation[topic] = self.generation.get(topic, 0) + 1
        return slug

    async def press(self, candidate: CandidateRecord, topic: str, index: int, who: Author, *, add: bool) -> str:
        """A moderator's press on a candidate's new name: add it, or never offer it again; says what was done."""
        names = (await self.proposals(candidate.topic_id, candidate.fields["statement"])).get("names", [])
        if not 0 <= index < len(names):
            raise NotFound(f"Candidate #{candidate.id} proposes no such name.")
        values = names[index]
        name = NewName(**{**values, "aliases": tuple(values["aliases"])})
        if name.name not in {n.name for n in await self.new_names(topic, candidate.topic_id, name.sentence)}:
            raise UserError(f"“{name.name}” was added or turned down already.")
        if not add:
            await self.reject_name(candidate.topic_id, name.name, who)
            return f"“{name.name}” will not be offered again."
        source = candidate.item_url or candidate.fields.get("source_url") or f"candidate #{candidate.id}"
        slug = await self.add_name(topic, name, who, report=f"“{candidate.fields['source_title']}” ({source})")
        return f"Added {name.entity} “{name.name}” (`{slug}`)."

    async def reject_name(self, topic_id: int, name: str, who: Author) -> None:
        """Never offer this name again for the topic."""
        await self.growth.reject(topic_id, normalise(name), name, by=who.id, by_name=who.name, at=self.clock())

    async def adopt(self, topic: str, topic_id: int, fields: FactFields, who: Author, *, report: str) -> FactFields:
        """Before an approved candidate is written: add the event it proposes, or link the event it fits."""
        proposal = await self.proposals(topic_id, fields.statement)
        fields = self.fields_with(fields, proposal)
        event = proposal.get("event")
        if not event or fields.event:
            return fields
        curator = self.curator_for(topic)
        if await curator.near_duplicate(fields.statement) is not None:
            return fields  # the fact will be refused as a near-duplicate: add no event for it
        values = await _event_form(curator, event, report)
        slug = await curator.save("event", values, who, reason=f"from {report}"[:500])
        self.generation[topic] = self.generation.get(topic, 0) + 1
        return fields.model_copy(update={"event": slug})


def same_sentence(read: str, candidate: str) -> bool:
    """Whether a candidate is this sentence of the report: the same last words.

    Its opening may have changed so it stands alone ("[The MNDAA] said …" for "He said …"), or lost a dateline.
    """
    if read == candidate:
        return True
    tail = normalise(candidate)[-60:]
    return len(tail) >= 30 and normalise(read).endswith(tail)


async def _slug_or_none(curator: Curator, entity: str, text: str | None) -> str | None:
    """A known record's slug, or None for a name nobody added (an event then goes without it)."""
    try:
        return await curator.slug(entity, text)  # type: ignore[arg-type]
    except (NotFound, UserError):
        return None


async def _known(curator: Curator, name: NewName) -> bool:
    found = await _slug_or_none(curator, name.entity, name.name)
    if found is None:
        return False
    record = await curator.form(name.entity, name.name)
    return normalise(str(record["name"])) == normalise(name.name) or normalise(name.name) in {
        normalise(a) for a in record.get("aliases", [])
    }


async def _event_form(curator: Curator, event: dict[str, Any], report: str) -> dict[str, Any]:
    """The event a proposal describes, with the places and actors that are on record by now."""
    day, actors = date.fromisoformat(event["day"]), tuple(tuple(a) for a in event["actors"])
    proposal = EventProposal(**(event | {"day": day, "actors": actors}))
    parts: list[dict[str, str]] = []
    for actor, role in proposal.actors:
        slug = await _slug_or_none(curator, "actor", actor)
        if slug and slug not in {a["actor"] for a in parts}:
            parts.append({"actor": slug, "role": role})
    name = proposal.name
    if await _slug_or_none(curator, "event", name):
        name = f"{name} ({proposal.day.isoformat()})"
    return {
        "name": name,
        "date": proposal.day,
        "precision": proposal.precision,
        "place": await _slug_or_none(curator, "place", proposal.place),
        "actors": parts,
        "summary": f"{proposal.sentence} (from {report})"[:1000],
    }
