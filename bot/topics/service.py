"""Topics: which dossier a command is about, and the moderators' commands over dossiers as a whole.

The topic in force is worked out in one place, `in_force` (from `choose_topic`), for every cog, the console
and the command line: a topic named in the command wins, then the channel's default, then the server's,
then `DEFAULT_TOPIC`. Names, aliases and autocomplete are then scoped to that topic by the `Briefing` of
that topic, so a name in one dossier never resolves to a record of another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from bot.briefing.answer import Answer, Citer, Line, Section, counted, moment, note
from bot.briefing.search import NO_MATCH, matched_words
from bot.errors import NotFound, UserError
from bot.models import Author, normalise
from bot.store import Store
from bot.store.records import TopicRecord
from bot.store.search import SearchHit
from bot.store.topics import TopicStore, TopicSummary
from bot.store.writes import utcnow
from bot.topics.models import TopicAddRequest, TopicEditRequest, TopicRemoveRequest, TopicUseRequest

Why = Literal["asked", "channel", "server", "deployment"]
#: Facts shown by a search over every topic, as by one over a single topic.
SEARCH_SHOWN = 8


@dataclass(frozen=True)
class InForce:
    """The topic a command is about, and why that one."""

    slug: str
    why: Why


def choose_topic(
    explicit: str | None, channel_default: str | None, server_default: str | None, deployment: str
) -> InForce:
    """The topic in force: the one named in the command, else the channel's, the server's, `DEFAULT_TOPIC`."""
    if explicit:
        return InForce(explicit, "asked")
    if channel_default:
        return InForce(channel_default, "channel")
    if server_default:
        return InForce(server_default, "server")
    return InForce(deployment, "deployment")


def closest(text: str, choices: list[str], limit: int = 5) -> list[str]:
    """The choices most like `text`, best first."""
    return [m[0] for m in process.extract(text, choices, scorer=fuzz.WRatio, limit=limit)]


class Topics:
    """Which topic is in force, and adding, editing, retiring, removing and choosing topics."""

    def __init__(self, store: Store, default_topic: str) -> None:
        self.store = store
        self.table = TopicStore(store)
        self.default_topic = default_topic

    # The topic in force ---------------------------------------------------------------------------------

    async def in_force(self, explicit: str | None, channel_id: int | None, guild_id: int | None) -> TopicRecord:
        """The topic a command is about (see `choose_topic`); a topic named but unknown gets the closest names."""
        if explicit:
            return await self.named(explicit)
        found = await self.table.default_for(guild_id, channel_id)
        channel = found[0] if found and found[1] else None
        server = found[0] if found and not found[1] else None
        chosen = choose_topic(None, channel, server, self.default_topic)
        record = await self.store.topic(chosen.slug)
        if record is None:
            raise UserError(f"The topic `{chosen.slug}` is not loaded yet: run `briefbot load PACK`.")
        return record

    async def slug_of(self, topic_id: int | None) -> str:
        """The slug of a feed's or a candidate's topic; one from before topics, or since removed: DEFAULT_TOPIC."""
        topic = await self.store.topic_by_id(topic_id) if topic_id is not None else None
        return topic.slug if topic else self.default_topic

    async def which(self, channel_id: int | None, guild_id: int | None) -> InForce:
        """The default topic here and why (for `/topic list`)."""
        found = await self.table.default_for(guild_id, channel_id)
        if found is None:
            return choose_topic(None, None, None, self.default_topic)
        return choose_topic(None, found[0] if found[1] else None, None if found[1] else found[0], self.default_topic)

    async def named(self, text: str) -> TopicRecord:
        """The topic with this slug or title (folded); a `NotFound` with the closest names otherwise."""
        wanted = text.strip()
        found = await self.store.topic(wanted) or await self.store.topic(wanted.lower())
        if found is not None:
            return found
        topics = await self.store.topics()
        folded = normalise(wanted)
        for exact in (True, False):
            titles = [(t, normalise(t.title)) for t in topics]
            by_title = [t for t, title in titles if (title == folded if exact else title.startswith(folded))]
            if len(by_title) == 1:
                return by_title[0]
        retired = await self.table.retired()
        live = [t.slug for t in topics if t.slug not in retired] or [t.slug for t in topics]
        raise NotFound(f"No topic is called “{wanted}”.", names=closest(wanted, live))

    async def suggest(self, text: str, *, everything: bool = False, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete choices as (label, slug): topics that are not retired, closest first."""
        retired = await self.table.retired()
        topics = [t for t in await self.store.topics() if t.slug not in retired]
        choices = [(f"{t.title} ({t.slug})"[:100], t.slug) for t in topics]
        if everything:
            choices.insert(0, ("All topics", "all"))
        if text.strip():
            labels = [label for label, _ in choices]
            ranked = process.extract(text, labels, scorer=fuzz.WRatio, limit=limit)
            choices = [choices[index] for _, score, index in ranked if score >= 50]
        return choices[:limit]

    # /topic list -----------------------------------------------------------------------------------------

    async def listing(self, channel_id: int | None, guild_id: int | None) -> Answer:
        """Every topic with its size and last change, the default here marked (retired ones last)."""
        here = await self.which(channel_id, guild_id)
        summaries = sorted(await self.table.summaries(), key=lambda t: (t.retired, t.slug))
        lines = [note(self._listed(t, here)) for t in summaries]
        if not lines:
            lines = [note("No topic is loaded yet: `/pack import` a pack, or `/topic add` one.")]
        where = {
            "channel": "this channel's setting",
            "server": "this server's setting",
            "deployment": "DEFAULT_TOPIC",
            "asked": "",
        }[here.why]
        return Answer(
            title=f"Topics: {counted(len(summaries), 'dossier')}",
            lines=lines,
            footer=f"Default here: {here.slug} ({where}). Any read command takes topic:, and /topic use changes it.",
        )

    @staticmethod
    def _listed(topic: TopicSummary, here: InForce) -> str:
        text = f"**{topic.title}** (`{topic.slug}`): {counted(topic.facts, 'fact')}, {counted(topic.events, 'event')}"
        text += f"; last change {moment(topic.last_change)}" if topic.last_change else "; no change on record"
        if topic.slug == here.slug:
            text = "▶ " + text + " — **default here**"
        if topic.retired:
            text += " (retired)"
        return text

    # Moderators' commands --------------------------------------------------------------------------------

    async def add(self, q: TopicAddRequest, who: Author) -> TopicRecord:
        """Add an empty topic; a slug taken already is refused."""
        if await self.store.topic(q.slug) is not None:
            raise UserError(f"`slug`: a topic `{q.slug}` exists already; `/topic edit` changes it.")
        await self.table.add(q.slug, q.title, q.summary, who)
        added = await self.store.topic(q.slug)
        assert added is not None
        return added

    async def edit(self, q: TopicEditRequest, who: Author) -> str:
        """Change a topic's title or summary, retire it or bring it back; says what it did."""
        topic = await self.named(q.topic)
        retired_at = await self.table.retired_at(topic.id)
        was_retired = retired_at is not None
        before: dict[str, object] = {"title": topic.title, "summary": topic.summary, "retired_at": retired_at}
        after = dict(before)
        if q.title is not None:
            after["title"] = q.title
        if q.summary is not None:
            after["summary"] = q.summary
        action = "edit"
        if q.retired is True and not was_retired:
            if topic.slug == self.default_topic:
                raise UserError(f"`{topic.slug}` is DEFAULT_TOPIC: change that setting before retiring it.")
            after["retired_at"], action = utcnow().isoformat(), "retire"
        elif q.retired is False and was_retired:
            after["retired_at"], action = None, "restore"
        if after == before:
            raise UserError("Nothing to change: give a new `title` or `summary`, or `retired`.")
        await self.table.edit(topic.id, topic.slug, before, after, action, who)
        done = {"edit": "changed", "retire": "retired (hidden from autocomplete; its record stays)", "restore": "back"}
        return f"Topic `{topic.slug}` is {done[action]}."

    async def remove(self, q: TopicRemoveRequest, who: Author) -> str:
        """Remove a topic that holds nothing on record; one that does is refused, with retirement offered."""
        topic = await self.named(q.topic)
        if topic.slug == self.default_topic:
            raise UserError(f"`{topic.slug}` is DEFAULT_TOPIC: change that setting before removing it.")
        held = {k: n for k, n in (await self.table.holdings(topic.id)).items() if n}
        if held:
            what = ", ".join(counted(n, k[:-1], k) for k, n in held.items())
            raise UserError(
                f"`{topic.slug}` holds {what}, which stay on record: it cannot be removed."
                f" Retire it instead (`/topic edit topic:{topic.slug} retired:true`), which hides it and keeps them."
            )
        await self.table.remove(topic.id, topic.slug, who)
        return f"Topic `{topic.slug}` is removed."

    async def use(self, q: TopicUseRequest, guild_id: int | None, who: Author) -> str:
        """Make a topic the server's default, or one channel's."""
        if guild_id is None:
            raise UserError("Defaults are set per server: use this command in a server.")
        topic = await self.named(q.topic)
        if topic.slug in await self.table.retired():
            raise UserError(f"`{topic.slug}` is retired: bring it back (`/topic edit retired:false`) first.")
        await self.table.use(topic.id, topic.slug, guild_id, q.channel, who)
        where = f"<#{q.channel}>" if q.channel else "this server (channels without their own)"
        return f"Commands in {where} now answer about **{topic.title}** (`{topic.slug}`) unless given `topic:`."

    # /search topic:all -----------------------------------------------------------------------------------

    async def search_everywhere(self, query: str) -> Answer:
        """The facts that best answer a question in any topic that is not retired, each labelled with its topic."""
        retired = await self.table.retired()
        hits: list[tuple[SearchHit, TopicRecord]] = []
        for topic in await self.store.topics():
            if topic.slug not in retired:
                hits += [(hit, topic) for hit in await self.store.ranked_search(topic.id, query, None, SEARCH_SHOWN)]
        hits.sort(key=lambda pair: (pair[0].tier, -pair[0].score, pair[0].fact.reliability, pair[0].fact.credibility))
        return search_everywhere_answer(query, hits[: SEARCH_SHOWN * 2])


def search_everywhere_answer(query: str, hits: list[tuple[SearchHit, TopicRecord]]) -> Answer:
    """A search over every topic as an answer: the best first, each line naming its topic."""
    title = f"Search in every topic: {query}"[:256]
    cite = Citer()
    topic_of = {hit.fact.id: topic for hit, topic in hits}
    by_id = {hit.fact.id: hit for hit, _ in hits}
    kept = [by_id[f.id] for f in cite.fresh(hit.fact for hit, _ in hits)][:SEARCH_SHOWN]
    if not kept:
        return cite.answer(title, [note(NO_MATCH)])

    def line(hit: SearchHit) -> Line:
        why = matched_words(hit)
        topic = topic_of[hit.fact.id]
        text = f"[{topic.title}] {hit.fact.statement} (#{hit.fact.id})" + (f" — *{why}*" if why else "")
        return cite.line(text, hit.fact)

    sections = [Section(title="Best answer", lines=[line(kept[0])])]
    if len(kept) > 1:
        sections.append(Section(title="Also relevant", lines=[line(h) for h in kept[1:]]))
    return cite.answer(title, [], sections, footer="Each fact shows its topic; /fact show needs topic: for another.")
