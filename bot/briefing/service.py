"""The briefing logic: turns facts from the store into cited answers.

Discord embeds, the offline console and the scheduled digests all call this one class, which is why an
answer reads the same everywhere. It never touches Discord and never writes SQL; it asks the store for a
bounded number of records and arranges them.

It stays one module past 450 lines because it is that one class: each answer is a few reads arranged with
the same citer, cache, topic and name resolution and the same line helpers, so split by command every
module would import all of those, and the one class is what keeps the answers consistent. Its parts that
stand alone are beside it (`answer`, `queries`, `search`, `pictures`, `cache`); the console's table of
commands is the console's (`bot.console.COMMANDS`).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import __version__
from bot.briefing.answer import (
    Answer,
    Citer,
    Line,
    Section,
    agrees,
    counted,
    format_day,
    grade_meaning,
    moment,
    note,
)
from bot.briefing.cache import AnswerCache, cached
from bot.briefing.pictures import ChartMaker
from bot.briefing.queries import (
    AboutQuery,
    ActorQuery,
    BriefQuery,
    EventQuery,
    FactQuery,
    HistoryQuery,
    SearchQuery,
    StakesQuery,
    TimelineQuery,
    since_date,
)
from bot.briefing.search import search_answer
from bot.errors import NotFound, UserError
from bot.models import PARTY_CREDIBILITY, FactKind, Interest, is_party
from bot.store import Store
from bot.store.events import EventWindow
from bot.store.names import Entity, is_confident
from bot.store.records import Affiliated, EventRecord, FactRecord, TopicRecord

PAGE_SIZE = 8
# How much each answer shows: /brief's bottom line (key judgements), then its sections; an actor's profile.
BOTTOM_LINE = 2
ASSESSMENTS = 3
FIGURES = 4
HAPPENING = 4
LATEST_EVENTS = 5
STAKES = 4
KEY_FACTS = 6
RECENT_EVENTS = 5
EVENT_FACTS = 8
# Relations that read the same from either end: shown once per pair, however they were recorded.
SYMMETRIC = frozenset({"allied-with", "cooperates-with", "opposes"})
#: Answers kept for reuse until the store changes: a few hundred kilobytes.
CACHED_ANSWERS = 256
ENTITY_WORD = {"actor": "actor", "place": "place", "event": "event"}


@dataclass(frozen=True)
class TimelineFilter:
    """A timeline's filters with names resolved to ids, so that a page can be asked for again by value."""

    actor_id: int | None = None
    place_id: int | None = None
    since: date | None = None
    until: date | None = None


def _fact_ref(fact: FactRecord) -> str:
    return f"{fact.statement} (#{fact.id})"


def _event_when(event: EventRecord) -> str:
    return format_day(event.date, event.precision)


def _unsourced(events: list[EventRecord]) -> str:
    names = ", ".join(f"{e.name} ({_event_when(e)})" for e in events[:3]) + (", …" if len(events) > 3 else "")
    return f"{counted(len(events), 'event')} with no sourced fact on record yet: {names}"


def links_once(affiliations: list[Affiliated]) -> list[str]:
    """An actor's links in words, each pair once: a symmetric link recorded at both ends is one link.

    "cooperates with **People's Defense Forces**" and "**People's Defense Forces** cooperates with it" are the
    same link; it is said from this actor's side when it was recorded there.
    """
    shown: dict[tuple[str, int, bool], str] = {}
    for a in sorted(affiliations, key=lambda a: not a.outgoing):
        words = a.relation.replace("-", " ")
        symmetric = a.relation in SYMMETRIC
        key = (a.relation, a.other.id, True if symmetric else a.outgoing)
        if key not in shown:
            shown[key] = f"{words} **{a.other.name}**" if a.outgoing else f"**{a.other.name}** {words} it"
    return list(shown.values())


def _claimant(fact: FactRecord) -> str:
    """Who claims a fact, in full: as the source names them, the known actor that is, and whether a party."""
    known = f" (the actor {fact.claimant_actor.name})" if fact.claimant_actor else ""
    party = f": a party to the fighting, so graded {PARTY_CREDIBILITY} (possibly true) at best"
    return f"{fact.claimant}{known}{party if is_party(fact.claimant_side) else ''}"


