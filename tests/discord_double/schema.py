"""Check request bodies against Discord's own OpenAPI description of API v10.

The spec lives outside the repository (``../shared/discord/openapi.json`` from the repo root; it is
MIT licensed by Discord and deliberately not copied in). ``DISCORD_OPENAPI_PATH`` overrides the location.
When it is missing the double still works but warns loudly, once, that bodies go unchecked.

The spec is OpenAPI 3.1, whose schemas are JSON Schema 2020-12, so ``jsonschema`` validates them as they
are: nullability is written as ``type: [..., "null"]`` or ``oneOf: [{type: null}, ...]`` and needs no
translation; ``x-discord-union`` and ``format`` are annotations. Relaxations, each because Discord itself
accepts what the spec forbids (see :data:`RELAXATIONS`), are applied to an in-memory copy only.
"""

from __future__ import annotations

import copy
import json
import os
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC_PATH = REPO_ROOT.parent / "shared" / "discord" / "openapi.json"
_SPEC_URI = "urn:discord-openapi-v10"

#: Where the double departs from the spec, and why. Keys are component schema names.
RELAXATIONS: dict[str, str] = {
    "SnowflakeType": (
        "the spec only allows decimal strings, but Discord accepts JSON integers for snowflakes and discord.py "
        "sends some as integers (e.g. allowed_mentions.users/roles, sticker_ids)"
    ),
}


class SchemaWarning(UserWarning):
    """Raised (as a warning) when request bodies cannot be checked."""


@dataclass(frozen=True)
class SchemaViolation:
    """A request body that Discord's schema rejects."""

    method: str
    path: str
    operation: str
    message: str
    location: str
    body: Any

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.operation}): {self.location}: {self.message}"


@dataclass(frozen=True)
class _Operation:
    method: str
    template: str
    regex: re.Pattern[str]
    literals: int
    operation_id: str
    has_json_body: bool


def _spec_path() -> Path:
    override = os.environ.get("DISCORD_OPENAPI_PATH")
    return Path(override) if override else DEFAULT_SPEC_PATH


#: The spec path that was missing, once the warning has been given (read by the plugin's summary).
missing_spec: Path | None = None


def warn_missing(path: Path) -> None:
    """Warn once per process that bodies are not being checked."""
    global missing_spec
    if missing_spec is not None:
        return
    missing_spec = path
    warnings.warn(
        f"Discord OpenAPI schema not found at {path}: request bodies are NOT being checked",
        SchemaWarning,
        stacklevel=3,
    )


