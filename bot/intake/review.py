"""Review: candidates posted to moderators, one message per article, and their decisions.

An article's candidates are numbered in one review message (paged when they do not fit one), each
approved, edited then approved, or rejected on its own, or all that wait at once. An approval writes the
fact through the `Curator` of the candidate's topic, the one write path, with the item it came from on
record. A decision is claimed in the store first, so two moderators pressing at once decide it once, and
the second is told who was first.

Posting a review message is claimed in the store too (a lease, as a digest run has), with a nonce derived
from it, so two processes never post the same article twice. A review channel that is gone or forbids the
bot is recorded: moderators are told once in ALERT_CHANNEL_ID, and its messages wait (tried again every
`BROKEN_RETRY` and at start, quietly) or go to REVIEW_CHANNEL_ID when that names another channel.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.briefing.answer import Answer, Section
from bot.briefing.queries import build
from bot.curation.models import FactFields
from bot.curation.service import Curator
from bot.digests.posting import Undeliverable
from bot.errors import NotFound, UserError
from bot.intake.adopting import Adoption
from bot.intake.names import NewName
from bot.models import Author
from bot.render.growth import growth_section
from bot.render.intake import candidate_answer, review_answer
from bot.store import Store
from bot.store.intake import CandidateRecord, IntakeStore, ReviewRecord
from bot.topics.service import Topics

log = logging.getLogger(__name__)

#: Candidates on one page of a review message at most (a select menu takes 25)...
PAGE_SIZE = 10
#: ...and characters of their statements, so a page fits Discord's 6,000 across a message's embeds.
PAGE_TEXT = 3000
#: How long a process holds the posting of a review message; Discord's nonce covers a repeat within it.
LEASE = timedelta(minutes=1)
#: How long a broken review channel is left alone before it is tried again (a start tries it at once).
BROKEN_RETRY = timedelta(hours=1)


@dataclass(frozen=True)
class OfferedName:
    """A new name a candidate offers: the candidate, its place among the names proposed, and the name."""

    candidate_id: int
    index: int
    name: NewName


@dataclass(frozen=True)
class ReviewPage:
    """One page of a review message: what it says, and the candidates it shows (with their numbers)."""

    review_id: int
    page: int
    pages: int
    answer: Answer
    shown: list[tuple[int, CandidateRecord]]
    #: Candidates still waiting on every page; none left, the message needs no controls.
    waiting: int
    #: The new names this page's waiting candidates still offer, each to add or turn down with one press.
    names: list[OfferedName] = field(default_factory=list)

    def choices(self) -> list[tuple[int, int, str]]:
        """(candidate id, number, statement) of this page's candidates still waiting."""
        return [(c.id, n, str(c.fields["statement"])) for n, c in self.shown if c.status == "pending"]


class ReviewPoster(Protocol):
    """Where candidates are shown to moderators: the edge posts review messages with their controls."""

    async def post_review(self, channel_id: int, page: ReviewPage, nonce: str) -> int:
        """Post a review message (its first page); returns its message id.

        Raise `Undeliverable` when the channel is gone or the bot may not post there.
        """
        ...

    async def alert(self, channel_id: int, text: str) -> None:
        """Tell moderators something needs them."""
        ...


def paged(numbered: list[tuple[int, CandidateRecord]]) -> list[list[tuple[int, CandidateRecord]]]:
    """A review message's candidates cut into pages of at most `PAGE_SIZE` and about `PAGE_TEXT` characters."""
    pages: list[list[tuple[int, CandidateRecord]]] = [[]]
    size = 0
    for entry in numbered:
        length = len(str(entry[1].fields["statement"]))
        if pages[-1] and (len(pages[-1]) == PAGE_SIZE or size + length > PAGE_TEXT):
            pages.append([])
            size = 0
        pages[-1].append(entry)
        size += length
    return pages


