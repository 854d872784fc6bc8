"""YAML packs: a whole topic in one reviewable file, validated as a whole before anything is written.

A pack is parsed with PyYAML's composer rather than `safe_load` so that every node keeps its line; when
pydantic rejects a value the report names the path *and* the line, which is what a moderator editing a
300-fact file needs. Sources are declared once and facts refer to them by key, which keeps the file short
and avoids YAML anchors (whose expansion a hostile file could use to blow up validation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.errors import in_words
from bot.models import (
    FACT_ACTORS_MAX,
    LINE,
    STATEMENT_MAX,
    Actor,
    Claimant,
    Credibility,
    Event,
    Fact,
    FactKind,
    Interest,
    PastDate,
    Place,
    Reason,
    Reliability,
    Salience,
    Slug,
    Source,
    Topic,
)

PACK_FORMAT = 1
MAX_PACK_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 12
MAX_PROBLEMS = 50
UNKNOWN_KEY = "unknown key: check its spelling against bot/seed_packs"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a pack, where it is and what rule it breaks."""

    location: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.location}: {self.message}"


def plural(count: int, noun: str) -> str:
    """`1 problem`, `3 problems`: a count with its noun, never `problem(s)`."""
    return f"{count} {noun if count == 1 else noun + 's'}"


class PackError(Exception):
    """A pack that cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        extra = len(problems) - len(self.problems)
        lines = [str(p) for p in self.problems] + ([f"… and {extra} more"] if extra > 0 else [])
        super().__init__(f"{plural(len(problems), 'problem')} in pack:\n" + "\n".join(lines))


class PackFact(BaseModel):
    """A fact as written in a pack: its source is a key into the pack's `sources`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Slug = Field(description="The fact's id, unique in the pack; a later import with the same key revises it.")
    # The bounds on statement and actors are Fact's, enforced when a pack fact becomes a Fact (so that a
    # too-long statement is reported alongside unknown references); here they only inform the JSON Schema.
    statement: str = Field(
        description="The claim in one or two sentences, as the source supports it.",
        json_schema_extra={"minLength": 1, "maxLength": STATEMENT_MAX},
    )
    kind: FactKind = Field(
        description="Where the fact appears in a brief; a `stake` needs `stakeholder` and `interest`."
    )
    actors: list[Slug] = Field(
        default_factory=list,
        description="Slugs of the actors the fact is about.",
        json_schema_extra={"maxItems": FACT_ACTORS_MAX},
    )
    event: Slug | None = Field(None, description="The slug of the event the fact is about.")
    place: Slug | None = Field(None, description="The slug of the place the fact is about.")
    stakeholder: Slug | None = Field(
        None,
        description="The slug of the actor who stands to gain or lose by it: required for a `stake`, allowed on "
        "any fact that is also at stake for someone (with `interest`).",
    )
    interest: Interest | None = Field(None, description="With `stakeholder`: the interest it touches.")
    as_of: PastDate = Field(description="The day the statement describes, YYYY-MM-DD, not in the future.")
    source: Slug = Field(description="The key of a source declared under `sources`.")
    reliability: Reliability = Field(
        description="Admiralty grade of the source, A (completely reliable) to F (cannot be judged); "
        "a background-knowledge fact is F."
    )
    credibility: Credibility = Field(
        description="Admiralty grade of the information, 1 (confirmed) to 6 (cannot be judged)."
    )
    salience: Salience | None = Field(
        None,
        description="Only where the pack's author knows better than the data: `key-judgement` (the bottom line "
        "`/brief` opens with), `headline` (leads wherever it appears) or `colour` (shown after the rest).",
    )
    retracted: Reason | None = Field(
        None, description="Why the fact was retracted; a retracted fact stays on record but leaves every answer."
    )
    claimant: Claimant | None = Field(
        None,
        description='Who makes the claim, as the source names them ("a spokesman for the MNDAA"); answers'
        ' show "claimed by" it. Leave it out for the source\'s own reporting.',
    )
    claimant_actor: Slug | None = Field(
        None,
        description="With `claimant`: the slug of the actor that is. A party to the fighting (side `regime` or"
        " `resistance`) makes the claim a party's: answers say so, and its credibility is stored as 3 at best.",
    )


#: One group of the thesaurus: two or more words or short phrases.
RelatedTerms = Annotated[
    list[Annotated[str, LINE, Field(min_length=1, max_length=60, pattern=r"\w")]],
    Field(min_length=2, max_length=20),
]


