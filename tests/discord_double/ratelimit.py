"""Rate limits: injected 429s for tests, and optional real per-route buckets for benchmarks.

discord.py's limiter reads ``X-RateLimit-*`` headers from every response and only honours a 429 that
carries a ``Via`` header (anything else it takes for a Cloudflare ban and raises), so every response here
carries ``Via`` and a bucket, as Discord's do.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field
from typing import Literal

Scope = Literal["user", "shared", "global"]

#: Limits close to Discord's published/observed ones, used when ``enforce_limits`` is on.
DEFAULT_ROUTE_LIMITS: list[tuple[str, str, int, float]] = [
    ("POST", r"/channels/(\d+)/messages", 5, 5.0),
    ("PATCH", r"/channels/(\d+)/messages/\d+", 5, 5.0),
    ("DELETE", r"/channels/(\d+)/messages/\d+", 5, 5.0),
    ("POST", r"/webhooks/(\d+/[^/]+)", 5, 2.0),
    ("PATCH", r"/webhooks/(\d+/[^/]+)/messages/[^/]+", 5, 2.0),
    ("PUT", r"/applications/\d+/(?:guilds/(\d+)/)?commands", 2, 20.0),
]

#: Discord's global limit, per bot, across every route but the interaction endpoints, which it exempts.
GLOBAL_LIMIT = (50, 1.0)
GLOBAL_EXEMPT = ("/interactions/", "/webhooks/")

#: The bucket advertised for routes without an enforced limit: generous, so it never throttles the client.
UNLIMITED = 50


def _bucket_hash(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:16]


@dataclass
class InjectedRateLimit:
    """Answer the next ``times`` requests matching ``method`` + ``path`` (``re.fullmatch``) with 429."""

    method: str
    pattern: re.Pattern[str]
    times: int
    retry_after: float
    scope: Scope
    hits: int = 0

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.times

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.pattern.fullmatch(path) is not None


@dataclass
class RouteLimit:
    """A fixed-window limit of ``limit`` requests per ``per`` seconds, per major parameter (group 1)."""

    method: str
    pattern: re.Pattern[str]
    limit: int
    per: float
    windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    @property
    def bucket(self) -> str:
        return _bucket_hash(f"{self.method} {self.pattern.pattern}")

    def take(self, now: float, major: str) -> tuple[float, int]:
        """Count one request in its window: (seconds until the window resets, requests in it with this one).

        A request over the limit is not counted, as Discord does not serve it.
        """
        start, count = self.windows.get(major, (now, 0))
        if now - start >= self.per:
            start, count = now, 0
        if count < self.limit:
            self.windows[major] = (start, count + 1)
        return start + self.per - now, count + 1

    def match(self, method: str, path: str) -> str | None:
        """The major parameter if this limit applies to the request, else None."""
        if method != self.method:
            return None
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return next((g for g in found.groups() if g), "")


@dataclass
class Verdict:
    """What the limiter decided: headers for the response and, if limited, the 429 body."""

    headers: dict[str, str]
    limited: dict[str, object] | None = None


class RateLimiter:
    """Decides, per request, whether to answer 429 and which rate-limit headers to send."""

    def __init__(self) -> None:
        self.injected: list[InjectedRateLimit] = []
        self.route_limits: list[RouteLimit] = []
        #: On with the default limits: requests per second across routes, as one fixed window.
        self.global_limit: RouteLimit | None = None
        self.enforce = False
        self.limited_count = 0

    def inject(
        self, method: str, path_regex: str | re.Pattern[str], *, times: int, retry_after: float, scope: Scope
    ) -> InjectedRateLimit:
        rule = InjectedRateLimit(method.upper(), re.compile(path_regex), times, retry_after, scope)
        self.injected.append(rule)
        return rule

    def add_route_limit(self, method: str, path_regex: str | re.Pattern[str], limit: int, per: float) -> RouteLimit:
        rule = RouteLimit(method.upper(), re.compile(path_regex), limit, per)
        self.route_limits.insert(0, rule)
        return rule

    def use_defaults(self) -> None:
        """Install :data:`DEFAULT_ROUTE_LIMITS` (after any limits added explicitly) and start enforcing."""
        for method, pattern, limit, per in DEFAULT_ROUTE_LIMITS:
            self.route_limits.append(RouteLimit(method, re.compile(pattern), limit, per))
        self.global_limit = RouteLimit("*", re.compile(".*"), *GLOBAL_LIMIT)
        self.enforce = True

    def reset(self) -> None:
        self.injected.clear()
        for rule in [*self.route_limits, *filter(None, [self.global_limit])]:
            rule.windows.clear()
        self.limited_count = 0

    def check(self, method: str, path: str, route: str) -> Verdict:
        """Decide on one request; ``route`` is its path template, which names the default bucket."""
        now = time.time()
        for rule in self.injected:
            if not rule.exhausted and rule.matches(method, path):
                rule.hits += 1
                self.limited_count += 1
                return self._limited(rule.retry_after, rule.scope, limit=1, bucket=_bucket_hash(f"{method} {route}"))
        if self.enforce:
            every = self.global_limit
            if every is not None and not path.startswith(GLOBAL_EXEMPT):
                reset_after, count = every.take(now, "")
                if count > every.limit:
                    self.limited_count += 1
                    return self._limited(reset_after, "global", limit=every.limit, bucket=every.bucket)
            for limit in self.route_limits:
                major = limit.match(method, path)
                if major is None:
                    continue
                reset_after, count = limit.take(now, major)
                if count > limit.limit:
                    self.limited_count += 1
                    return self._limited(reset_after, "user", limit=limit.limit, bucket=limit.bucket)
                return Verdict(_headers(limit.limit, limit.limit - count, reset_after, limit.bucket))
        return Verdict(_headers(UNLIMITED, UNLIMITED - 1, 1.0, _bucket_hash(f"{method} {route}")))

    @staticmethod
    def _limited(retry_after: float, scope: Scope, *, limit: int, bucket: str) -> Verdict:
        headers = _headers(limit, 0, retry_after, bucket)
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        headers["X-RateLimit-Scope"] = scope
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        body: dict[str, object] = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": scope == "global",
        }
        if scope == "shared":
            body["code"] = 0
        return Verdict(headers, body)


def _headers(limit: int, remaining: int, reset_after: float, bucket: str) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(0, remaining)),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }
