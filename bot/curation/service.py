"""The curation service: the one way moderators change the store, from Discord or the command line.

Every method validates with the same pydantic models packs use, writes through `bot.store.writes`
(one transaction, the change on record with who and before/after), and raises `UserError` naming the
field and the rule when input is bad, so nothing half-valid is ever written.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.briefing.answer import Answer, Section, counted, note
from bot.briefing.queries import build
from bot.briefing.service import Briefing
from bot.claims import same_claim
from bot.curation.models import FactFields, RecordEdit, RecordRequest, RetractRequest
from bot.errors import NotFound, UserError, explain
from bot.models import PARTY_CREDIBILITY, Actor, Author, Event, Fact, Place, Source, SourceKind, Topic, normalise
from bot.packs import PackError, parse_pack
from bot.store import Store
from bot.store.names import Entity
from bot.store.packform import Form, actor_form, event_form, place_form
from bot.store.records import FactRecord, PackChanges, TopicRecord, count_list
from bot.store.writes import apply_pack, writing

T = TypeVar("T", bound=BaseModel)
#: Capped grades listed after an import; the rest are counted (the record of changes has each one).
MAX_CAPPED_SHOWN = 20


def slugify(name: str) -> str:
    """A slug from a name: what a pack author would have typed."""
    return re.sub(r"[^a-z0-9]+", "-", normalise(name)).strip("-")[:56] or "record"


def _validated(model: type[T], **values: Any) -> T:
    try:
        return model(**values)
    except ValidationError as exc:
        raise explain(exc, model) from None


class Curator:
    """Writes to the default topic on behalf of a named author."""

    def __init__(self, store: Store, briefing: Briefing) -> None:
        self.store = store
        self.briefing = briefing

    async def _topic(self) -> tuple[TopicRecord, Topic]:
        record = await self.briefing.topic()
        return record, Topic(slug=record.slug, title=record.title, summary=record.summary, languages=record.languages)

    async def _slug(self, topic: TopicRecord, entity: Entity, text: str | None) -> str | None:
        if not text:
            return None
        entity_id = await self.briefing.resolve(topic, entity, text)
        read: dict[str, Callable[[int], Any]] = {
            "actor": self.store.actor,
            "place": self.store.place,
            "event": self.store.event,
        }
        record = await read[entity](entity_id)
        slug: str = record.slug
        return slug

    async def slug(self, entity: Entity, text: str | None) -> str | None:
        """The slug of the actor, place or event a user named (`NotFound` with suggestions otherwise)."""
        record, _ = await self._topic()
        return await self._slug(record, entity, text)

    async def _fact(self, topic: TopicRecord, key: str, fields: FactFields) -> Fact:
        source = _validated(
            Source,
            title=fields.source_title,
            publisher=fields.source_publisher,
            url=fields.source_url,
            published=fields.source_date,
            kind=SourceKind.BACKGROUND if fields.background else SourceKind.DOCUMENT,
        )
        actors = [await self._slug(topic, "actor", name) for name in fields.actors]
        claimant_actor = await self._slug(topic, "actor", fields.claimant_actor)
        claimant = fields.claimant
        if claimant is None and claimant_actor is not None:
            # A known actor named alone is the claimant, by its canonical name.
            actor = await self.store.actor(await self.briefing.resolve(topic, "actor", claimant_actor))
            claimant = actor.name if actor else claimant_actor
        return _validated(
            Fact,
            key=key,
            statement=fields.statement,
            kind=fields.kind,
            actors=sorted({a for a in actors if a}),
            event=await self._slug(topic, "event", fields.event),
            place=await self._slug(topic, "place", fields.place),
            stakeholder=await self._slug(topic, "actor", fields.stakeholder),
            interest=fields.interest,
            as_of=fields.as_of,
            source=source,
            reliability=fields.reliability,
            credibility=fields.credibility,
            claimant=claimant,
            claimant_actor=claimant_actor,
        )

    async def _refuse_near_duplicate(
        self, reads: Store, topic: TopicRecord, statement: str, fact_id: int | None
    ) -> None:
        """A fact that says what another already says splits its history and its citations: say which.

        It runs inside the write transaction, so two moderators adding the same fact at once cannot both pass.
        """
        candidate = await self._near_duplicate(reads, topic, statement, fact_id)
        if candidate is not None:
            raise UserError(
                f"This is a near-duplicate of fact #{candidate.id}: “{candidate.statement[:200]}”."
                f" Edit that one instead (`/fact edit id:{candidate.id}`)."
            )

    async def _near_duplicate(
        self, reads: Store, topic: TopicRecord, statement: str, fact_id: int | None
    ) -> FactRecord | None:
        for candidate in await reads.search(topic.id, statement, None, 8):
            if candidate.id != fact_id and same_claim(statement, candidate.statement):
                return candidate
        return None

    async def near_duplicate(self, statement: str) -> FactRecord | None:
        """The stored fact that already says this, if any (what `add_fact` would refuse it for)."""
        record, _ = await self._topic()
        return await self._near_duplicate(self.store, record, statement, None)

    async def add_fact(self, fields: FactFields, who: Author, *, reason: str | None = None) -> int:
        """Add a fact; it answers questions as soon as this returns. `reason` goes on record with it."""
        record, topic = await self._topic()
        fact = await self._fact(record, f"f-{secrets.token_hex(5)}", fields)
        async with writing(self.store.db, topic, who) as writer:
            await self._refuse_near_duplicate(writer.reads, record, fact.statement, None)
            return await writer.fact(fact, reason=reason)

    async def existing(self, fact_id: int) -> FactRecord:
        """A stored fact of the default topic, or a `NotFound` naming the id."""
        record, _ = await self._topic()
        fact = await self.store.fact(fact_id)
        if fact is None or fact.topic_id != record.id:
            raise NotFound(f"There is no fact #{fact_id}.")
        return fact

    async def edit_fact(self, fact_id: int, fields: FactFields, who: Author) -> int:
        """Save a new revision of a fact; the old one stays on record."""
        current = await self.existing(fact_id)
        record, topic = await self._topic()
        fact = await self._fact(record, current.key, fields)
        async with writing(self.store.db, topic, who) as writer:
            await self._refuse_near_duplicate(writer.reads, record, fact.statement, fact_id)
            return await writer.fact(fact)

    async def set_status(self, fact_id: int, retract: bool, who: Author, reason: str | None = None) -> None:
        """Retract a fact from every answer and digest (saying why), or bring it back; it stays on record."""
        why = build(RetractRequest, id=fact_id, reason=reason).reason if retract else None
        current = await self.existing(fact_id)
        wanted = "retracted" if retract else "active"
        if current.status == wanted:
            raise UserError(f"Fact #{fact_id} is already {wanted}.")
        _, topic = await self._topic()
        async with writing(self.store.db, topic, who) as writer:
            await writer.set_status(fact_id, wanted, why)

    async def add(self, q: RecordRequest, who: Author) -> tuple[str, str]:
        """Add the actor, place or event a request describes; returns its slug and name."""
        values = await q.changes(self.slug)
        return await self.save(q.entity, values, who), values["name"]

    async def edit(self, q: RecordEdit, who: Author) -> tuple[str, str]:
        """Change the fields a request gives of the record it names; returns its slug and (new) name."""
        current = await self.form(q.entity, q.target)
        values = current | await q.changes(self.slug)
        return await self.save(q.entity, values, who, slug=current["slug"]), values["name"]

    async def save(
        self, entity: Entity, values: Form, who: Author, *, slug: str | None = None, reason: str | None = None
    ) -> str:
        """Add an actor, place or event (no `slug`) or replace one (`slug`), returning its slug; `reason` on record."""
        record, topic = await self._topic()
        models: dict[Entity, type[Actor] | type[Place] | type[Event]] = {"actor": Actor, "place": Place, "event": Event}
        model = models[entity]
        if entity == "event" and "place" in values:
            # A moderator names one place, which replaces the event's places; a pack can list several.
            place = values["place"]
            values = {k: v for k, v in values.items() if k != "place"}
            if place:
                values["places"] = [place]
        if slug is None:
            base = slugify(values["name"])
            slug = base
            for n in range(2, 1000):
                if await self.store.entity_by_slug(record.id, entity, slug) is None:
                    break
                slug = f"{base}-{n}"
            if await self.store.entity_by_name(record.id, entity, values["name"]) is not None:
                raise UserError(f"An {entity} called “{values['name']}” exists already; edit it instead.")
        item = _validated(model, **{**values, "slug": slug})
        async with writing(self.store.db, topic, who) as writer:
            if isinstance(item, Actor):
                await writer.actors([item], reason=reason)
            elif isinstance(item, Place):
                await writer.places([item], reason=reason)
            else:
                await writer.events([item], reason=reason)
        return slug

    async def form(self, entity: Entity, text: str) -> Form:
        """The current pack form of an actor, place or event named by the user, to edit it."""
        record, _ = await self._topic()
        entity_id = await self.briefing.resolve(record, entity, text)
        if entity == "actor":
            return actor_form(await self.store.actor(entity_id))  # type: ignore[arg-type]
        if entity == "place":
            return place_form(await self.store.place(entity_id))  # type: ignore[arg-type]
        return event_form(await self.store.event(entity_id))  # type: ignore[arg-type]

    async def import_pack(self, raw: bytes, who: Author, *, dry_run: bool) -> PackChanges:
        """Validate a whole pack (a `PackError` lists every problem), then apply it in one transaction."""
        return await apply_pack(self.store.db, parse_pack(raw), author=who, dry_run=dry_run)


def capped_note(given: int, stored: FactRecord) -> str | None:
    """What to tell a moderator whose grade the store did not keep: a party's claim is graded 3 at best."""
    if stored.credibility == given:
        return None
    return (
        f"Credibility stored as {stored.credibility} (possibly true), not {given}: the fact is {stored.claimed_by},"
        f" and a party's word alone is never better than {PARTY_CREDIBILITY}."
    )


