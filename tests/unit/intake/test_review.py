"""Review at scale: one message per article, decisions one by one or all at once, broken review channels."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.intake.models import SourceAddRequest
from bot.intake.review import BROKEN_RETRY, PAGE_SIZE, Review, paged
from bot.models import Author
from bot.render.text import render_text
from bot.services import Services
from bot.store.intake import CandidateRecord
from tests.intake_data.server import GZERO_PAGE, REPORTS, NewsSite, article
from tests.unit.intake.conftest import ALERTS, REVIEW, Clock, FakePoster

MONA = Author(id=7, name="mona")


async def gzero(services: Services, site: NewsSite) -> int:
    site.page("/gzero.html", GZERO_PAGE)
    outcome = await services.intake.proposing.add_source(
        SourceAddRequest(url=site.base + "/gzero.html"), file=None, channel_id=None
    )
    return outcome.candidates


def candidate(number: int, statement: str) -> tuple[int, CandidateRecord]:
    fields = {"statement": statement}
    at = datetime(2024, 2, 1, tzinfo=UTC)
    return number, CandidateRecord(
        id=number, topic_id=1, item_id=1, fields=fields, links=[], duplicate_of=None, channel_id=None,
        message_id=None, status="pending", proposed_by=None, proposed_by_name=None, decided_by=None,
        decided_by_name=None, decided_at=None, fact_id=None, created_at=at,
    )  # fmt: skip


async def test_an_article_with_many_candidates_is_one_review_message_numbered(services, site, poster: FakePoster):
    found = await gzero(services, site)
    assert found >= 6
    [(channel, page, nonce)] = poster.messages
    assert channel == REVIEW and nonce == f"intake-review-{page.review_id}"
    assert [n for n, _ in page.shown] == list(range(1, found + 1)) and page.waiting == found
    text = render_text(page.answer)
    assert all(f"{n}. " in text for n in range(1, found + 1)) and "GZERO Media" in text
    assert "Nearly duplicates fact #".lower() in text.lower() and f"{found} waiting" in text
    assert await services.intake.review.deliver() == 0  # posted once, never again


def test_pages_hold_at_most_a_page_of_candidates_and_of_text():
    short = [candidate(n, f"Statement {n}.") for n in range(1, 24)]
    assert [len(p) for p in paged(short)] == [PAGE_SIZE, PAGE_SIZE, 3]
    long = [candidate(n, "x" * 1000) for n in range(1, 8)]
    assert [len(p) for p in paged(long)] == [3, 3, 1]  # each page's statements stay within its text budget
    assert paged([candidate(1, "y" * 5000)]) == [[candidate(1, "y" * 5000)]]  # one too long still has a page


async def test_decisions_one_by_one_then_all_the_rest_and_the_rest_rejected(services, site, poster):
    site.page("/all.html", article("All reports", [p for paragraphs in REPORTS for p in paragraphs]))
    outcome = await services.intake.proposing.add_source(
        SourceAddRequest(url=site.base + "/all.html"), file=None, channel_id=None
    )
    found = outcome.candidates
    assert found >= 5 and len(poster.messages) == 1
    review = services.intake.review
    page = poster.messages[0][1]
    first, second = page.shown[0][1].id, page.shown[1][1].id
    after, notes = await review.decide(page.review_id, "approve", MONA, [first])
    assert not notes and after.waiting == found - 1
    after, notes = await review.decide(page.review_id, "reject", MONA, [second, first])
    assert notes == ["No. 1 was approved already."] and after.waiting == found - 2
    text = render_text(after.answer)
    assert "1. " in text and "Approved by mona as fact #" in text and "Rejected by mona" in text
    after, notes = await review.decide(page.review_id, "approve", MONA)
    assert after.waiting == 0 and not notes and "Every candidate is decided." in render_text(after.answer)
    assert render_text(after.answer).count("Approved by mona") == found - 1
    after, notes = await review.decide(page.review_id, "reject", MONA)
    assert after.waiting == 0 and not notes  # nothing left: nothing done


async def test_approve_all_goes_on_past_a_near_duplicate_and_says_why_it_waits(services, site, poster):
    await gzero(services, site)
    page = poster.messages[0][1]
    flagged = [n for n, c in page.shown if c.duplicate_of]
    assert flagged
    after, notes = await services.intake.review.decide(page.review_id, "approve", MONA)
    assert after.waiting == len(flagged)
    assert [n.split(":")[0] for n in notes] == [f"No. {n}" for n in flagged]
    assert all("near-duplicate of fact #" in n for n in notes)


async def test_a_broken_review_channel_is_told_once_and_its_candidates_wait_for_a_working_one(
    services, site, poster: FakePoster, clock: Clock, caplog
):
    poster.broken.add(REVIEW)
    found = await gzero(services, site)
    assert poster.messages == [] and len(poster.alerts) == 1
    channel, text = poster.alerts[0]
    assert channel == ALERTS and f"<#{REVIEW}>" in text and "REVIEW_CHANNEL_ID" in text
    caplog.clear()
    await services.intake.feeds.round()
    await services.intake.feeds.round()
    assert poster.messages == [] and len(poster.alerts) == 1
    assert not [r for r in caplog.records if "review" in r.getMessage()]  # not retried, not logged, each round
    clock.advance(seconds=BROKEN_RETRY.total_seconds() + 1)
    await services.intake.review.deliver()  # tried again, quietly: still broken, not told again
    assert poster.messages == [] and len(poster.alerts) == 1
    services.intake.review.review_channel_id = 333  # the operator names a working channel
    assert await services.intake.review.deliver() == 1
    [(channel, page, _)] = poster.messages
    assert channel == 333 and page.waiting == found


async def test_a_fixed_channel_is_tried_at_start_and_breaking_again_is_news_again(services, site, poster, clock):
    poster.broken.add(REVIEW)
    await gzero(services, site)
    poster.broken.clear()
    restarted = Review(
        services.store, services.topics, services.curator_for, review_channel_id=REVIEW, alert_channel_id=ALERTS,
        clock=clock,
    )  # fmt: skip
    restarted.poster = poster
    assert await restarted.deliver() == 1 and poster.messages[0][0] == REVIEW
    poster.broken.add(REVIEW)
    site.page("/other.html", "<html><body><p>The MNDAA took Laukkai on 5 January 2024.</p></body></html>")
    await services.intake.proposing.add_source(
        SourceAddRequest(url=site.base + "/other.html"), file=None, channel_id=None
    )
    assert len(poster.alerts) == 2


async def test_two_processes_delivering_at_once_post_each_article_once(services, site, poster, clock):
    services.intake.review.poster = None  # nothing posted while the articles are read
    await gzero(services, site)
    site.page("/other.html", "<html><body><p>The MNDAA took Laukkai on 5 January 2024.</p></body></html>")
    await services.intake.proposing.add_source(
        SourceAddRequest(url=site.base + "/other.html"), file=None, channel_id=None
    )
    second = FakePoster()
    other = Review(services.store, services.topics, services.curator_for, review_channel_id=REVIEW, clock=clock)
    other.poster = second
    services.intake.review.poster = poster
    counts = await asyncio.gather(services.intake.review.deliver(), other.deliver())
    assert sum(counts) == 2 and len(poster.messages) + len(second.messages) == 2
    assert len({page.review_id for _, page, _ in poster.messages + second.messages}) == 2
