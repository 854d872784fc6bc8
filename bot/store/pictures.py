"""Reads for pictures: which events a chart counts, where they were and who else took part.

A chart counts exactly the events its answer would list: those a timeline filter matches that have an
active fact on record as of the day asked (an event with none is left out of every list). The window
is the one a timeline page and its count share (`bot.store.events._event_filter`), so the chart and the
text can never disagree about which events match.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.store.events import Events, EventWindow, _event_filter
from bot.store.reads import marks, up_to

#: At most this many events are counted in one chart (a whole topic at a million facts has 40,000).
COUNTED = 20_000
#: Places read to find each place's region: every place of a topic in any realistic pack.
PLACES = 5_000
REGION_KINDS = ("state", "region")


class Pictures(Events):
    """Reads behind the charts in `bot.briefing.pictures`."""

    async def sourced_events(
        self, topic_id: int, window: EventWindow, as_of: date | None, cap: int = COUNTED
    ) -> list[tuple[int, date, list[int]]]:
        """(event id, date, place ids) of each event the window matches with an active fact as of `as_of`, by date."""
        source, event_id, dated, where, params = _event_filter(topic_id, **window)
        rows = await self.rows(
            f"SELECT w.id, w.dated, pl.place_id FROM (SELECT DISTINCT {event_id} AS id, {dated} AS dated"
            f" FROM {source} WHERE {where} AND EXISTS (SELECT 1 FROM facts f WHERE f.event_id = {event_id}"
            " AND f.status = 'active' AND f.as_of <= ?) LIMIT ?) w"
            " LEFT JOIN event_places pl ON pl.event_id = w.id ORDER BY w.dated, w.id, pl.rowid",
            (*params, up_to(as_of), cap),
        )
        found: dict[int, tuple[int, date, list[int]]] = {}
        for event, day, place in rows:
            entry = found.setdefault(event, (event, date.fromisoformat(day), []))
            if place is not None:
                entry[2].append(place)
        return list(found.values())

    async def regions(self, topic_id: int) -> dict[int, str]:
        """Each place's region: the nearest state or region it is, or lies within; else the place itself."""
        rows = await self.rows(
            "SELECT id, name, kind, parent_id FROM places WHERE topic_id = ? LIMIT ?", (topic_id, PLACES)
        )
        places = {r[0]: (r[1], r[2], r[3]) for r in rows}
        regions: dict[int, str] = {}
        for place_id, (name, _, _) in places.items():
            at, depth = place_id, 0
            while at is not None and at in places and depth < 8:
                if places[at][1] in REGION_KINDS:
                    name = places[at][0]
                    break
                at, depth = places[at][2], depth + 1
            regions[place_id] = name
        return regions

    async def partners(self, event_ids: Sequence[int], actor_id: int) -> dict[int, list[str]]:
        """The other actors in each event (names, by name), for a chart of one actor's events."""
        found: dict[int, list[str]] = {}
        for start in range(0, len(event_ids), 900):
            chunk = event_ids[start : start + 900]
            for event, name in await self.rows(
                "SELECT ea.event_id, a.name FROM event_actors ea JOIN actors a ON a.id = ea.actor_id"
                f" WHERE ea.event_id IN ({marks(chunk)}) AND ea.actor_id != ? ORDER BY ea.event_id, a.name",
                (*chunk, actor_id),
            ):
                found.setdefault(event, []).append(name)
        return found

    async def sides(self, actor_ids: Sequence[int]) -> dict[int, str]:
        """Each actor's side, for colouring a picture of links."""
        if not actor_ids:
            return {}
        rows = await self.rows(f"SELECT id, side FROM actors WHERE id IN ({marks(actor_ids)})", list(actor_ids))
        return {r[0]: r[1] for r in rows}
