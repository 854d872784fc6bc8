"""What a digest says, built by the same briefing code as the slash commands.

A recurring digest reports what changed since the previous one, read from the change log (new facts,
corrections, retractions, new events), then the standing picture: key figures and the headline stakes
for the default stakeholder. A milestone digest summarises an event up to a day, in the manner of a
CrisisWatch entry: a bold summary line that states what changed in the period, the trend (only when a
sourced assessment says which way things went), then short themed sections, about 300 words in all with
the rest left to `/brief` and `/timeline`. Every statement comes from a fact and cites it; nothing dated
after the milestone is used, so a digest posted late, or previewed years later, reads as it would have on
the day, and when most of what is known about the period was dated after its cut-off, it says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.briefing.answer import Answer, Citer, Line, Section, counted, format_day, moment, note
from bot.briefing.service import Briefing
from bot.digests.schedules import After, Schedule
from bot.errors import NotFound
from bot.models import FactKind
from bot.store import Store
from bot.store.digests import ChangedEntity, DigestStore
from bot.store.events import EventWindow
from bot.store.records import EventRecord, FactRecord, Ref, TopicRecord

# How many change-log entries one digest reads, and how many lines each kind of change may take.
CHANGES_READ = 500
PER_SECTION = 10
FIGURES = 5
STAKES = 4
MILESTONE_FACTS = 6
MILESTONE_EVENTS = 8
WHO = 6
WATCH = 4
# A CrisisWatch entry runs a few hundred words: the milestone keeps to about this many before its sources.
WORDS = 300
# Facts dated this soon after a milestone's cut-off still describe its period (the seed's article, dated the
# day after the 30-day mark, is all of what is known about the first month).
AFTERMATH = timedelta(days=31)
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
            return cite.answer(title, [note(f"Nothing has changed {since} ({moment(window.since)}).")], footer=footer)
        sections += await self._standing(briefing, topic, cite, as_of)
        # Something changed, so the picture of the last weeks goes with it (as of the digest's day).
        chart = briefing.charts and await briefing.charts.recent(topic, as_of, filename="digest.png")
        return cite.answer(
            title,
            [note(f"What changed {since} ({moment(window.since)}), then where things stand.")],
            sections,
            footer=footer,
            chart=chart,
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
                unsourced: list[EventRecord] = []
                lines = await briefing.event_lines(events, cite, None, unsourced=unsourced)
                if unsourced:
                    names = ", ".join(f"{e.name} ({format_day(e.date, e.precision)})" for e in unsourced)
                    lines.append(note(f"Recorded without a sourced fact yet, so not reported as news: {names}."))
            else:
                lines = [line for i in shown if (line := await self._change_line(key, i, cite))]
            hidden = len(items) - len(shown)
            if hidden or (more and len(items) == len(shown) == PER_SECTION):
                count = f"{hidden} more" if hidden else "More"
                lines.append(note(f"… {count} in this digest's period: see /search or /timeline."))
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
        figures = cite.fresh(await self.store.facts_of_kind(topic.id, [FactKind.FIGURE], as_of, FIGURES + 2))
        sections = [
            Section(title="Key figures", lines=[cite.fact_line(f) for f in figures[:FIGURES]]),
            await self._stakes(briefing, topic, cite, as_of),
        ]
        return [s for s in sections if s and s.lines]

    async def _stakes(self, briefing: Briefing, topic: TopicRecord, cite: Citer, as_of: date | None) -> Section | None:
        """The default stakeholder's headline stakes, as `/brief` shows them, less what this digest already said."""
        stakes = await briefing.headline_stakes(topic, briefing.stakeholder, as_of, STAKES + 4)
        if not stakes:
            return None
        name, facts = stakes
        lines = [cite.line(f"{(f.interest or '').capitalize()}: {f.statement}", f) for f in cite.fresh(facts)[:STAKES]]
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
        started = format_day(event.date, event.precision)

        # The summary line: what changed in the period, from the fact that matters most among those dated in it
        # (what the event itself is, and colour, do not say what changed).
        changes = await self.store.facts_of_kind(topic.id, [FactKind.EVENT, FactKind.FIGURE], until, 12)
        in_period = [
            f
            for f in changes
            if f.as_of >= event.date and f.salience != "colour" and (f.event is None or f.event.id != event.id)
        ]
        if in_period:
            lines = [cite.line(f"**{in_period[0].statement}**", in_period[0])]
        else:
            lines = [
                note(f"**{event.name} ({started}): {after.text} on.** Nothing dated in the period says what changed.")
            ]
        lines.append(note(f"From {started} to {format_day(until)}: only facts and events dated on or before then."))
        assessments = await self.store.facts_of_kind(topic.id, [FactKind.ASSESSMENT], until, TREND_SCAN)
        trend, basis = _trend([f for f in assessments if f.as_of >= event.date])
        if basis:
            lines.append(cite.line(f"**Trend: {trend}.** {basis.statement}", basis))
        else:
            lines.append(
                note(
                    "**Trend: not assessed.** No assessment on record for the period says whether the situation"
                    " deteriorated, improved or stayed the same."
                )
            )

        about = cite.fresh(await self.store.facts_about_event(event.id, until, 12))[:MILESTONE_FACTS]
        happened = [cite.fact_line(f) for f in about]
        later = [
            e
            for e in await self.store.events(topic.id, since=event.date, until=until, limit=MILESTONE_EVENTS + 1)
            if e.id != event.id
        ][:MILESTONE_EVENTS]
        unsourced: list[EventRecord] = []
        happened += await briefing.event_lines(later, cite, until, skip_said=True, unsourced=unsourced)
        figures = cite.fresh(await self.store.facts_of_kind(topic.id, [FactKind.FIGURE], until, FIGURES + 2))
        standing = [cite.fact_line(f) for f in figures[:FIGURES]]
        stakes = await self._stakes(briefing, topic, cite, until)
        watch = [cite.fact_line(f) for f in cite.fresh(assessments)[:WATCH]]
        who = await self._who(event, later, cite, until)
        stakes_title = stakes.title if stakes else f"Stakes for {briefing.stakeholder}"
        sections = [
            Section(title="What happened", lines=happened[: MILESTONE_FACTS + MILESTONE_EVENTS]),
            Section(title="Where things stand", lines=standing),
            Section(title="Who is who", lines=who),
            Section(title=stakes_title, lines=stakes.lines if stakes else []),
            Section(title="What to watch", lines=watch),
        ]
        missing = await self._missing(topic, event, until, sections, unsourced)
        if missing:
            lines.append(missing)
        lines, sections = _within_words(
            lines,
            sections,
            priority=["What happened", "What to watch", "Where things stand", stakes_title, "Who is who"],
            more=f"/brief as_of:{until.isoformat()} and /timeline since:{event.date.isoformat()}"
            f" until:{until.isoformat()}",
        )
        chart = briefing.charts and await briefing.charts.timeline(
            topic,
            EventWindow(actor_id=None, place_ids=None, since=event.date, until=until),
            actor_id=None,
            as_of=until,
            what="in the period",
            title=f"Events per {{unit}}, {event.name} to {format_day(until)}",
            filename="milestone.png",
            extra_marks=[(milestone, f"{after.text} on")] if milestone <= until else [],
        )
        return cite.answer(
            f"{event.name}: {after.text} on · {format_day(milestone)}", lines, sections, footer=footer, chart=chart
        )

    async def _missing(
        self, topic: TopicRecord, event: EventRecord, until: date, sections: list[Section], unsourced: list[EventRecord]
    ) -> Line | None:
        """A note when the cut-off leaves out most of what is known about the period: what is missing, and why."""
        known, _ = await self.store.count_facts_dated(topic.id, event.date, until)
        later, first = await self.store.count_facts_dated(topic.id, until + timedelta(days=1), until + AFTERMATH)
        if first is None or later <= known:
            return None
        empty = [s.title for s in sections if not s.lines]
        left_out = [f"“{title}”" for title in empty]
        if unsourced:
            left_out.append(counted(len(unsourced), "event") + " known only from those later facts")
        what = f" It leaves out {_listing(left_out)}." if left_out else ""
        return note(
            f"**Most of what is on record about this period is dated after its cut-off:**"
            f" {counted(later, 'fact')} from {format_day(first)}, against {counted(known, 'fact')} up to"
            f" {format_day(until)}.{what} A later milestone, or /brief, has them."
        )

    async def _who(self, event: EventRecord, later: list[EventRecord], cite: Citer, until: date) -> list[Line]:
        """Who took part, each introduced by the background fact on record about them; without one, left out."""
        roles: dict[int, tuple[Ref, str]] = {}
        for each in [event, *later]:
            for part in each.actors:
                roles.setdefault(part.actor.id, (part.actor, part.role))
        lines = []
        for actor_ref, role in list(roles.values())[:WHO]:
            facts = await self.store.facts_about_actor(actor_ref.id, until, 3, kinds=[FactKind.BACKGROUND])
            intro = next(iter(cite.fresh(facts)), None)
            if intro is not None:
                lines.append(cite.line(f"**{actor_ref.name}** ({role}): {intro.statement}", intro))
        return lines


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _words(line: Line) -> int:
    return len(re.sub(r"[*_~`]", "", line.text).split())