class PackFile(BaseModel):
    """The document shape of a pack file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: int = Field(PACK_FORMAT, ge=PACK_FORMAT, le=PACK_FORMAT, description="The pack format's version.")
    topic: Topic = Field(description="The dossier every record in the pack belongs to.")
    sources: dict[Slug, Source] = Field(
        default_factory=dict, description="Every source, declared once under a key that facts cite."
    )
    actors: list[Actor] = Field(default_factory=list, description="Who acts in the crisis.")
    places: list[Place] = Field(default_factory=list, description="Countries, regions and towns, nested by parent.")
    events: list[Event] = Field(default_factory=list, description="What happened, and when.")
    facts: list[PackFact] = Field(default_factory=list, description="Sourced, graded statements.")
    related: list[RelatedTerms] = Field(
        default_factory=list,
        description="The topic's thesaurus for /search: groups of terms that mean nearly the same here, such as"
        " [outgun, better armed]; a question that says one also finds facts worded with the others.",
    )


PACK_SCHEMA_ID = f"urn:briefbot:pack:format-{PACK_FORMAT}"


def pack_json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for a pack file, built from the models that validate packs.

    Editors use it to complete and check a pack as it is typed. It covers the shape, the types, the
    allowed values and the lengths; what spans records (a slug declared before it is cited, a stake that
    names its stakeholder, no date in the future) is checked by `briefbot import --dry-run` alone.
    """
    schema = PackFile.model_json_schema(mode="validation")
    schema.pop("title", None)
    schema.pop("description", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PACK_SCHEMA_ID,
        "title": f"briefbot topic pack (format {PACK_FORMAT})",
        "description": (
            "A whole topic in one YAML file: the topic, its sources, actors, places, events and facts. "
            "References between records, the rules that tie fields together and dates in the future are "
            "checked only on import: run `briefbot import --dry-run PACK`."
        ),
        **schema,
    }


@dataclass(frozen=True, slots=True)
class Pack:
    """A validated topic, every reference checked, ready for the store to apply in one transaction."""

    topic: Topic
    actors: list[Actor]
    places: list[Place]
    events: list[Event]
    facts: list[Fact]
    retracted: dict[str, str] = field(default_factory=dict)
    related: list[list[str]] = field(default_factory=list)


class _PackLoader(yaml.SafeLoader):
    """SafeLoader that bounds nesting while composing, refuses aliases and leaves dates as text.

    The composer recurses, so depth is checked as each node starts (a 5,000-deep list would otherwise
    end in RecursionError). An alias re-uses a node, so a few lines can expand to millions of values.
    Dates stay strings so that pydantic, not the YAML constructor, rejects 2023-02-30 with its line.
    """

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # PyYAML's stubs leave peek_event untyped.
        line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
        if self.check_event(AliasEvent):
            raise PackError([Problem("document", line, "YAML aliases (*name) are not allowed in a pack")])
        self._nesting = getattr(self, "_nesting", 0) + 1
        try:
            if self._nesting > MAX_DEPTH:
                raise PackError([Problem("document", line, f"nested deeper than {MAX_DEPTH}")])
            return super().compose_node(parent, index)
        finally:
            self._nesting -= 1


# Dates stay text: the pack loader resolves every implicit tag but the timestamp.
_PackLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _duplicate_keys(node: Node, loc: tuple[int | str, ...] = ()) -> list[Problem]:
    """YAML keeps the last of two equal keys; in a pack the first would silently vanish."""
    problems: list[Problem] = []
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                if key.value in seen:
                    where = _location((*loc, key.value))
                    problems.append(Problem(where, key.start_mark.line + 1, f"duplicate key {key.value!r}"))
                seen.add(key.value)
            problems.extend(_duplicate_keys(value, (*loc, getattr(key, "value", "?"))))
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            problems.extend(_duplicate_keys(item, (*loc, i)))
    return problems


def _depth(node: Node, depth: int = 1) -> int:
    """Refuse deep nesting before construction, which recurses and could exhaust the stack."""
    if depth > MAX_DEPTH:
        raise PackError([Problem("document", node.start_mark.line + 1, f"nested deeper than {MAX_DEPTH}")])
    if isinstance(node, MappingNode):
        return max([depth, *(_depth(v, depth + 1) for _, v in node.value)])
    if isinstance(node, SequenceNode):
        return max([depth, *(_depth(v, depth + 1) for v in node.value)])
    return depth


