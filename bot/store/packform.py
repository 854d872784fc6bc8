"""Records in their pack form: the one shape used to compare, to keep on record and to export.

A record read from the store and a record parsed from a pack become the same plain dict here, so
"unchanged" means equal dicts, a change on record is a before/after pair of these dicts, and an export
writes them out again: import, history and export cannot disagree about what a record is.
"""

from __future__ import annotations

from typing import Any

from bot.models import Actor, Event, Fact, Place, Source
from bot.store.records import ActorRecord, EventRecord, FactRecord, PlaceRecord, SourceRecord

Form = dict[str, Any]


def source_form(source: Source | SourceRecord) -> Form:
    """A source without its row id."""
    return {
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published": source.published.isoformat() if source.published else None,
        "kind": str(source.kind),
        "note": source.note,
    }


def fact_form(fact: Fact | FactRecord) -> Form:
    """A fact with its source inline and every reference as a slug."""
    if isinstance(fact, FactRecord):
        actors = [a.slug for a in fact.actors]
        refs = {k: (r.slug if r else None) for k, r in (("event", fact.event), ("place", fact.place))}
        stakeholder = fact.stakeholder.slug if fact.stakeholder else None
        claimant_actor = fact.claimant_actor.slug if fact.claimant_actor else None
    else:
        actors = list(fact.actors)
        refs = {"event": fact.event, "place": fact.place}
        stakeholder = fact.stakeholder
        claimant_actor = fact.claimant_actor
    return {
        "key": fact.key,
        "statement": fact.statement,
        "kind": str(fact.kind),
        "actors": sorted(set(actors)),
        **refs,
        "stakeholder": stakeholder,
        "interest": str(fact.interest) if fact.interest else None,
        "as_of": fact.as_of.isoformat(),
        "source": source_form(fact.source),
        "reliability": fact.reliability,
        "credibility": fact.credibility,
        "salience": str(fact.salience) if fact.salience else None,
        "claimant": fact.claimant,
        "claimant_actor": claimant_actor,
    }


def actor_form(actor: Actor | ActorRecord) -> Form:
    """An actor with its outgoing affiliations, sorted so order in a file does not count as a change."""
    if isinstance(actor, ActorRecord):
        links = [{"actor": a.other.slug, "relation": a.relation} for a in actor.affiliations if a.outgoing]
    else:
        links = [{"actor": a.actor, "relation": str(a.relation)} for a in actor.affiliations]
    return {
        "slug": actor.slug,
        "name": actor.name,
        "aliases": list(actor.aliases),
        "kind": str(actor.kind),
        "side": str(actor.side),
        "description": actor.description,
        "affiliations": sorted(links, key=lambda a: (a["actor"], a["relation"])),
    }


def place_form(place: Place | PlaceRecord) -> Form:
    """A place with its parent as a slug."""
    parent = place.parent.slug if isinstance(place, PlaceRecord) and place.parent else place.parent
    return {
        "slug": place.slug,
        "name": place.name,
        "aliases": list(place.aliases),
        "kind": str(place.kind),
        "parent": parent,
    }


def event_form(event: Event | EventRecord) -> Form:
    """An event with its places, participants and the events it followed, as slugs (a single place too)."""
    if isinstance(event, EventRecord):
        places = [p.slug for p in event.places]
        actors = [{"actor": p.actor.slug, "role": p.role} for p in event.actors]
        follows = [r.slug for r in event.follows]
    else:
        places = list(event.places)
        actors = [{"actor": p.actor, "role": p.role} for p in event.actors]
        follows = list(event.follows)
    return {
        "slug": event.slug,
        "name": event.name,
        "aliases": list(event.aliases),
        "date": event.date.isoformat(),
        "precision": str(event.precision),
        "places": sorted(places),
        "actors": sorted(actors, key=lambda p: p["actor"]),
        "follows": sorted(follows),
        "summary": event.summary,
    }