class Briefing:
    """Answers questions about one topic (dossier) from the store; `bot.services` keeps one per topic."""

    def __init__(
        self,
        store: Store,
        topic: str,
        stakeholder: str,
        *,
        cache_size: int = CACHED_ANSWERS,
        version: Callable[[], Hashable | Awaitable[Hashable]] | None = None,
        pictures: bool = True,
    ) -> None:
        """`version` changes whenever what this topic's answers depend on may have changed (default: any write)."""
        self.store = store
        self.topic_slug = topic
        self.stakeholder = stakeholder
        self.answers = AnswerCache(version or store.db.version, cache_size)
        # Chart specs for answers (`bot.briefing.pictures`); None when pictures are turned off.
        self.charts = ChartMaker(store) if pictures else None

    async def topic(self) -> TopicRecord:
        """The topic of this briefing; a clear error when its pack was never loaded."""
        found = await self.store.topic(self.topic_slug)
        if found is None:
            raise UserError(f"The topic `{self.topic_slug}` is not loaded yet: run `briefbot load PACK`.")
        return found

    # Names --------------------------------------------------------------------------------------------

    async def suggest(self, entity: Entity, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete choices as (label, value): the value is the slug, which resolves exactly."""
        topic = await self.store.topic(self.topic_slug)
        if topic is None:
            return []
        found = await self.store.find_names(topic.id, entity, text, limit)
        choices = []
        for match in found:
            label = match.name if match.matched == match.name else f"{match.name} ({match.matched})"
            choices.append((label[:100], match.slug[:100]))
        return choices

    async def resolve(self, topic: TopicRecord, entity: Entity, text: str) -> int:
        """The one actor, place or event a user meant, or a `NotFound` that offers the closest names."""
        word = ENTITY_WORD[entity]
        exact = await self.store.entity_by_slug(topic.id, entity, text.strip())
        exact = exact or await self.store.entity_by_name(topic.id, entity, text)
        if exact is not None:
            return exact
        found = await self.store.find_names(topic.id, entity, text, 5)
        clear_lead = len(found) == 1 or (found and found[0].score - found[1].score >= 4)
        if found and clear_lead and is_confident(text, found[0]):
            return found[0].entity_id
        # A whole word of a name ("coup" of "2021 coup") is enough when only one record has it.
        by_word = await self.store.named_by_words(topic.id, entity, text)
        if len(by_word) == 1:
            return by_word[0]
        raise NotFound(f"No {word} is called “{text}”.", names=[m.name for m in found[:5]])

    # Answers ------------------------------------------------------------------------------------------

    @cached
    async def brief(self, q: BriefQuery) -> Answer:
        """The situation in one answer, the bottom line first, every line cited, each claim once."""
        topic = await self.topic()
        cite = Citer()
        judged = await self.store.facts_of_kind(topic.id, [FactKind.ASSESSMENT], q.as_of, BOTTOM_LINE + ASSESSMENTS)
        bottom = cite.fresh(judged)[:BOTTOM_LINE]
        lines = [cite.line(("**Bottom line:** " if i == 0 else "") + f.statement, f) for i, f in enumerate(bottom)]
        figures = cite.fresh(await self.store.facts_of_kind(topic.id, [FactKind.FIGURE], q.as_of, FIGURES + 1))
        figure_lines = [cite.fact_line(f) for f in figures[:FIGURES]]
        assessment_lines = [cite.fact_line(f) for f in cite.fresh(judged)[:ASSESSMENTS]]
        happening = cite.fresh(await self.store.facts_of_kind(topic.id, [FactKind.EVENT], q.as_of, HAPPENING + 2))
        happening_lines = [cite.fact_line(f) for f in happening[:HAPPENING]]
        events = await self.store.events(topic.id, until=q.as_of, newest_first=True, limit=LATEST_EVENTS + 2)
        event_lines = await self.event_lines(events, cite, q.as_of, skip_said=True, limit=LATEST_EVENTS)
        sections = [
            Section(title="Key figures", lines=figure_lines),
            Section(title="Assessments", lines=assessment_lines),
            Section(title="What is happening", lines=happening_lines),
            Section(title="Latest events", lines=event_lines),
        ]
        stakes = await self.headline_stakes(topic, self.stakeholder, q.as_of, STAKES + 2)
        if stakes:
            name, facts = stakes
            shown = [
                cite.line(f"{(f.interest or '').capitalize()}: {f.statement}", f) for f in cite.fresh(facts)[:STAKES]
            ]
            sections.append(Section(title=f"Stakes for {name}", lines=shown))
        if not any(s.lines for s in sections) and not lines:
            lines = [note("Nothing is on record for this date yet.")]
        return cite.answer(
            f"{topic.title}{since_date(q.as_of)}",
            lines,
            sections,
            footer="Ask /search, /actor, /event or /stakes for more.",
            chart=self.charts and await self.charts.recent(topic, q.as_of, filename="brief.png"),
        )

    async def event_lines(
        self,
        events: list[EventRecord],
        cite: Citer,
        as_of: date | None,
        *,
        skip_said: bool = False,
        unsourced: list[EventRecord] | None = None,
        limit: int | None = None,
    ) -> list[Line]:
        """One cited line per event; public because the scheduled digests list events the same way.

        An event with no active fact about it (as of the day asked) has nothing to cite, so it is left out and,
        when `unsourced` is given, added to it for the caller to say so. With `skip_said`, an event whose facts
        this answer already states is left out too: its line would say the same thing again. At most `limit`
        lines are made (events after them are not cited, so later sections may still say what they say).
        """
        facts = await self.store.facts_about_events([e.id for e in events], as_of, 2)
        lines: list[Line] = []
        for event in events:
            if limit is not None and len(lines) >= limit:
                break
            backing = facts.get(event.id, [])
            if not backing:
                if unsourced is not None:
                    unsourced.append(event)
                continue
            if skip_said and all(cite.shown(f) for f in backing):
                continue
            where = ", " + ", ".join(p.name for p in event.places) if event.places else ""
            lines.append(cite.line(f"{_event_when(event)}: **{event.name}**{where}", *backing, stated=False))
        return lines

    async def headline_stakes(
        self, topic: TopicRecord, who: str, as_of: date | None, limit: int
    ) -> tuple[str, list[FactRecord]] | None:
        """The stake that matters most of each interest first, so a short list shows the breadth of what is at stake."""
        try:
            actor_id = await self.resolve(topic, "actor", who)
        except NotFound:
            return None
        actor = await self.store.actor(actor_id)
        return (actor.name if actor else who), await self.store.headline_stakes(actor_id, as_of, limit)

    async def actor(self, q: ActorQuery) -> Answer:
        """A profile of one actor, with its links, key facts and recent events."""
        return await self.actor_profile(await self.resolve(await self.topic(), "actor", q.name), q.as_of)

    @cached
    async def actor_profile(self, actor_id: int, as_of: date | None) -> Answer:
        """The profile by id: cached once whether it was asked for by slug, name, alias or a typo of one.

        It opens with the background fact on record that matters most about the actor (cited, where the
        record's own description would not be), then its key facts by salience.
        """
        topic = await self.topic()
        actor = await self.store.actor(actor_id)
        if actor is None:
            raise NotFound("That actor is no longer on record.")
        cite = Citer()
        intro = await self.store.facts_about_actor(actor.id, as_of, 1, kinds=[FactKind.BACKGROUND])
        lines = [cite.fact_line(f) for f in intro]
        if actor.aliases:
            lines.append(note("Also known as: " + ", ".join(actor.aliases)))
        facts = cite.fresh(await self.store.facts_about_actor(actor.id, as_of, KEY_FACTS + 2))[:KEY_FACTS]
        key_facts = [cite.fact_line(f) for f in facts]
        events = await self.store.events(
            topic.id, actor_id=actor.id, until=as_of, newest_first=True, limit=RECENT_EVENTS + 2
        )
        recent = await self.event_lines(events, cite, as_of, skip_said=True, limit=RECENT_EVENTS)
        sections = [
            Section(title="Kind", lines=[note(actor.kind.replace("-", " "))], inline=True),
            Section(title="Side", lines=[note(actor.side)], inline=True),
            Section(title="Links", lines=[note(t) for t in links_once(actor.affiliations)]),
            Section(title="Key facts", lines=key_facts),
            Section(title="Recent events", lines=recent),
        ]
        chart = self.charts and await self.charts.links(actor)
        return cite.answer(f"{actor.name}{since_date(as_of)}", lines, sections, chart=chart)

    async def event(self, q: EventQuery) -> Answer:
        """An event: when (to its precision) and where, who took part, what it followed and what followed."""
        return await self.event_profile(await self.resolve(await self.topic(), "event", q.name))

    @cached
    async def event_profile(self, event_id: int) -> Answer:
        """The event by id: one cached answer however it was named."""
        event = await self.store.event(event_id)
        if event is None:
            raise NotFound("That event is no longer on record.")
        cite = Citer()
        facts = cite.fresh(await self.store.facts_about_event(event.id, None, EVENT_FACTS))
        when = f"**When:** {_event_when(event)}"
        if event.precision != "day":
            when += f" (known to the {event.precision})"
        lines = [note(when)]
        if event.places:
            parents = await self.store.place_parents([p.id for p in event.places])
            where = "; ".join(p.name + (f", {parents[p.id].name}" if p.id in parents else "") for p in event.places)
            lines.append(note(f"**Where:** {where}"))
        who = [note(f"**{p.actor.name}**: {p.role}") for p in event.actors]
        happened = [cite.fact_line(f) for f in facts]
        later = await self.event_lines(await self.store.events_by_id([r.id for r in event.followed_by]), cite, None)
        earlier = await self.event_lines(await self.store.events_by_id([r.id for r in event.follows]), cite, None)
        if not happened:
            lines.append(note("No fact about this event is on record yet."))
        sections = [
            Section(title="Who", lines=who),
            Section(title="What happened", lines=happened),
            Section(title="What followed", lines=later),
            Section(title="Followed from", lines=earlier),
        ]
        return cite.answer(event.name, lines, sections)

    async def timeline(self, q: TimelineQuery, page: int = 1) -> Answer:
        """One page of events in date order, for the filters as typed."""
        return await self.timeline_page(await self.timeline_filter(q), page)

    async def timeline_filter(self, q: TimelineQuery) -> TimelineFilter:
        """The filters with their names resolved: small enough for a button to carry to the next page."""
        topic = await self.topic()
        actor_id = await self.resolve(topic, "actor", q.actor) if q.actor else None
        place_id = await self.resolve(topic, "place", q.region) if q.region else None
        return TimelineFilter(actor_id, place_id, q.since, q.until)

    @cached
    async def timeline_page(self, f: TimelineFilter, page: int = 1) -> Answer:
        """One page of events in date order; the caller pages by asking again with another `page`."""
        topic = await self.topic()
        place_ids = None
        filters = []
        if f.actor_id is not None:
            actor = await self.store.actor(f.actor_id)
            if actor is None:
                raise NotFound("That actor is no longer on record; run /timeline again.")
            filters.append(f"with {actor.name}")
        if f.place_id is not None:
            place = await self.store.place(f.place_id)
            if place is None:
                raise NotFound("That place is no longer on record; run /timeline again.")
            place_ids = await self.store.place_and_within(f.place_id)
            filters.append(f"in {place.name}")
        if f.since:
            filters.append(f"from {format_day(f.since)}")
        if f.until:
            filters.append(f"to {format_day(f.until)}")
        window = EventWindow(actor_id=f.actor_id, place_ids=place_ids, since=f.since, until=f.until)
        total = await self.store.count_events(topic.id, **window)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(page, 1), pages)
        events = await self.store.events(topic.id, **window, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        cite = Citer()
        unsourced: list[EventRecord] = []
        lines = await self.event_lines(events, cite, None, unsourced=unsourced)
        if unsourced:
            lines.append(note(f"Not shown: {_unsourced(unsourced)}."))
        if not events:
            lines = [note("No events match these filters. Try a wider date range or another name.")]
        title = "Timeline" + (" " + " ".join(filters) if filters else "")
        chart = self.charts and await self.charts.timeline(
            topic, window, actor_id=f.actor_id, title="Events per {unit}" + (" " + " ".join(filters) if filters else "")
        )
        return cite.answer(title, lines, page=page, pages=pages, chart=chart)

    async def stakes(self, q: StakesQuery) -> Answer:
        """A stakeholder's stakes grouped by interest, each linked to its fact and event."""
        who = q.stakeholder or self.stakeholder
        return await self.stakes_of(await self.resolve(await self.topic(), "actor", who), q.as_of)

    @cached
    async def stakes_of(self, actor_id: int, as_of: date | None) -> Answer:
        """The stakes by the stakeholder's id: one cached answer however the stakeholder was named."""
        actor = await self.store.actor(actor_id)
        if actor is None:
            raise NotFound("That actor is no longer on record.")
        cite = Citer()
        facts = cite.fresh(await self.store.stakes(actor.id, as_of, 40))
        by_interest: dict[str, list[Line]] = {}
        for fact in facts:
            behind = f" · event: {fact.event.name}" if fact.event else ""
            line = cite.line(f"{_fact_ref(fact)}{behind}", fact)
            by_interest.setdefault(fact.interest or "other", []).append(line)
        order = [i.value for i in Interest]
        sections = [
            Section(title=interest.capitalize(), lines=lines)
            for interest, lines in sorted(by_interest.items(), key=lambda kv: order.index(kv[0]))
        ]
        lines = [] if facts else [note(f"No stakes are on record for {actor.name}.")]
        return cite.answer(
            f"What {actor.name} {agrees(actor.name, 'stands', 'stand')} to gain or lose{since_date(as_of)}",
            lines,
            sections,
            footer="Use /fact show id:<number> to see any fact in full.",
        )

    @cached
    async def search(self, q: SearchQuery) -> Answer:
        """The facts that best answer a question, ranked, each claim once."""
        topic = await self.topic()
        return search_answer(q.query, await self.store.ranked_search(topic.id, q.query, None, 8))

    @cached
    async def fact(self, q: FactQuery) -> Answer:
        """One fact in full: what it says, what it is about, its grading and source (its note whole)."""
        fact = await self.store.fact(q.id)
        if fact is None:
            raise NotFound(f"There is no fact #{q.id}.")
        topic = await self.topic()
        if fact.topic_id != topic.id:
            raise NotFound(await self.elsewhere(fact))
        cite = Citer(full_notes=True)
        about = [a.name for a in fact.actors] + [r.name for r in (fact.event, fact.place) if r]
        lines = [cite.fact_line(fact)]
        if fact.status != "active":
            lines.insert(0, note("**This fact has been retracted** and appears in no answer."))
        sections = [
            Section(title="Kind", lines=[note(fact.kind)], inline=True),
            Section(title="As of", lines=[note(format_day(fact.as_of))], inline=True),
            Section(title="Grade", lines=[note(grade_meaning(fact.reliability, fact.credibility))]),
            Section(title="Marked", lines=[note(fact.salience)] if fact.salience else [], inline=True),
            Section(title="Claimant", lines=[note(_claimant(fact))] if fact.claimant else []),
            Section(title="About", lines=[note(", ".join(about))] if about else []),
            Section(
                title="Stake",
                lines=[note(f"{fact.stakeholder.name}: {fact.interest}")] if fact.stakeholder else [],
            ),
            Section(
                title="Recorded",
                lines=[note(f"added {moment(fact.created_at)}, last changed {moment(fact.updated_at)}")],
            ),
        ]
        return cite.answer(f"Fact #{fact.id}", lines, sections)

    async def elsewhere(self, fact: FactRecord) -> str:
        """What to say about a fact asked for in the wrong dossier: which one holds it, and how to ask there."""
        other = await self.store.topic_by_id(fact.topic_id)
        where = f"**{other.title}** (`{other.slug}`)" if other else "another topic"
        slug = other.slug if other else "…"
        return f"Fact #{fact.id} is not in {self.topic_slug}: it belongs to {where}. Ask with `topic:{slug}`."

    @cached
    async def history(self, q: HistoryQuery) -> Answer:
        """Every revision of a fact: who made it, when, and what changed."""
        fact = await self.store.fact(q.id)
        if fact is None:
            raise NotFound(f"There is no fact #{q.id}.")
        sections = []
        for number, change in enumerate(await self.store.changes("fact", q.id), start=1):
            lines = [note(moment(change.at))]
            if change.reason:
                lines.append(note(f"Reason: {change.reason}"))
            lines.extend(note(text) for text in _differences(change.before, change.after))
            title = f"{number}. {change.action} by {change.user_name}"
            sections.append(Section(title=title, lines=lines))
        state = "retracted" if fact.status != "active" else "active"
        return Answer(
            title=f"History of fact #{fact.id}",
            lines=[note(fact.statement), note(f"Now {state}; {counted(len(sections), 'change')} on record.")],
            sections=sections,
        )

    async def about(self, q: AboutQuery, latency: float | None = None, *, only: str | None = None) -> Answer:
        """Version, what the store holds (every topic, or `only` the one with this slug), the gateway's latency."""
        lines = [note(f"briefbot {__version__}")]
        for topic in await self.store.topics():
            if only is not None and topic.slug != only:
                continue
            counts = await self.store.counts(topic.id)
            changed = await self.store.last_change(topic.id)
            text = (
                f"**{topic.title}** (`{topic.slug}`): {counts.get('facts_active', 0)} facts"
                f" ({counts.get('facts_retracted', 0)} retracted), {counts.get('actors', 0)} actors,"
                f" {counts.get('places', 0)} places, {counts.get('events', 0)} events"
            )
            lines.append(note(text + (f"; last change {moment(changed)}" if changed else "")))
        if len(lines) == 1:
            lines.append(note("The store is empty: load a pack with `briefbot load PACK`."))
        shown = "offline (console)" if latency is None or math.isnan(latency) else f"{latency * 1000:.0f} ms"
        return Answer(
            title="About briefbot",
            lines=lines,
            sections=[Section(title="Gateway latency", lines=[note(shown)])],
        )


def _differences(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """What a change did, field by field, in words a moderator reads at a glance."""
    if before is None:
        return ["Added."]
    shown = []
    for name in after:
        old, new = before.get(name), after.get(name)
        if old != new and name != "key":
            shown.append(f"`{name}`: {_shown(old)} → {_shown(new)}")
    return shown or ["No field changed."]


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k} {_shown(v)}" for k, v in value.items() if v)
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return f"“{value}”" if isinstance(value, str) else str(value)