def _line_of(root: Node, loc: tuple[int | str, ...]) -> int | None:
    """Walk the YAML node tree along a pydantic error location to find the line a person should edit."""
    node = root
    for part in loc:
        if isinstance(node, MappingNode):
            match = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(part)), None)
            if match is None:
                break
            node = match
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _compose(text: str) -> tuple[Node, Any]:
    """Parse once, keeping the node tree (for line numbers) and the plain data (for validation)."""
    loader: _PackLoader | None = None
    try:
        loader = _PackLoader(text)
        root = loader.get_single_node()
        if root is None:
            raise PackError([Problem("document", None, "the pack is empty")])
        _depth(root)
        duplicates = _duplicate_keys(root)
        if duplicates:
            raise PackError(duplicates)
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PackError([Problem("document", line, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    except (ValueError, KeyError, TypeError) as exc:
        # An explicit tag such as `!!int x` or `!!bool maybe` fails inside PyYAML's constructor.
        raise PackError([Problem("document", None, f"not valid YAML: a tagged value cannot be read ({exc})")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return root, data


def parse_pack(raw: bytes | str, origin: str = "pack") -> Pack:
    """Parse and validate a pack, raising `PackError` with every problem and its line."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_PACK_BYTES:
            raise PackError([Problem(origin, None, f"larger than {MAX_PACK_BYTES // 1024} KiB")])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PackError([Problem(origin, None, f"not UTF-8 (byte {exc.start})")]) from None
    else:
        text = raw
        if len(text.encode("utf-8")) > MAX_PACK_BYTES:
            raise PackError([Problem(origin, None, f"larger than {MAX_PACK_BYTES // 1024} KiB")])
    root, data = _compose(text)
    if not isinstance(data, dict):
        raise PackError([Problem("document", 1, "a pack is a mapping with topic, sources, actors, … keys")])
    try:
        doc = PackFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(_location(e["loc"]), _line_of(root, e["loc"]), in_words(e, unknown=UNKNOWN_KEY))
            for e in exc.errors()
        ]
        raise PackError(problems) from None
    return _resolve(doc, root)


def _resolve(doc: PackFile, root: Node) -> Pack:
    """Check every cross-reference and build domain facts, collecting all problems before failing."""
    problems: list[Problem] = []

    def problem(loc: tuple[int | str, ...], message: str) -> None:
        problems.append(Problem(_location(loc), _line_of(root, loc), message))

    def unique(section: str, slugs: list[str]) -> set[str]:
        seen: set[str] = set()
        for i, slug in enumerate(slugs):
            if slug in seen:
                problem((section, i), f"duplicate {section[:-1]} {slug!r}")
            seen.add(slug)
        return seen

    actors = unique("actors", [a.slug for a in doc.actors])
    places = unique("places", [p.slug for p in doc.places])
    events = unique("events", [e.slug for e in doc.events])
    unique("facts", [f.key for f in doc.facts])

    def check(loc: tuple[int | str, ...], slug: str | None, known: set[str], what: str) -> None:
        if slug is not None and slug not in known:
            problem(loc, f"unknown {what} {slug!r}")

    for i, actor in enumerate(doc.actors):
        for j, aff in enumerate(actor.affiliations):
            check(("actors", i, "affiliations", j, "actor"), aff.actor, actors, "actor")
    for i, place in enumerate(doc.places):
        check(("places", i, "parent"), place.parent, places, "place")
    for i, event in enumerate(doc.events):
        if event.place is not None:
            check(("events", i, "place"), event.place, places, "place")
        else:
            for j, slug in enumerate(event.places):
                check(("events", i, "places", j), slug, places, "place")
        for j, part in enumerate(event.actors):
            check(("events", i, "actors", j, "actor"), part.actor, actors, "actor")
        for j, slug in enumerate(event.follows):
            check(("events", i, "follows", j), slug, events, "event")

    facts: list[Fact] = []
    for i, pf in enumerate(doc.facts):
        for j, slug in enumerate(pf.actors):
            check(("facts", i, "actors", j), slug, actors, "actor")
        check(("facts", i, "event"), pf.event, events, "event")
        check(("facts", i, "place"), pf.place, places, "place")
        check(("facts", i, "stakeholder"), pf.stakeholder, actors, "actor")
        check(("facts", i, "claimant_actor"), pf.claimant_actor, actors, "actor")
        source = doc.sources.get(pf.source)
        if source is None:
            problem(("facts", i, "source"), f"unknown source {pf.source!r}; declare it under sources")
            continue
        try:
            facts.append(Fact(**pf.model_dump(exclude={"source", "retracted"}), source=source))
        except ValidationError as exc:
            for err in exc.errors():
                problem(("facts", i, *err["loc"]), in_words(err, unknown=UNKNOWN_KEY))
    if problems:
        raise PackError(problems)
    retracted = {pf.key: pf.retracted for pf in doc.facts if pf.retracted}
    related = [list(group) for group in doc.related]
    return Pack(doc.topic, list(doc.actors), list(doc.places), list(doc.events), facts, retracted, related)


def read_pack(path: Path) -> Pack:
    """Read a pack file from disk."""
    return parse_pack(path.read_bytes(), origin=path.name)
