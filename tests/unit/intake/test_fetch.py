"""The fetcher's guard and limits, against a real server on loopback."""

from __future__ import annotations

import time

import pytest

from bot.intake import fetch
from bot.intake.fetch import FEED_TYPES, HTML_TYPES, Fetcher, FetchError, check_url, is_public
from tests.intake_data.server import Item, NewsSite


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata, link-local
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1 (not global)
        "not an address",
    ],
)
def test_the_guard_refuses_every_address_that_is_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:1.1.1.1"])
def test_the_guard_lets_public_addresses_through(address):
    assert is_public(address)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/feed.xml", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.org/", "only http and https"),
        ("http://127.0.0.1/feed", "127.0.0.1 is a private"),
        ("http://[::1]:8080/feed", "::1 is a private"),
        ("http://[::ffff:127.0.0.1]/", "is a private"),
        ("http://169.254.169.254/latest/meta-data/", "is a private"),
        ("http://user:pw@example.org/", "user name or password"),
        ("/relative/feed.xml", "only http and https"),
    ],
)
def test_urls_are_checked_before_any_request(url, message):
    with pytest.raises(FetchError, match=message):
        check_url(url, allow_private=False)


async def test_a_name_that_resolves_to_loopback_is_never_connected_to(site: NewsSite):
    site.page("/a.html", "<p>hello</p>")
    port = site.base.rsplit(":", 1)[1]
    async with Fetcher(allow_private=False) as fetcher:
        with pytest.raises(FetchError, match="resolves only to addresses intake may not reach"):
            await fetcher.get(f"http://localhost:{port}/a.html", HTML_TYPES)
        with pytest.raises(FetchError, match="is a private"):
            await fetcher.get(f"{site.base}/a.html", HTML_TYPES)
    assert site.hits["/a.html"] == 0


async def test_every_redirect_is_checked_again(site: NewsSite, monkeypatch):
    """With only 127.0.0.1 counted as public, a redirect to 127.0.0.2 is refused at the hop."""
    real = fetch.is_public
    monkeypatch.setattr(fetch, "is_public", lambda a: str(a) == "127.0.0.1" or real(a))
    port = site.base.rsplit(":", 1)[1]
    site.page("/ok.xml", "<rss version='2.0'><channel><title>t</title></channel></rss>", "application/rss+xml")
    async with Fetcher(allow_private=False) as fetcher:
        assert (await fetcher.get(f"{site.base}/ok.xml", FEED_TYPES)).status == 200
        from aiohttp import web

        async def to_other(request):
            raise web.HTTPFound(f"http://127.0.0.2:{port}/ok.xml")

        site.hostile = to_other  # type: ignore[method-assign]
        with pytest.raises(FetchError, match=r"127\.0\.0\.2 is a private"):
            await fetcher.get(f"{site.base}/elsewhere", FEED_TYPES)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/loop", "loop"),
        ("/hop/0", "more than 5 redirects"),
        ("/to-ftp", "only http and https"),
        ("/huge.xml", "over 5120 KiB"),
        ("/huge-declared.xml", "at most 5120 KiB"),
        ("/page-not-feed", "text/html, not one of the expected types"),
        ("/status/500", "HTTP 500"),
        ("/missing", "HTTP 404"),
    ],
)
async def test_hostile_answers_are_refused_with_a_reason(site: NewsSite, path, message):
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match=message):
            await fetcher.get(site.base + path, FEED_TYPES)


async def test_a_slow_drip_is_cut_off_at_the_time_limit(site: NewsSite):
    async with Fetcher(allow_private=True, timeout=0.8) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"within 0\.8 s"):
            await fetcher.get(site.base + "/drip", FEED_TYPES)
    assert time.monotonic() - started < 2.0


async def test_conditional_requests_get_304_when_unchanged(site: NewsSite):
    url = site.feed("/feed.xml", "Wire", [Item("g1", "/a.html", "A")])
    async with Fetcher(allow_private=True) as fetcher:
        first = await fetcher.get(url, FEED_TYPES)
        assert first.status == 200 and first.etag and first.last_modified
        again = await fetcher.get(url, FEED_TYPES, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    assert site.not_modified["/feed.xml"] == 1
