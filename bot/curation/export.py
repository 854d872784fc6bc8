"""A topic as a pack: the YAML a moderator can review, edit and import back to the same store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import yaml

from bot.errors import NotFound
from bot.packs import PACK_FORMAT
from bot.store import Store
from bot.store.packform import actor_form, event_form, fact_form, place_form
from bot.store.store import page_ids

PAGE = 500


async def _records(
    store: Store, table: str, topic_id: int, read: Callable[[int], Awaitable[Any]]
) -> AsyncIterator[Any]:
    after = 0
    while ids := await page_ids(store, table, topic_id, after, PAGE):
        for record_id in ids:
            yield await read(record_id)
        after = ids[-1]


def _without_defaults(form: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values, as a person writing a pack would; they load back as the same defaults."""
    return {k: v for k, v in form.items() if v not in (None, "", [])}


async def export_pack(store: Store, topic_slug: str) -> str:
    """The whole topic as pack YAML; importing it into an empty store rebuilds exactly this topic."""
    topic = await store.topic(topic_slug)
    if topic is None:
        raise NotFound(f"There is no topic `{topic_slug}`.")
    doc: dict[str, Any] = {
        "format": PACK_FORMAT,
        "topic": _without_defaults(
            {
                "slug": topic.slug,
                "title": topic.title,
                "summary": topic.summary,
                # English alone is the default, left out as a person writing the pack would.
                "languages": [] if topic.languages == ["en"] else topic.languages,
            }
        ),
    }
    actors = [_without_defaults(actor_form(a)) async for a in _records(store, "actors", topic.id, store.actor)]
    places = [_without_defaults(place_form(p)) async for p in _records(store, "places", topic.id, store.place)]
    events = [_without_defaults(event_form(e)) async for e in _records(store, "events", topic.id, store.event)]
    sources: dict[str, dict[str, Any]] = {}
    keys: dict[tuple[Any, ...], str] = {}
    facts = []
    async for record in _records(store, "facts", topic.id, store.fact):
        form = fact_form(record)
        source = _without_defaults(form.pop("source"))
        identity = tuple(sorted(source.items()))
        key = keys.setdefault(identity, f"source-{len(keys) + 1}")
        sources[key] = source
        form["source"] = key
        if record.status == "retracted":
            form["retracted"] = await store.retraction_reason(record.id) or "retracted"
        facts.append(_without_defaults(form))
    doc |= {"sources": sources, "actors": actors, "places": places, "events": events, "facts": facts}
    if related := await store.related_terms(topic.id):
        doc["related"] = related
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)
