"""Feeds and articles into plain data; HTML read only for its text, the story without its teasers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.intake.parse import ParseError, extract_html, extract_text, parse_feed
from tests.intake_data.server import GZERO_PAGE, Item, atom, rss

SEED_TEXT = Path(__file__).resolve().parents[4] / "shared" / "seed" / "000_6face33bba44f1f4.txt"
ADS = ["Microsoft", "Walmart", "YouTube", "Malibu", "Donald Trump", "More from GZERO"]


def test_rss_and_atom_give_their_items():
    items = [Item("urn:t:g1", "/a.html", "First"), Item("urn:t:g2", "/b.html", "Second")]
    for document in (rss("Wire", "http://x.test", items), atom("Wire", "http://x.test", items)):
        parsed = parse_feed(document.encode(), "http://x.test/feed")
        assert parsed.title == "Wire" and parsed.total == 2
        assert [i.guid for i in parsed.items] == ["urn:t:g1", "urn:t:g2"]
        assert parsed.items[0].link == "http://x.test/a.html"
        assert parsed.items[0].published == date(2023, 11, 28)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", "HTML page, not an RSS or Atom feed"),
        (b"\x00\xff garbage \x89PNG", "not an RSS or Atom feed"),
        (b"", "not an RSS or Atom feed"),
        (b'<?xml version="1.0"?><rss><channel><title>Bro', "not an RSS or Atom feed|broken XML"),
    ],
)
def test_what_is_not_a_feed_says_what_it_is(body, message):
    with pytest.raises(ParseError, match=message):
        parse_feed(body, "http://x.test/feed")


def test_the_seed_article_page_gives_the_story_and_never_its_ads():
    article = extract_html(GZERO_PAGE, "https://www.gzeromedia.com/x")
    assert article.title == "A rebel alliance makes Myanmar’s junta sweat"
    assert article.publisher == "GZERO Media"
    assert article.published == date(2023, 11, 28)
    assert article.canonical_url == "https://www.gzeromedia.com/a-rebel-alliance-makes-myanmars-junta-sweat"
    assert "Operation 1027" in article.text and "return to power of the former democratic government" in article.text
    assert not [ad for ad in ADS if ad in article.text]


def test_a_plain_text_copy_ends_where_the_teasers_begin():
    if not SEED_TEXT.exists():
        pytest.skip("shared/seed is not beside this checkout")
    article = extract_text(SEED_TEXT.read_bytes(), "seed.txt")
    assert article.title == "A rebel alliance makes Myanmar’s junta sweat"
    assert "Operation 1027" in article.text
    assert not [ad for ad in ADS if ad in article.text]


def test_the_same_story_in_other_markup_hashes_alike():
    one = extract_text("Title\nThe junta lost Laukkai.", "a.txt")
    two = extract_text("Title\n  the JUNTA lost   Laukkai!", "b.txt")
    assert one.text_hash == two.text_hash


def test_a_page_without_text_is_refused():
    with pytest.raises(ParseError):
        extract_html("<html><head><title>x</title></head><body></body></html>", None)
