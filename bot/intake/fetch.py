"""The one way intake reaches the outside world: a guarded HTTP GET.

`Fetcher.get` is the whole interface. Behind it:

- Only `http` and `https`, on every hop.
- No connection to a private, loopback, link-local, multicast, reserved or unspecified address (nor an
  IPv6 address that maps or embeds one), unless `allow_private` (FETCH_ALLOW_PRIVATE_ADDRESSES) is set.
  Names are resolved by `GuardedResolver`, which hands aiohttp only the addresses that passed, so the
  address checked is the address connected to (a name that resolves differently a moment later cannot
  slip through). An address written in the URL never reaches a resolver, so it is checked before the
  request.
- Redirects are followed by hand, at most `MAX_REDIRECTS`, each new URL checked like the first.
- `TIMEOUT` seconds for the whole exchange, redirects included, so a server that drips a byte a second
  is cut off; at most `MAX_BYTES` of body, counted as it arrives, so a huge body is never held.
- The content type must be one the caller accepts.

Every refusal is a `FetchError` whose message says what was wrong, for the feed's status line.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

MAX_REDIRECTS = 5
TIMEOUT = 10.0
MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "briefbot-intake/0.1 (+https://github.com/; a Discord bot reading news feeds for a team)"

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+xml",
        "application/x-rss+xml",
    }
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch that failed or was refused; the message is one line for a moderator."""


class BlockedAddress(OSError):
    """A name resolved only to addresses intake may not connect to."""


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: mapped (::ffff:a.b.c.d), 6to4, or Teredo's client."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public(address: str | Address) -> bool:
    """Whether intake may connect to this address: a global unicast one, and nothing that hides another."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d on a dual-stack socket
            return is_public(ip.ipv4_mapped)
        inner = embedded_ipv4(ip)
        if inner is not None and not is_public(inner):
            return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified
    )


class GuardedResolver(AbstractResolver):
    """Resolves names as aiohttp would, then keeps only the addresses intake may connect to."""

    def __init__(self, *, allow_private: bool = False) -> None:
        self._inner = aiohttp.ThreadedResolver()
        self.allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Every address of `host` that passes; none passing is a `BlockedAddress`."""
        found = await self._inner.resolve(host, port, family)
        allowed = [r for r in found if self.allow_private or is_public(r["host"])]
        if not allowed:
            shown = ", ".join(sorted({r["host"] for r in found}))
            raise BlockedAddress(f"{host} resolves only to addresses intake may not reach ({shown})")
        return allowed

    async def close(self) -> None:
        """Close the resolver underneath."""
        await self._inner.close()


@dataclass(frozen=True)
class Fetched:
    """A response that passed every check: where it ended up, what it is, and its validators."""

    url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """The server said the resource is unchanged since the validators sent (304)."""
        return self.status == 304


def check_url(url: str, *, allow_private: bool) -> URL:
    """The URL parsed, if intake may ask for it: http(s), a host, and no forbidden address written in it."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        raise FetchError(f"{url[:200]!r} is not a URL") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs are fetched, not {parsed.scheme or 'a relative URL'}")
    host = parsed.host
    if not host:
        raise FetchError("the URL has no host")
    if parsed.user or parsed.password:
        raise FetchError("URLs with a user name or password are not fetched")
    literal = host.strip("[]")
    try:
        ipaddress.ip_address(literal.split("%", 1)[0])
    except ValueError:
        return parsed
    if not allow_private and not is_public(literal):
        raise FetchError(f"{literal} is a private, loopback, link-local or multicast address; it is not fetched")
    return parsed


class Fetcher:
    """A guarded aiohttp client; open it once (`async with` or `start`/`close`) and share it."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = TIMEOUT,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        connections: int = 32,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool (needs the running loop)."""
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_private=self.allow_private), limit=self.connections, ttl_dns_cache=60
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": USER_AGENT},
                # Proxies from the environment would connect to addresses this guard never saw.
                trust_env=False,
                auto_decompress=True,
            )

    async def close(self) -> None:
        """Close the pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Fetcher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def get(
        self,
        url: str,
        accept: Collection[str],
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """GET `url` under every rule above; a 304 comes back as a `Fetched` with `not_modified` and no body."""
        await self.start()
        deadline = time.monotonic() + self.timeout
        try:
            async with asyncio.timeout(self.timeout):
                return await self._follow(url, accept, etag, last_modified, deadline)
        except TimeoutError:
            raise FetchError(f"no complete answer within {self.timeout:g} s") from None

    async def _follow(
        self, url: str, accept: Collection[str], etag: str | None, last_modified: str | None, deadline: float
    ) -> Fetched:
        assert self._session is not None
        headers = {"Accept": ", ".join(sorted(accept)) + ", */*;q=0.1"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        seen: set[str] = set()
        for _ in range(self.max_redirects + 1):
            target = check_url(current, allow_private=self.allow_private)
            seen.add(str(target))
            left = max(0.1, deadline - time.monotonic())
            try:
                async with self._session.get(
                    target,
                    headers=headers,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=left),
                    max_line_size=16384,
                    max_field_size=16384,
                ) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        location = response.headers.get("Location")
                        if not location:
                            raise FetchError(f"a {response.status} redirect without a Location")
                        current = str(target.join(URL(location)))
                        if current in seen:
                            raise FetchError("the redirects go round in a loop")
                        continue
                    return await self._read(response, str(target), accept)
            except aiohttp.ClientConnectorError as exc:
                if isinstance(exc.os_error, BlockedAddress):
                    raise FetchError(str(exc.os_error)) from None
                raise FetchError(f"cannot connect to {target.host}: {exc.os_error.strerror or exc}") from None
            except aiohttp.ClientPayloadError as exc:
                raise FetchError(f"the answer was cut off or malformed ({exc})") from None
            except aiohttp.ClientResponseError as exc:
                raise FetchError(f"a malformed answer ({exc.message})") from None
            except aiohttp.ClientError as exc:
                raise FetchError(f"the request failed ({type(exc).__name__}: {exc})") from None
            except ValueError as exc:  # yarl refusing a Location, or aiohttp a URL
                raise FetchError(f"a bad URL on the way ({exc})") from None
        raise FetchError(f"more than {self.max_redirects} redirects")

    async def _read(self, response: aiohttp.ClientResponse, url: str, accept: Collection[str]) -> Fetched:
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if response.status == 304:
            return Fetched(url, 304, b"", "", None, etag, last_modified)
        if response.status != 200:
            raise FetchError(f"HTTP {response.status} {response.reason or ''}".strip())
        content_type = response.content_type.lower()
        if content_type not in accept:
            raise FetchError(f"the answer is {content_type or 'of no stated type'}, not one of the expected types")
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise FetchError(f"the answer is {declared // 1024} KiB; at most {self.max_bytes // 1024} KiB is read")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"the answer is over {self.max_bytes // 1024} KiB; at most that much is read")
            chunks.append(chunk)
        return Fetched(url, 200, b"".join(chunks), content_type, response.charset, etag, last_modified)


def describe(exc: BaseException) -> str:
    """A failure of any kind as one line for a feed's status, never a traceback."""
    if isinstance(exc, FetchError):
        return str(exc)
    text: Any = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]
