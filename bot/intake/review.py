"""Review: candidates posted to moderators, and their decisions (approve, approve as edited, reject).

An approval writes the fact through the `Curator` of the candidate's topic, the one write path, with the
item it came from on record. A decision is claimed in the store first, so two moderators pressing at once
decide it once, and the second is told who was first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.briefing.answer import Answer
from bot.briefing.queries import build
from bot.curation.models import FactFields
from bot.curation.service import Curator
from bot.errors import NotFound, UserError
from bot.intake.adopting import Adoption
from bot.intake.names import NewName
from bot.models import Author
from bot.render.growth import growth_section
from bot.render.intake import candidate_answer
from bot.store import Store
from bot.store.intake import CandidateRecord, IntakeStore
from bot.topics.service import Topics

log = logging.getLogger(__name__)


class ReviewPoster(Protocol):
    """Where candidates are shown to moderators: the edge posts them with their buttons."""

    async def post_candidate(self, channel_id: int, candidate: CandidateRecord, answer: Answer) -> int:
        """Post one candidate's review message; returns its message id."""
        ...

    async def alert(self, channel_id: int, text: str) -> None:
        """Tell moderators something needs them."""
        ...


class Review:
    """Candidates to moderators, and what they decide."""

    def __init__(
        self,
        store: Store,
        topics: Topics,
        curator_for: Callable[[str], Curator],
        *,
        review_channel_id: int | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.intake = IntakeStore(store.db)
        self.topics = topics
        self.curator_for = curator_for
        self.review_channel_id = review_channel_id
        self.clock = clock
        self.adoption = Adoption(store, curator_for, clock=clock)
        #: Handed in by the edge (`IntakeRuntime`); without one nothing is posted and candidates wait.
        self.poster: ReviewPoster | None = None
        #: With several processes: whether this one can post in a channel (its shards' servers'); the edge
        #: sets it from its gateway cache.
        self.reaches: Callable[[int], bool] = lambda _channel_id: True
        self._delivering = asyncio.Lock()

    async def candidate(self, candidate_id: int) -> CandidateRecord:
        """A candidate, or `NotFound`."""
        found = await self.intake.candidate(candidate_id)
        if found is None:
            raise NotFound(f"There is no candidate #{candidate_id}.")
        return found

    async def deliver(self) -> int:
        """Post every candidate not yet posted for review; those that cannot be posted wait for the next round."""
        if self.poster is None:
            return 0
        async with self._delivering:  # a round and a command delivering at once would both post each one
            return await self._deliver(self.poster)

    async def _deliver(self, poster: ReviewPoster) -> int:
        posted = 0
        for candidate in await self.intake.unposted():
            channel = candidate.channel_id or self.review_channel_id
            if channel is None or not self.reaches(channel):
                continue
            try:
                message_id = await poster.post_candidate(channel, candidate, await self.answer(candidate))
            except Exception:
                log.warning("could not post candidate #%s to channel %s", candidate.id, channel, exc_info=True)
                continue
            await self.intake.posted(candidate.id, channel, message_id)
            posted += 1
        return posted

    async def approve(self, candidate_id: int, who: Author, fields: FactFields | None = None) -> CandidateRecord:
        """Write the candidate (or the moderator's edit of it) as a fact through the one write path, on record.

        Approved as proposed, it brings the event it proposes (or the link to the one it fits) and its stake;
        an edit is the moderator's own word and is written as it stands.
        """
        candidate = await self._claim(candidate_id)
        try:
            topic = await self.topics.slug_of(candidate.topic_id)
            wanted = fields or build(FactFields, **candidate.fields)
            origin = f"from {candidate.item_url}" if candidate.item_url else f"proposed by {candidate.proposed_by_name}"
            if fields is None:
                report = f"“{wanted.source_title}” ({candidate.item_url or wanted.source_url or origin})"
                wanted = await self.adoption.adopt(topic, candidate.topic_id, wanted, who, report=report)
            reason = f"approved candidate #{candidate.id} ({origin})"
            curator = self.curator_for(topic)
            fact_id = await curator.add_fact(wanted, who, reason=reason[:500])
        except BaseException:
            await self.intake.release(candidate_id)
            raise
        await self.intake.decide(
            candidate_id, "approved", author_id=who.id, author_name=who.name, at=self.clock(), fact_id=fact_id
        )
        return await self.candidate(candidate_id)

    async def reject(self, candidate_id: int, who: Author) -> CandidateRecord:
        """Write nothing, but remember: the same sentence is never proposed again."""
        await self._claim(candidate_id)
        await self.intake.decide(
            candidate_id, "rejected", author_id=who.id, author_name=who.name, at=self.clock(), fact_id=None
        )
        return await self.candidate(candidate_id)

    async def _claim(self, candidate_id: int) -> CandidateRecord:
        candidate = await self.candidate(candidate_id)
        if not await self.intake.claim(candidate_id):
            decided = await self.candidate(candidate_id)
            who = f" by {decided.decided_by_name}" if decided.decided_by_name else ""
            raise UserError(f"Candidate #{candidate_id} was {decided.status}{who} already.")
        return candidate

    async def answer(self, candidate: CandidateRecord) -> Answer:
        """A candidate as moderators see it, with its topic and what it would add to the dossier."""
        answer = candidate_answer(candidate, await self.store.topic_by_id(candidate.topic_id))
        proposals = await self.adoption.proposals(candidate.topic_id, candidate.fields["statement"])
        offered = [n.name for n in await self.offered(candidate)] if candidate.status == "pending" else []
        grows = growth_section(proposals, offered)
        return answer.model_copy(update={"sections": [*answer.sections, grows]}) if grows else answer

    async def offered(self, candidate: CandidateRecord) -> list[NewName]:
        """The new names a pending candidate still offers a moderator, each to add or turn down with one press."""
        topic = await self.topics.slug_of(candidate.topic_id)
        return await self.adoption.new_names(topic, candidate.topic_id, candidate.fields["statement"])
