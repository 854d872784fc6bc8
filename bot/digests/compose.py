"""What a digest says, built by the same briefing code as the slash commands.

A recurring digest reports what changed since the previous one, read from the change log (new facts,
corrections, retractions, new events), then the standing picture: key figures and the headline stakes
for the default stakeholder. A milestone digest summarises an event up to a day, in the manner of a
CrisisWatch entry: a bold summary line, whether things deteriorated, improved or stayed the same, then
short themed paragraphs. Every statement comes from a fact and cites it; nothing dated after the
milestone is used, so a digest posted late, or previewed years later, reads as it would have on the day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.briefing.answer import Answer, Citer, Line, Section, format_day, moment
from bot.briefing.service import Briefing
from bot.digests.schedules import After, Schedule
from bot.errors import NotFound
from bot.models import FactKind
from bot.store import Store
from bot.store.digests import ChangedEntity, DigestStore
from bot.store.records import EventRecord, FactRecord, Ref, TopicRecord

# How many change-log entries one digest reads, and how many lines each kind of change may take.
CHANGES_READ = 500
PER_SECTION = 10
FIGURES = 5
STAKES = 4
MILESTONE_FACTS = 6
MILESTONE_EVENTS = 8
WHO = 6
WATCH = 7
# Assessments read for the trend: every one up to the milestone in any pack of a realistic size.
TREND_SCAN = 50
# The words by which an assessment says which way things went; improvement is tested first because
# "de-escalation" contains "escalation".
TRENDS = (
    ("improved", re.compile(r"\b(improv\w*|de-?escalat\w*|eas(ed|ing)|calm\w*)\b", re.IGNORECASE)),
    ("deteriorated", re.compile(r"\b(deteriorat\w*|worsen\w*|escalat\w*|intensif\w*)\b", re.IGNORECASE)),
    ("unchanged", re.compile(r"\b(unchanged|no change|stalemate|status quo)\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Window:
    """The stretch of the change log a recurring digest reports, and when the previous digest was."""

    after_change_id: int
    through_change_id: int
    since: datetime
    since_previous: bool


def _ref(fact: FactRecord) -> str:
    return f"{fact.statement} (#{fact.id})"


class DigestComposer:
    """Builds digests as `Answer`s from the store, for any topic."""

    def __init__(self, store: Store, digests: DigestStore, briefing_for: Callable[[str], Briefing]) -> None:
        self.store = store
        self.digests = digests
        # The briefing service of a topic, the one the commands use: digests reuse its lines and its cache.
        self.briefing = briefing_for

    # Recurring --------------------------------------------------------------------------------------

    async def recurring(
        self,
        topic_slug: str,
        schedule: Schedule,
        window: Window,
        *,
        quiet: bool,
        day: date,
        footer: str,
        as_of: date | None = None,
    ) -> Answer | None:
        """What changed in the window, then the standing picture; None when quiet and nothing changed."""
        briefing = self.briefing(topic_slug)
        topic = await briefing.topic()
        cite = Citer()
        changed = await self.digests.changed(topic.id, window.after_change_id, window.through_change_id, CHANGES_READ)
        sections = await self._changes(briefing, changed, cite, more=len(changed) == CHANGES_READ)
        since = "since the previous digest" if window.since_previous else "since this digest was set up"
        title = f"{schedule.title} · {topic.title} · {format_day(day)}"
        if not sections:
            if quiet:
                return None
            line = Line(text=f"Nothing has changed {since} ({moment(window.since)}).")
            return Answer(title=title, lines=[line], footer=footer)
        sections += await self._standing(briefing, topic, cite, as_of)
        return Answer(
            title=title,
            lines=[Line(text=f"What changed {since} ({moment(window.since)}), then where things stand.")],
            sections=sections,
            citations=cite.citations(),
            footer=footer,
        )

    async def _changes(
        self, briefing: Briefing, changed: list[ChangedEntity], cite: Citer, *, more: bool
    ) -> list[Section]:
        """Sort the net changes into sections, fetching only the records that will be shown."""
        kinds: dict[str, list[ChangedEntity]] = {"new": [], "corrected": [], "retracted": [], "events": []}
        for item in changed:
            retracted = item.last_action == "retract"
            if item.entity == "event":
                if item.added:
                    kinds["events"].append(item)
            elif item.added:
                if not retracted:
                    kinds["new"].append(item)
            elif retracted:
                kinds["retracted"].append(item)
            elif item.restored or item.last_action == "edit":
                kinds["corrected"].append(item)
        sections = []
        for key, title in (
            ("new", "New facts"),
            ("corrected", "Corrections"),
            ("retracted", "Retractions"),
            ("events", "New events"),
        ):
            items = kinds[key]
            if not items:
                continue
            shown = items[:PER_SECTION]
            if key == "events":
                events = [e for e in [await self.store.event(i.entity_id) for i in shown] if e]
                lines = await briefing.event_lines(events, cite, None)
            else:
                lines = [line for i in shown if (line := await self._change_line(key, i, cite))]
            hidden = len(items) - len(shown)
            if hidden or (more and len(items) == len(shown) == PER_SECTION):
                count = f"{hidden} more" if hidden else "More"
                lines.append(Line(text=f"… {count} in this digest's period: see /search or /timeline."))
            sections.append(Section(title=title, lines=lines))
        return sections

    async def _change_line(self, kind: str, item: ChangedEntity, cite: Citer) -> Line | None:
        fact = await self.store.fact(item.entity_id)
        if fact is None:
            return None
        if kind == "new":
            return cite.line(_ref(fact), fact)
        if kind == "retracted":
            why = f": {item.reason}" if item.reason else ""
            return cite.line(f"~~{fact.statement}~~ (#{fact.id}) was retracted{why}", fact)
        if item.restored:
            return cite.line(f"Restored: {_ref(fact)}", fact)
        was = (item.before or {}).get("statement")
        earlier = f", corrected from “{was}”" if was and was != fact.statement else ""
        return cite.line(f"{_ref(fact)}{earlier}", fact)

    async def _standing(self, briefing: Briefing, topic: TopicRecord, cite: Citer, as_of: date | None) -> list[Section]:
        figures = await self.store.facts_of_kind(topic.id, [FactKind.FIGURE], as_of, FIGURES)
        sections = [
            Section(title="Key figures", lines=[cite.fact_line(f) for f in figures]),
            await self._stakes(briefing, topic, cite, as_of),
        ]
        return [s for s in sections if s and s.lines]

    async def _stakes(self, briefing: Briefing, topic: TopicRecord, cite: Citer, as_of: date | None) -> Section | None:
        """The default stakeholder's headline stakes, as `/brief` shows them."""
        stakes = await briefing.headline_stakes(topic, briefing.stakeholder, as_of, STAKES)
        if not stakes:
            return None
        name, facts = stakes
        lines = [cite.line(f"{(f.interest or '').capitalize()}: {f.statement}", f) for f in facts]
        return Section(title=f"Stakes for {name}", lines=lines)

    # Milestone --------------------------------------------------------------------------------------

    async def milestone(
        self, topic_slug: str, event_id: int, after: After, *, footer: str, as_of: date | None = None
    ) -> Answer:
        """An event from its start to the milestone (or to `as_of`, if earlier), CrisisWatch-style."""
        briefing = self.briefing(topic_slug)
        topic = await briefing.topic()
        event = await self.store.event(event_id)
        if event is None:
            raise NotFound(f"Event #{event_id} is no longer in the store.")
        milestone = after.from_day(event.date)
        until = min(milestone, as_of) if as_of else milestone
        cite = Citer()
        assessments = await self.store.facts_of_kind(topic.id, [FactKind.ASSESSMENT], until, TREND_SCAN)
        headline = assessments[0] if assessments else None
        trend, basis = _trend(assessments)
        started = format_day(event.date, event.precision)
        if headline:
            lines = [cite.line(f"**{headline.statement}**", headline)]
        else:
            lines = [Line(text=f"**{event.name} ({started}): {after.text} on.**")]
        lines.append(
            Line(text=f"From {started} to {format_day(until)}: only facts and events dated on or before then.")
        )
        if basis:
            said = "" if basis is headline else f" {basis.statement}"
            lines.append(cite.line(f"**Trend: {trend}.**{said}", basis))
        else:
            lines.append(
                Line(
                    text="**Trend: not assessed.** No assessment on record says whether the situation deteriorated,"
                    " improved or stayed the same."
                )
            )
        used = {f.id for f in (headline, basis) if f}
        happened = [f for f in await self.store.facts_about_event(event.id, until, MILESTONE_FACTS) if f.id not in used]
        used.update(f.id for f in happened)
        later = [
            e
            for e in await self.store.events(topic.id, since=event.date, until=until, limit=MILESTONE_EVENTS + 1)
            if e.id != event.id
        ][:MILESTONE_EVENTS]
        figures = await self.store.facts_of_kind(topic.id, [FactKind.FIGURE], until, FIGURES)
        sections = [
            Section(
                title="What happened",
                lines=[cite.fact_line(f) for f in happened] + await briefing.event_lines(later, cite, until),
            ),
            Section(title="Where things stand", lines=[cite.fact_line(f) for f in figures if f.id not in used]),
            Section(title="Who is who", lines=await self._who(event, later, cite, until, used)),
            await self._stakes(briefing, topic, cite, until),
            Section(title="What to watch", lines=[cite.fact_line(f) for f in assessments if f.id not in used][:WATCH]),
        ]
        return Answer(
            title=f"{event.name}: {after.text} on · {format_day(milestone)}",
            lines=lines,
            sections=[s for s in sections if s and s.lines],
            citations=cite.citations(),
            footer=footer,
        )

    async def _who(
        self, event: EventRecord, later: list[EventRecord], cite: Citer, until: date, used: set[int]
    ) -> list[Line]:
        """Who took part, each introduced by the background fact on record about them, when there is one."""
        roles: dict[int, tuple[Ref, str]] = {}
        for each in [event, *later]:
            for part in each.actors:
                roles.setdefault(part.actor.id, (part.actor, part.role))
        lines = []
        for actor_ref, role in list(roles.values())[:WHO]:
            facts = await self.store.facts_about_actor(actor_ref.id, until, 20)
            intro = next((f for f in facts if f.kind == FactKind.BACKGROUND and f.id not in used), None)
            if intro is None:
                lines.append(Line(text=f"**{actor_ref.name}** ({role})"))
                continue
            used.add(intro.id)
            lines.append(cite.line(f"**{actor_ref.name}** ({role}): {intro.statement}", intro))
        return lines


def _trend(assessments: list[FactRecord]) -> tuple[str, FactRecord | None]:
    """Which way things went, from the newest assessment that says so in as many words."""
    for fact in assessments:
        for trend, pattern in TRENDS:
            if pattern.search(fact.statement):
                return trend, fact
    return "not assessed", None