class RequestValidator:
    """Matches a request to its OpenAPI operation and validates its JSON body."""

    def __init__(self, spec: dict[str, Any] | None, source: Path) -> None:
        self.source = source
        self.available = spec is not None
        self._operations: list[_Operation] = []
        self._validators: dict[str, Draft202012Validator] = {}
        #: Per operation, its query parameters: name -> (JSON type the text stands for, validator).
        self._query: dict[str, dict[str, tuple[str, Draft202012Validator]]] = {}
        if spec is None:
            return
        spec = copy.deepcopy(spec)
        schemas = spec["components"]["schemas"]
        schemas["SnowflakeType"] = {
            "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}],
        }
        request_schemas: dict[str, Any] = {}
        query_schemas: dict[str, dict[str, Any]] = {}
        for template, item in spec["paths"].items():
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                op_id = op.get("operationId", f"{method} {template}")
                schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                if schema is not None:
                    request_schemas[op_id] = schema
                query = [p for p in op.get("parameters", []) if p.get("in") == "query"]
                if query:
                    query_schemas[op_id] = {p["name"]: p["schema"] for p in query}
                pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
                literals = sum(1 for part in template.split("/") if part and not part.startswith("{"))
                self._operations.append(
                    _Operation(method.upper(), template, re.compile(pattern), literals, op_id, schema is not None)
                )
        self._operations.sort(key=lambda o: -o.literals)
        spec["components"]["x-request-bodies"] = request_schemas
        spec["components"]["x-query-parameters"] = query_schemas
        registry: Registry[Any] = Registry().with_resource(_SPEC_URI, DRAFT202012.create_resource(spec))
        for op_id in request_schemas:
            self._validators[op_id] = Draft202012Validator(
                {"$ref": f"{_SPEC_URI}#/components/x-request-bodies/{op_id}"}, registry=registry
            )
        for op_id, params in query_schemas.items():
            self._query[op_id] = {
                name: (
                    _json_type(schema, schemas),
                    Draft202012Validator(
                        {"$ref": f"{_SPEC_URI}#/components/x-query-parameters/{op_id}/{name}"}, registry=registry
                    ),
                )
                for name, schema in params.items()
            }

    def operation(self, method: str, path: str) -> tuple[str, str] | None:
        """``(operationId, path template)`` for a request, or None if the spec has no such operation."""
        for op in self._operations:
            if op.method == method and op.regex.match(path):
                return op.operation_id, op.template
        return None

    def validate(self, method: str, path: str, body: Any) -> list[SchemaViolation]:
        """Violations of the operation's request schema (empty when valid or not checkable)."""
        if not self.available:
            return []
        found = self.operation(method, path)
        if found is None:
            return []
        op_id, _ = found
        validator = self._validators.get(op_id)
        if validator is None:
            if body is None:
                return []
            return [SchemaViolation(method, path, op_id, "the operation takes no JSON body", "$", body)]
        errors = list(validator.iter_errors(body))
        if not errors:
            return []
        violations: dict[tuple[str, str], SchemaViolation] = {}
        for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))[:10]:
            location, message = _describe(error)
            violations.setdefault((location, message), SchemaViolation(method, path, op_id, message, location, body))
        return list(violations.values())

    def validate_query(self, method: str, path: str, query: dict[str, str]) -> list[SchemaViolation]:
        """Violations of the operation's query parameters; each value is read as the type its schema names."""
        found = self.operation(method, path) if self.available else None
        if found is None:
            return []
        op_id, _ = found
        params = self._query.get(op_id, {})
        violations = []
        for name, text in query.items():
            if name not in params:
                continue  # Discord ignores parameters it does not know
            kind, validator = params[name]
            value = _from_query(text, kind)
            for error in validator.iter_errors(value):
                violations.append(SchemaViolation(method, path, op_id, _describe(error)[1], f"?{name}", query))
        return violations


def _json_type(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    """The JSON type a query parameter's text stands for: its schema's, following one `$ref`."""
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    kind = schema.get("type", "string")
    return kind if isinstance(kind, str) else next((k for k in kind if k != "null"), "string")


def _from_query(text: str, kind: str) -> Any:
    """A query string's text as the JSON value it stands for (left as text when it is not one)."""
    if kind == "integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    if kind == "boolean" and text.lower() in ("true", "false", "1", "0"):  # discord.py sends 1 and 0
        return text.lower() in ("true", "1")
    return text


def _leaf(error: ValidationError) -> ValidationError:
    """Descend through anyOf/oneOf to the alternative that got furthest, so the message names the real problem.

    A branch whose discriminator (a ``const``/``enum`` on a direct property such as ``type``) failed is not
    the one the client meant; among the rest, the branch whose shallowest error is deepest got furthest.
    """
    while error.context:
        depth = len(error.absolute_path)
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)

        def score(errs: list[ValidationError], depth: int = depth) -> tuple[bool, int, int]:
            discriminator_failed = any(
                e.validator in ("const", "enum") and len(e.absolute_path) == depth + 1 for e in errs
            )
            return (not discriminator_failed, min(len(e.absolute_path) for e in errs), -len(errs))

        error = best_match(max(branches.values(), key=score))
    return error


def _describe(error: ValidationError) -> tuple[str, str]:
    leaf = _leaf(error)
    message = leaf.message
    if len(message) > 300:
        instance = leaf.instance
        size = f" (length {len(instance)})" if isinstance(instance, str | list | dict) else ""
        message = f"{type(instance).__name__}{size} fails {leaf.validator!r}: {leaf.validator_value!r}"[:300]
    return leaf.json_path, message


@cache
def load_validator(path: Path | None = None) -> RequestValidator:
    """The validator for the spec at ``path`` (default: the shared spec), loaded once per process."""
    path = path or _spec_path()
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        warn_missing(path)
        return RequestValidator(None, path)
    return RequestValidator(spec, path)
