"""Topics > Rate Limits: 429s a test injects, and realistic per-route buckets."""

from __future__ import annotations

import re

from ..ratelimit import InjectedRateLimit, RouteLimit, Scope
from .state import DoubleState


class RateLimitsApi(DoubleState):
    """The controls; :class:`..ratelimit.RateLimiter` decides, in :meth:`.routing.Router._handle_rest`."""

    def rate_limit(
        self,
        method: str,
        path_regex: str | re.Pattern[str],
        *,
        times: int = 1,
        retry_after: float = 0.05,
        scope: Scope = "user",
        global_: bool = False,
    ) -> InjectedRateLimit:
        """Answer the next ``times`` requests matching ``method`` and ``path_regex`` (full match on the path
        after ``/api/v10``, e.g. ``r"/channels/\\d+/messages"``; method ``"*"`` for any) with a 429.

        The returned rule's ``hits`` tells how many 429s were served.
        """
        return self.ratelimits.inject(
            method, path_regex, times=times, retry_after=retry_after, scope="global" if global_ else scope
        )

    def enforce_limits(self, enabled: bool = True) -> None:
        """Enforce realistic per-route buckets (see ``ratelimit.DEFAULT_ROUTE_LIMITS``), e.g. for benchmarks."""
        if enabled and not self.ratelimits.enforce:
            self.ratelimits.use_defaults()
        self.ratelimits.enforce = enabled

    def route_limit(self, method: str, path_regex: str, limit: int, per: float) -> RouteLimit:
        """Enforce ``limit`` requests per ``per`` seconds on a route; group 1 of the regex is the major key."""
        rule = self.ratelimits.add_route_limit(method, path_regex, limit, per)
        self.ratelimits.enforce = True
        return rule