def import_report(changes: PackChanges, *, dry_run: bool) -> Answer:
    """What an import did, or would do, per kind of record."""
    sections = []
    for title, counts in (("Added", changes.added), ("Changed", changes.changed), ("Unchanged", changes.unchanged)):
        sections.append(Section(title=title, lines=[note(count_list(counts))], inline=True))
    if dry_run:
        verdict = "Dry run: nothing was written. Import again without `dry_run` to apply this."
    elif changes.touched:
        verdict = "Applied in one transaction; every change is on record."
    else:
        verdict = "The store already matches this pack: nothing to write."
    if changes.capped:
        capped = [note(f"• {c}") for c in changes.capped[:MAX_CAPPED_SHOWN]]
        sections.append(Section(title=f"Party claims graded 3: {counted(len(changes.capped), 'fact')}", lines=capped))
    if changes.warnings:
        warned = [note(f"• {w}") for w in changes.warnings]
        sections.append(Section(title=f"Warnings: {counted(len(warned), 'near-duplicate')}", lines=warned))
    return Answer(title="Pack import" + (" (dry run)" if dry_run else ""), lines=[note(verdict)], sections=sections)


def problems_report(error: PackError) -> Answer:
    """Every problem of a rejected pack with its line, so a moderator can fix the file in one go."""
    lines = [note("Nothing was written. Fix these and import again:")]
    lines += [note(f"• {problem}") for problem in error.problems]
    return Answer(title=f"Pack rejected: {counted(len(error.problems), 'problem')}", lines=lines)