class Review:
    """Candidates to moderators, and what they decide."""

    def __init__(
        self,
        store: Store,
        topics: Topics,
        curator_for: Callable[[str], Curator],
        *,
        review_channel_id: int | None,
        alert_channel_id: int | None = None,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.intake = IntakeStore(store.db)
        self.topics = topics
        self.curator_for = curator_for
        self.review_channel_id = review_channel_id
        self.alert_channel_id = alert_channel_id
        self.clock = clock
        self.adoption = Adoption(store, curator_for, clock=clock)
        #: Handed in by the edge (`IntakeRuntime`); without one nothing is posted and candidates wait.
        self.poster: ReviewPoster | None = None
        #: With several processes: whether this one can post in a channel (its shards' servers'); the edge
        #: sets it from its gateway cache.
        self.reaches: Callable[[int], bool] = lambda _channel_id: True
        #: This process start, as the holder of the review messages it is posting.
        self.holder = secrets.token_hex(8)
        self._delivering = asyncio.Lock()
        self._started = False

    async def candidate(self, candidate_id: int) -> CandidateRecord:
        """A candidate, or `NotFound`."""
        found = await self.intake.candidate(candidate_id)
        if found is None:
            raise NotFound(f"There is no candidate #{candidate_id}.")
        return found

    async def deliver(self) -> int:
        """Post a review message for each article (or proposal) not yet shown; returns how many were posted.

        Those that cannot be posted wait for the next round; a broken channel's wait quietly.
        """
        if self.poster is None:
            return 0
        async with self._delivering:  # a round and a command delivering at once would both post each one
            return await self._deliver(self.poster)

    async def _deliver(self, poster: ReviewPoster) -> int:
        now = self.clock()
        await self.intake.gather_reviews(now)
        broken = await self.intake.broken_channels()
        start, self._started = not self._started, True
        failed: set[int] = set()

        def usable(channel: int | None) -> bool:
            if channel is None or channel in failed or not self.reaches(channel):
                return False
            return channel not in broken or start or broken[channel].retry_at <= now

        posted = 0
        for review in await self.intake.unposted_reviews():
            for channel in filter(usable, dict.fromkeys((review.channel_id, self.review_channel_id))):
                assert channel is not None
                outcome = await self._post(poster, review, channel, fixed=channel in broken)
                if outcome == "broken":
                    failed.add(channel)
                    continue
                posted += outcome == "posted"
                break
        return posted

    async def _post(
        self, poster: ReviewPoster, review: ReviewRecord, channel: int, *, fixed: bool
    ) -> Literal["posted", "broken", "held", "failed"]:
        now = self.clock()
        if not await self.intake.claim_review(review.id, self.holder, now + LEASE, now):
            return "held"
        try:
            message_id = await poster.post_review(channel, await self.page(review.id), f"intake-review-{review.id}")
        except Undeliverable as exc:
            await self.intake.release_review(review.id, self.holder)
            await self._broken(poster, channel, str(exc))
            return "broken"
        except Exception:
            await self.intake.release_review(review.id, self.holder)
            log.warning("could not post review #%s to channel %s", review.id, channel, exc_info=True)
            return "failed"
        await self.intake.review_posted(review.id, channel, message_id)
        if fixed:
            await self.intake.channel_works(channel)
        return "posted"

    async def _broken(self, poster: ReviewPoster, channel: int, reason: str) -> None:
        """Record a channel as broken and tell moderators, the first time only."""
        now = self.clock()
        if not await self.intake.channel_broken(channel, reason, now, now + BROKEN_RETRY):
            log.info("review channel %s still cannot be posted in: %s", channel, reason)
            return
        log.warning("review channel %s cannot be posted in: %s; its candidates wait", channel, reason)
        if self.alert_channel_id is None:
            return
        hours = int(BROKEN_RETRY.total_seconds() // 3600)
        text = (
            f"⚠️ Candidates for review cannot be posted in <#{channel}>: {reason}. They wait: let the bot post"
            f" there, or set REVIEW_CHANNEL_ID to a channel it can post in. It tries <#{channel}> again every"
            f" {hours} hour{'s' if hours != 1 else ''} and at start."
        )
        try:
            await poster.alert(self.alert_channel_id, text[:1900])
        except Exception:
            log.warning("could not alert moderators about review channel %s", channel, exc_info=True)

    async def page(self, review_id: int, page: int = 1) -> ReviewPage:
        """A page of a review message as it stands now (a page past the last shows the last)."""
        numbered = await self.intake.review_candidates(review_id)
        if not numbered:
            raise NotFound(f"There is no review message #{review_id}.")
        pages = paged(numbered)
        page = min(max(page, 1), len(pages))
        shown = pages[page - 1]
        waiting = sum(c.status == "pending" for _, c in numbered)
        topic = await self.store.topic_by_id(numbered[0][1].topic_id)
        answer = review_answer(review_id, shown, waiting, topic, page=page, pages=len(pages))
        grows, offered = await self._growth(shown)
        if grows is not None:
            answer = answer.model_copy(update={"sections": [*answer.sections, grows]})
        return ReviewPage(review_id, page, len(pages), answer, shown, waiting, offered)

    async def decide(
        self,
        review_id: int,
        action: Literal["approve", "reject"],
        who: Author,
        candidate_ids: list[int] | None = None,
        *,
        page: int = 1,
    ) -> tuple[ReviewPage, list[str]]:
        """Approve or reject the chosen candidates of a review message (None: every one still waiting).

        Returns the page as it now stands and, for each candidate left undecided, why (decided already,
        or refused, as a near-duplicate is): a batch goes on past one it cannot decide.
        """
        numbered = await self.intake.review_candidates(review_id)
        if not numbered:
            raise NotFound(f"There is no review message #{review_id}.")
        chosen = [(n, c) for n, c in numbered if c.id in candidate_ids] if candidate_ids is not None else numbered
        left: list[str] = []
        for number, candidate in chosen:
            if candidate.status != "pending":
                if candidate_ids is not None:
                    left.append(f"No. {number} was {candidate.status} already.")
                continue
            try:
                if action == "approve":
                    await self.approve(candidate.id, who)
                else:
                    await self.reject(candidate.id, who)
            except UserError as exc:
                left.append(f"No. {number}: {exc}")
        return await self.page(review_id, page), left

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
        """A candidate as moderators see it, with its topic."""
        stored = await self.store.fact(candidate.fact_id) if candidate.fact_id else None
        return candidate_answer(candidate, await self.store.topic_by_id(candidate.topic_id), stored)

    async def _growth(self, shown: list[tuple[int, CandidateRecord]]) -> tuple[Section | None, list[OfferedName]]:
        """What a page's waiting candidates would add to the dossier, and the new names each still offers."""
        entries, offered = [], []
        for number, candidate in shown:
            if candidate.status != "pending":
                continue
            statement = candidate.fields["statement"]
            proposals = await self.adoption.proposals(candidate.topic_id, statement)
            if not proposals:
                continue
            topic = await self.topics.slug_of(candidate.topic_id)
            names = await self.adoption.new_names(topic, candidate.topic_id, statement)
            proposed = [n["name"] for n in proposals.get("names", [])]
            offered += [OfferedName(candidate.id, proposed.index(n.name), n) for n in names]
            entries.append((number, proposals, [n.name for n in names]))
        return growth_section(entries), offered
