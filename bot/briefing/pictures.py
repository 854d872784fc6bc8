"""The pictures answers carry, as render-neutral specs built from the records those answers show.

- A timeline's chart: the events its filter matches (the ones its pages list, each once), per week, or
  per month over long spans, stacked by region, or by the other actor taking part when an actor is given,
  with the topic's defining event and its milestones marked. Drawn when the span holds two periods.
- An actor's links: the actor at the centre, its allies, members, parents and opponents around it, each
  edge labelled with the relation, each actor coloured (and named in the legend) by its side.
- The last weeks' events (`/brief`, recurring digests) and an event's period (milestone digests), which
  are timelines of a window.

Counts come from `Store.sourced_events`, which applies the rules every list of events follows: active
facts only, dated on or before the day asked, in the answer's topic. Nothing here draws.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from bot.briefing.answer import counted, format_day
from bot.pictures.spec import Chart, Edge, Mark, Node, Series
from bot.store import Store
from bot.store.events import EventWindow
from bot.store.records import ActorRecord, TopicRecord

#: A span longer than this is counted per month, else per week.
WEEKLY_UP_TO = timedelta(weeks=26)
#: Stacks named in a chart; the rest are summed as "Other".
STACKS = 6
#: The weeks a "recent" chart covers (`/brief`, recurring digests), and the events it needs to be worth drawing.
RECENT_WEEKS = 8
RECENT_ENOUGH = 3
#: Links shown around an actor; more are counted in the description.
LINKS = 10
#: Milestones after a topic's defining event, marked where a chart's span reaches them.
MILESTONES = ((1, "1 month on"), (3, "3 months on"), (6, "6 months on"), (12, "1 year on"))
NO_PLACE = "No place recorded"
SEVERAL = "Several regions"
ROLES = {
    ("member-of", True): ("parent", "member of"),
    ("member-of", False): ("member", "member"),
    ("allied-with", True): ("ally", "allied with"),
    ("allied-with", False): ("ally", "allied with"),
    ("cooperates-with", True): ("ally", "cooperates with"),
    ("cooperates-with", False): ("ally", "cooperates with"),
    ("opposes", True): ("opponent", "opposes"),
    ("opposes", False): ("opponent", "opposes"),
    ("engages-with", True): ("other", "engages with"),
    ("engages-with", False): ("other", "engaged by"),
}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def periods(first: date, last: date) -> tuple[str, list[date]]:
    """The unit (week or month) for a span and the first day of each period in it, in order."""
    if last - first <= WEEKLY_UP_TO:
        start, starts = _monday(first), []
        while start <= last:
            starts.append(start)
            start += timedelta(weeks=1)
        return "week", starts
    start, starts = _month(first), []
    while start <= last:
        starts.append(start)
        start = _next_month(start)
    return "month", starts


def _index(unit: str, starts: Sequence[date], day: date) -> int:
    key = _monday(day) if unit == "week" else _month(day)
    return starts.index(key)


def bar_chart(
    dated: Sequence[tuple[date, str]],
    *,
    first: date,
    last: date,
    title: str,
    what: str,
    stacked_by: str,
    marks: Sequence[tuple[date, str]] = (),
    filename: str = "timeline.png",
    compact: bool = False,
) -> Chart | None:
    """Events per period stacked by series, or None when the span holds fewer than two periods or no event.

    `dated` holds one (day, series) per event counted; `what` names them in the description ("in this
    timeline"); `{unit}` in `title` becomes "week" or "month".
    """
    if not dated or last < first:
        return None
    unit, starts = periods(first, last)
    if len(starts) < 2:
        return None
    totals = Counter(name for _, name in dated)
    named = [name for name, _ in totals.most_common() if name != NO_PLACE][:STACKS]
    if len(totals) > len(named) + (NO_PLACE in totals):
        named = named[: STACKS - 1]
    order = [*named, *([NO_PLACE] if NO_PLACE in totals else [])]
    rest = [name for name in totals if name not in order]
    counts = {name: [0] * len(starts) for name in [*order, *(["Other"] if rest else [])]}
    for day, name in dated:
        counts[name if name in counts else "Other"][_index(unit, starts, day)] += 1
    shown_marks = [Mark(period=_index(unit, starts, day), label=label) for day, label in marks if first <= day <= last]
    described_marks = [m.label for m in shown_marks]
    total = len(dated)
    precision = "day" if unit == "week" else "month"
    leader = f"most in {named[0]}" if stacked_by == "region" and named else f"most with {named[0]}" if named else ""
    description = (
        f"Bar chart of the {counted(total, 'event')} {what} per {unit} from {format_day(starts[0], precision)} to"
        f" {format_day(last)}, stacked by {stacked_by}"
        + (f" ({leader})" if leader else "")
        + (f", with {_listing(described_marks)} marked" if described_marks else "")
        + "."
    )
    return Chart(
        kind="bars",
        title=title.replace("{unit}", unit),
        description=description[:1024],
        filename=filename,
        period="week" if unit == "week" else "month",
        periods=starts,
        series=[Series(name=name, counts=c) for name, c in counts.items()],
        marks=shown_marks,
        compact=compact,
    )


def _listing(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class ChartMaker:
    """Builds the chart specs of answers from the store, by the same rules as the answers' text."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def marks(self, topic: TopicRecord, as_of: date | None = None) -> list[tuple[date, str]]:
        """The topic's defining event (the event with the topic's slug) and its milestones, as (day, label).

        Milestones are the round spans after it at which a team takes stock (1, 3 and 6 months, a year,
        then each year), as the milestone digests are posted. Nothing is marked after `as_of`.
        """
        event_id = await self.store.entity_by_slug(topic.id, "event", topic.slug)
        event = await self.store.event(event_id) if event_id is not None else None
        if event is None:
            return []
        found = [(event.date, event.name)]
        found += [(_add_months(event.date, months), label) for months, label in MILESTONES]
        found += [(_add_months(event.date, 12 * years), f"{years} years on") for years in range(2, 11)]
        return [(day, label) for day, label in found if as_of is None or day <= as_of]

    async def timeline(
        self,
        topic: TopicRecord,
        window: EventWindow,
        *,
        actor_id: int | None,
        as_of: date | None = None,
        what: str = "in this timeline",
        title: str = "Events",
        filename: str = "timeline.png",
        compact: bool = False,
        extra_marks: Sequence[tuple[date, str]] = (),
    ) -> Chart | None:
        """The chart of a window's events: by region, or by the other actor taking part when `actor_id` is given."""
        events = await self.store.sourced_events(topic.id, window, as_of)
        if not events:
            return None
        if actor_id is not None:
            partners = await self.store.partners([e for e, _, _ in events], actor_id)
            often = Counter(name for names in partners.values() for name in names)
            alone = "No other actor"
            dated = [
                (day, max(partners[e], key=lambda n: (often[n], n)) if partners.get(e) else alone)
                for e, day, _ in events
            ]
            stacked_by = "the other actor taking part"
        else:
            regions = await self.store.regions(topic.id)
            dated = []
            for _, day, places in events:
                names = list(dict.fromkeys(regions[p] for p in places if p in regions))
                dated.append((day, names[0] if len(names) == 1 else SEVERAL if names else NO_PLACE))
            stacked_by = "region"
        first = window["since"] or events[0][1]
        last = window["until"] or events[-1][1]
        if as_of is not None:
            last = min(last, as_of)
        marks = await self.marks(topic, as_of)
        if extra_marks:  # a milestone digest marks its own milestone, not the usual ones beside it
            marks = [*marks[:1], *extra_marks]
        return bar_chart(
            dated,
            first=first,
            last=last,
            title=title,
            what=what,
            stacked_by=stacked_by,
            marks=marks,
            filename=filename,
            compact=compact,
        )

    async def recent(self, topic: TopicRecord, as_of: date | None, *, filename: str) -> Chart | None:
        """The last weeks' events up to the newest on record (as of `as_of`), when there are enough to chart."""
        newest = await self.store.events(topic.id, until=as_of, newest_first=True, limit=1)
        if not newest:
            return None
        last = newest[0].date
        first = _monday(last) - timedelta(weeks=RECENT_WEEKS - 1)
        window = EventWindow(actor_id=None, place_ids=None, since=first, until=last)
        events = await self.store.sourced_events(topic.id, window, as_of, cap=RECENT_ENOUGH)
        if len(events) < RECENT_ENOUGH:
            return None
        return await self.timeline(
            topic,
            window,
            actor_id=None,
            as_of=as_of,
            what=f"in the {RECENT_WEEKS} weeks to the latest on record",
            title=f"Events per week, {RECENT_WEEKS} weeks to {format_day(last)}",
            filename=filename,
            compact=True,
        )

    async def links(self, actor: ActorRecord) -> Chart | None:
        """The actor's links: it at the centre, the others around it by role, each edge named; None without links."""
        seen: dict[tuple[int, str], tuple[str, str]] = {}
        for link in sorted(actor.affiliations, key=lambda a: not a.outgoing):
            role, label = ROLES.get((link.relation, link.outgoing), ("other", link.relation.replace("-", " ")))
            seen.setdefault((link.other.id, label), (role, label))
        if not seen:
            return None
        ids = list(dict.fromkeys(other for other, _ in seen))
        shown = ids[:LINKS]
        sides = await self.store.sides(shown)
        names = {a.other.id: a.other.name for a in actor.affiliations}
        nodes = [Node(name=actor.name, side=actor.side, role="centre")]
        edges = []
        for other in shown:
            labels = [(role, label) for (o, label), (role, _) in seen.items() if o == other]
            nodes.append(Node(name=names[other], side=sides.get(other, "unknown"), role=labels[0][0]))  # type: ignore[arg-type]
            edges.append(Edge(source=0, target=len(nodes) - 1, label=", ".join(label for _, label in labels)))
        more = len(ids) - len(shown)
        by_role: Counter[str] = Counter(n.role for n in nodes[1:])
        kinds = {"ally": "ally", "member": "member", "parent": "group it belongs to", "opponent": "opponent"}
        parts = [
            counted(by_role[r], word, "groups it belongs to" if r == "parent" else None)
            for r, word in kinds.items()
            if by_role[r]
        ]
        if by_role["other"]:
            parts.append(counted(by_role["other"], "other link"))
        description = (
            f"Diagram of {actor.name}'s links to {counted(len(ids), 'actor')}: {_listing(parts)}"
            + (f", {more} more not drawn" if more else "")
            + ", each actor coloured by its side."
        )
        return Chart(
            kind="links",
            title=f"{actor.name}: links",
            description=description[:1024],
            filename="links.png",
            nodes=nodes,
            edges=edges,
        )
