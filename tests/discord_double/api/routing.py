"""How a REST request reaches its handler: the route table, auth, rate limits, schema checks, errors.

A handler is a method of one of the resource mixins, tagged with :func:`route`; :class:`Router` collects
every tagged method of the double, so a new endpoint is one decorated method in the module of its resource.
"""

from __future__ import annotations

import functools
import json
import re
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from ..files import FilePart
from ..records import RecordedRequest
from .state import API_PREFIX, DoubleState

#: Where :func:`route` leaves its (method, template, auth) on a handler.
ROUTES_ATTRIBUTE = "discord_routes"


class DiscordError(Exception):
    """Raised inside a handler to answer with Discord's error format."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


@dataclass
class Reply:
    status: int = 200
    body: Any = None


@dataclass
class Ctx:
    request: web.Request
    record: RecordedRequest
    params: dict[str, str]
    body: Any
    files: dict[str, FilePart] = field(default_factory=dict)


Handler = Callable[[Ctx], Awaitable[Reply]]
F = TypeVar("F", bound=Callable[..., Awaitable[Reply]])


@dataclass
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool
    literals: int


def route(method: str, template: str, *, auth: bool = True) -> Callable[[F], F]:
    """Serve ``method template`` (the path after ``/api/v10``, ``{name}`` for a parameter) with this method.

    ``auth=False`` for what Discord serves without the bot token: the gateway URL, and the interaction
    callback and webhooks, which the interaction token authorises. Stack it for several paths.
    """

    def tag(handler: F) -> F:
        setattr(handler, ROUTES_ATTRIBUTE, [*getattr(handler, ROUTES_ATTRIBUTE, ()), (method, template, auth)])
        return handler

    return tag


class Router(DoubleState):
    """Serves ``/api/v10/...``: matches a route, checks auth, limits and the body, and answers as Discord does."""

    @functools.cached_property
    def _routes(self) -> list[Route]:
        """Every :func:`route`-tagged method of the double, most literal path segments first.

        So ``/users/@me`` is tried before ``/users/{user_id}``, whatever order the resources are mixed in.
        """
        found: list[Route] = []
        for name in dir(type(self)):
            function = getattr(type(self), name, None)
            for method, template, auth in getattr(function, ROUTES_ATTRIBUTE, ()):
                pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
                literals = sum(1 for part in template.split("/") if part and not part.startswith("{"))
                found.append(Route(method, template, re.compile(pattern), getattr(self, name), auth, literals))
        found.sort(key=lambda r: (-r.literals, r.template, r.method))
        return found

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for known in self._routes:
            if known.method == method and (found := known.regex.match(path)):
                return known, found.groupdict()
        return None

    async def _handle_rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :] or "/"
        method = request.method
        record = RecordedRequest(
            method=method, path=path, query=dict(request.query), headers=dict(request.headers), json=None
        )
        self.requests.append(record)
        matched = self._match(method, path)
        record.route = matched[0].template if matched else None
        headers: dict[str, str] = {"Via": "1.1 google"}
        try:
            body, files = await self._read_body(request)
            record.json = body
            record.files = sorted(files)
            if matched is None:
                self.unknown_routes.append(record)
                raise DiscordError(404, 0, "404: Not Found")
            route, params = matched
            if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
                raise DiscordError(401, 0, "401: Unauthorized")
            verdict = self.ratelimits.check(method, path, route.template)
            headers.update(verdict.headers)
            if verdict.limited is not None:
                reply = Reply(429, verdict.limited)
            else:
                self._validate(method, path, body)
                self._validate_query(method, path, record.query)
                reply = await route.handler(Ctx(request, record, params, body, files))
        except DiscordError as error:
            reply = Reply(error.status, error.body())
        except Exception as error:  # a bug in the double must fail the test, not hang the client
            self.internal_errors.append(f"{method} {path}: {''.join(traceback.format_exception(error))}")
            reply = Reply(400, {"message": f"Discord double internal error: {error!r}", "code": 0})
        record.status = reply.status
        if reply.status == 204 or reply.body is None:
            return web.Response(status=204 if reply.status < 300 else reply.status, headers=headers)
        # Exactly "application/json": discord.py compares the header verbatim (no "; charset=utf-8").
        headers["Content-Type"] = "application/json"
        return web.Response(body=json.dumps(reply.body).encode(), status=reply.status, headers=headers)

    async def _read_body(self, request: web.Request) -> tuple[Any, dict[str, FilePart]]:
        if not request.can_read_body:
            return None, {}
        if request.content_type == "multipart/form-data":
            body: Any = None
            files: dict[str, FilePart] = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(data)
                else:
                    files[part.name or ""] = FilePart(part.filename, bytes(data))  # type: ignore[union-attr]
            return body, files
        raw = await request.read()
        if not raw:
            return None, {}
        try:
            return json.loads(raw), {}
        except ValueError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None

    def _validate(self, method: str, path: str, body: Any) -> None:
        if body is None or not self.check_schema:
            return
        violations = self.validator.validate(method, path, body)
        if not violations:
            return
        self.schema_violations.extend(violations)
        if self.reject_invalid_bodies:
            errors: dict[str, Any] = {}
            for violation in violations:
                node = errors
                for part in re.findall(r"\[(\d+)\]|\.([^.\[]+)", violation.location):
                    node = node.setdefault(part[0] or part[1], {})
                node["_errors"] = [{"code": "SCHEMA_VIOLATION", "message": violation.message}]
            raise DiscordError(400, 50035, "Invalid Form Body", errors)

    def _validate_query(self, method: str, path: str, query: dict[str, str]) -> None:
        if not query or not self.check_schema:
            return
        violations = self.validator.validate_query(method, path, query)
        if not violations:
            return
        self.schema_violations.extend(violations)
        if self.reject_invalid_bodies:
            errors = {
                v.location.removeprefix("?"): {"_errors": [{"code": "SCHEMA_VIOLATION", "message": v.message}]}
                for v in violations
            }
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
