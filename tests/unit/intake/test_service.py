"""The intake service end to end without Discord: a real news site on loopback, the seed topic in memory."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.briefing.queries import HistoryQuery, SearchQuery
from bot.curation.models import FactFields
from bot.errors import NotFound, UserError
from bot.intake.models import FeedAddRequest, SourceAddRequest
from bot.models import Author
from bot.services import Services
from tests.intake_data.server import GZERO_PAGE, REPORTS, Item, NewsSite, article
from tests.unit.intake.conftest import ALERTS, REVIEW, Clock, FakePoster

MONA = Author(id=7, name="mona")


def wire(site: NewsSite, path: str = "/wire.xml", reports=REPORTS) -> str:
    items = []
    for n, paragraphs in enumerate(reports):
        page = f"/story-{n}.html"
        site.page(page, article(f"Story {n}", paragraphs, asides=["Sponsored: The junta's favourite tea, 20% off."]))
        items.append(Item(f"urn:wire:{n}", page, f"Story {n}"))
    return site.feed(path, "Test Wire", items)


async def add(services: Services, url: str, **options):
    return await services.intake.feeds.add_feed(FeedAddRequest(url=url, **options), 1, MONA)


async def test_a_feed_added_proposes_its_on_topic_sentences_with_sources(services, site, poster: FakePoster):
    feed, outcome = await add(services, wire(site), reliability="B")
    assert feed.title == "Test Wire" and feed.items_now == 3
    assert outcome.new_items == 3 and outcome.candidates == len(poster.posted) == 6
    statements = poster.statements()
    assert "The Arakan Army seized a junta outpost near Paletwa on 13 January 2024, residents said." in statements
    assert not [s for s in statements if "football" in s or "tea" in s]
    channel, candidate, answer = poster.posted[0]
    assert channel == REVIEW
    fields = candidate.fields
    assert fields["source_url"].endswith("/story-0.html") and fields["source_publisher"] == "Test Wire"
    assert fields["source_date"] == "2023-12-01" and fields["as_of"] == "2024-01-13"
    assert (fields["reliability"], fields["credibility"]) == ("B", 3)
    assert fields["actors"] == ["arakan-army", "myanmar-junta"]
    assert answer.citations[0].source.url == fields["source_url"]  # nothing shown without its source


async def test_nothing_is_proposed_twice_across_polls_feeds_and_links(services, site, poster):
    url = wire(site)
    feed, _ = await add(services, url)
    first = len(poster.posted)
    again = await services.intake.feeds.poll(feed.id)
    assert again.status == "unchanged" and site.not_modified["/wire.xml"] == 1
    # The same items in another feed, and the same article under another link and guid.
    site.page("/copy.html", article("Story 0", REPORTS[0]))
    site.feed("/other.xml", "Other", [Item("urn:wire:0", "/story-0.html", "x"), Item("urn:copy", "/copy.html", "y")])
    _, other = await add(services, site.base + "/other.xml")
    assert other.candidates == 0 and len(poster.posted) == first


async def test_a_rejected_sentence_is_never_proposed_again(services, site, poster):
    await add(services, wire(site, reports=REPORTS[:1]))
    target = next(c for _, c, _ in poster.posted if "Paletwa" in c.fields["statement"])
    decided = await services.intake.review.reject(target.id, MONA)
    assert decided.status == "rejected" and decided.decided_by_name == "mona"
    answer = await services.briefing.search(SearchQuery(query="Paletwa"))
    assert not answer.citations and "No facts match" in answer.lines[0].text
    site.page("/new.html", article("New story", [target.fields["statement"], "Unrelated filler about nothing at all."]))
    outcome = await services.intake.proposing.add_source(
        SourceAddRequest(url=site.base + "/new.html"), file=None, channel_id=None
    )
    assert outcome.candidates == 0


async def test_approving_writes_the_fact_on_record_and_search_finds_it_with_its_url(services, site, poster):
    await add(services, wire(site, reports=REPORTS[:1]))
    target = next(c for _, c, _ in poster.posted if "Paletwa" in c.fields["statement"])
    decided = await services.intake.review.approve(target.id, MONA)
    assert decided.status == "approved" and decided.fact_id
    found = await services.briefing.search(SearchQuery(query="Paletwa outpost"))
    assert found.citations[0].source.url == target.fields["source_url"]
    history = await services.briefing.history(HistoryQuery(id=decided.fact_id))
    text = str(history.model_dump())
    assert "mona" in text and f"approved candidate #{target.id}" in text and "/story-0.html" in text
    with pytest.raises(UserError, match="approved by mona already"):
        await services.intake.review.reject(target.id, MONA)


async def test_a_near_duplicate_of_a_stored_fact_says_which_and_cannot_be_approved(services, site, poster):
    site.page("/gzero.html", GZERO_PAGE)
    outcome = await services.intake.proposing.add_source(
        SourceAddRequest(url=site.base + "/gzero.html"), file=None, channel_id=None
    )
    assert outcome.candidates >= 6
    flagged = [c for _, c, _ in poster.posted if c.duplicate_of]
    assert flagged
    assert not [s for s in poster.statements() if "Microsoft" in s or "Walmart" in s or s.endswith("?")]
    with pytest.raises(UserError, match="near-duplicate of fact #"):
        await services.intake.review.approve(flagged[0].id, MONA)
    assert (await services.intake.review.candidate(flagged[0].id)).status == "pending"  # released, still decidable


async def test_an_edited_approval_writes_the_moderators_version(services, site, poster):
    await add(services, wire(site, reports=REPORTS[1:2]))
    target = poster.posted[0][1]
    fields = FactFields(**{**target.fields, "statement": "Edited: the MNDAA holds Laukkai.", "credibility": 2})
    decided = await services.intake.review.approve(target.id, MONA, fields)
    fact = await services.store.fact(decided.fact_id)
    assert fact.statement == "Edited: the MNDAA holds Laukkai." and fact.grade == "C2"


async def test_a_proposal_resolves_its_names_and_waits_for_review(services, poster):
    fields = FactFields(
        statement="Rebels said the Tatmadaw lost two bases near Lashio.",
        kind="event",
        actors=["Tatmadaw"],
        place="Shan",
        as_of="2024-01-02",
        source_title="Field notes",
        reliability="D",
        credibility=4,
    )
    candidate = await services.intake.proposing.propose(fields, Author(id=9, name="bob"), 333)
    assert candidate.fields["actors"] == ["myanmar-junta"] and candidate.fields["place"] == "shan-state"
    assert candidate.channel_id == REVIEW and candidate.proposed_by_name == "bob"
    assert len(poster.posted) == 1
    with pytest.raises(UserError, match="proposed before"):
        await services.intake.proposing.propose(fields, Author(id=9, name="bob"), 333)
    with pytest.raises(NotFound):
        await services.intake.proposing.propose(fields.model_copy(update={"actors": ["Nobody Known Here"]}), MONA, 333)


async def test_a_url_that_is_no_feed_is_refused_and_nothing_is_followed(services, site):
    site.page("/page.html", "<html><body><p>hello</p></body></html>")
    for path in ("/page.html", "/broken.xml", "/not-a-feed", "/loop"):
        with pytest.raises(UserError, match="That URL gives no feed"):
            await add(services, site.base + path)
    assert await services.intake.feeds.feeds() == []


HOSTILE = ["/broken.xml", "/not-a-feed", "/huge.xml", "/loop", "/hop/0", "/drip", "/status/500", "/page-not-feed"]


async def test_hostile_feeds_are_reported_and_never_stop_a_round(services, site, poster, clock: Clock):
    feed, _ = await add(services, wire(site, reports=REPORTS[:1]))
    site.feeds["/wire.xml"][1].append(Item("urn:wire:late", "/story-late.html", "Late"))
    site.page("/story-late.html", article("Late", REPORTS[2]))
    ids = []
    for path in HOSTILE:
        # Follow each while it still looks fine, then let it turn hostile, as feeds do.
        site.feed(path, "Soon hostile", [])
        hostile_feed, _ = await add(services, site.base + path)
        del site.feeds[path]
        ids.append(hostile_feed.id)
    started = time.monotonic()
    outcomes = await services.intake.feeds.round()
    assert time.monotonic() - started < 5  # concurrent: the slow drip costs its time limit once
    by_id = {o.feed_id: o for o in outcomes}
    assert by_id[feed.id].status == "new" and by_id[feed.id].candidates == 2
    assert {by_id[i].status for i in ids} == {"failed"}
    listing = str((await services.intake.feeds.listing(await services.intake.feeds.feeds())).model_dump())
    for expected in ("not an RSS or Atom feed", "loop", "more than 5 redirects", "over 5120 KiB", "within 1.5 s"):
        assert expected in listing
    # Backed off: the next round leaves failing feeds alone; a day later moderators are told, once.
    assert [o.feed_id for o in await services.intake.feeds.round()] == [feed.id]
    assert poster.alerts == []
    clock.advance(hours=25)
    await services.intake.feeds.round()
    assert len(poster.alerts) == len(HOSTILE) and poster.alerts[0][0] == ALERTS
    clock.advance(hours=7)
    await services.intake.feeds.round()
    assert len(poster.alerts) == len(HOSTILE)


async def test_polls_of_one_feed_at_once_propose_each_sentence_once(services, site, poster):
    feed, _ = await add(services, site.feed("/empty.xml", "Empty", []))
    site.feeds["/empty.xml"] = ("Empty", [Item(f"urn:n:{n}", f"/story-{n}.html", "x") for n in range(3)], "rss")
    for n, paragraphs in enumerate(REPORTS):
        site.page(f"/story-{n}.html", article(f"Story {n}", paragraphs))
    await asyncio.gather(*(services.intake.feeds.poll(feed.id) for _ in range(4)))
    await services.intake.review.deliver()
    assert len(poster.statements()) == len(set(poster.statements())) == 6


CORPUS = Path(__file__).resolve().parents[2] / "intake_corpus" / "pages"


async def test_a_wire_story_by_url_gives_its_days_and_claims_standing_alone(services, site, poster):
    site.page("/wire-launch.html", (CORPUS / "t01_wire_launch.html").read_text(encoding="utf-8"))
    outcome = await services.intake.proposing.add_source(
        SourceAddRequest(url=site.base + "/wire-launch.html"), file=None, channel_id=None
    )
    fields = {c.fields["statement"]: c.fields for _, c, _ in poster.posted}
    assert outcome.candidates == len(fields) >= 5
    launched = next(f for s, f in fields.items() if s.startswith("Three ethnic armed groups"))
    assert launched["as_of"] == "2023-10-27" and launched["source_date"] == "2023-10-29"  # "on Friday", a Sunday story
    assert any(s.startswith("[The Three Brotherhood Alliance] called") for s in fields)
    assert not [s for s in fields if s.startswith(("He ", "YANGON")) or "Reporting by" in s or "Our Standards" in s]


async def test_the_language_a_page_declares_survives_reading_it_by_url(services, site):
    site.page("/kabar.html", (CORPUS / "t07_indonesian_brief.html").read_text(encoding="utf-8"))
    article = await services.intake.reading.read_url(site.base + "/kabar.html")
    assert article.canonical_url == site.base + "/kabar.html" and article.language == "id"