def _within_words(
    lines: list[Line], sections: list[Section], *, priority: list[str], more: str
) -> tuple[list[Line], list[Section]]:
    """The digest cut to about `WORDS` words, and what was cut named with where to read it.

    The opening lines stay whole; then the sections take turns in order of priority, a line each per round,
    so every theme keeps its lead lines and none crowds out the rest.
    """
    budget = WORDS - sum(_words(line) for line in lines)
    by_title = {s.title: s for s in sections}
    ordered = [by_title[t] for t in priority if t in by_title]
    kept: dict[str, list[Line]] = {s.title: [] for s in sections}
    cut = 0
    for round_ in range(max((len(s.lines) for s in ordered), default=0)):
        for section in ordered:
            if round_ >= len(section.lines):
                continue
            line = section.lines[round_]
            if _words(line) <= budget:
                kept[section.title].append(line)
                budget -= _words(line)
            else:
                cut += 1
    if cut:
        lines = [
            *lines,
            note(
                f"Kept to about {WORDS} words: {counted(cut, 'further line')} {'is' if cut == 1 else 'are'} in {more}."
            ),
        ]
    return lines, [s.model_copy(update={"lines": kept[s.title]}) for s in sections]


def _trend(assessments: list[FactRecord]) -> tuple[str, FactRecord | None]:
    """Which way things went, from the newest assessment that says so in as many words."""
    for fact in assessments:
        for trend, pattern in TRENDS:
            if pattern.search(fact.statement):
                return trend, fact
    return "not assessed", None
