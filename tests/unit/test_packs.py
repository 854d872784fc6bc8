"""YAML packs: a valid pack parses, a bad one reports every problem with the line to edit."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from bot.models import FactKind, SourceKind
from bot.packs import MAX_DEPTH, MAX_PACK_BYTES, MAX_PROBLEMS, PackError, Problem, parse_pack, read_pack
from tests.unit.conftest import PACKS, marker_lines

MINIMAL = "format: 1\ntopic: {slug: t, title: T}\n"


def problems_of(raw: bytes | str) -> list[Problem]:
    with pytest.raises(PackError) as exc:
        parse_pack(raw)
    assert exc.value.problems, "a PackError always carries at least one problem"
    return exc.value.problems


def only_problem(raw: bytes | str) -> Problem:
    found = problems_of(raw)
    assert len(found) == 1, found
    return found[0]


# A valid pack ------------------------------------------------------------------------------------------


def test_valid_pack_parses(small_pack) -> None:
    pack = small_pack
    assert pack.topic.slug == "t1"
    assert [a.slug for a in pack.actors] == ["junta", "tba", "mndaa", "pdf", "china"]
    assert [p.slug for p in pack.places] == ["mm", "shan", "laukkai", "magwe"]
    assert [e.slug for e in pack.events] == ["op1027", "magwe-clash", "laukkai-falls", "haigeng-talks"]
    assert len(pack.facts) == 8
    by_key = {f.key: f for f in pack.facts}
    offensive = by_key["f-offensive"]
    assert offensive.source.title == "Offensive report"
    assert offensive.source.url == "https://example.org/report"
    assert offensive.source.published == date(2023, 11, 28)
    assert offensive.as_of == date(2023, 11, 27)
    assert offensive.grade == "B2"
    assert offensive.actors == ["junta", "tba"]
    assert by_key["f-stake-trade"].kind is FactKind.STAKE
    assert by_key["f-background"].source.kind is SourceKind.BACKGROUND
    assert pack.actors[0].aliases == ["Tatmadaw", "SAC"]
    assert pack.events[3].follows == ["op1027", "laukkai-falls"]


def test_minimal_pack_parses() -> None:
    pack = parse_pack(MINIMAL)
    assert pack.topic.slug == "t"
    assert pack.actors == pack.places == pack.events == pack.facts == []


def test_bytes_and_text_parse_the_same() -> None:
    text = (PACKS / "small.yaml").read_text(encoding="utf-8")
    assert parse_pack(text) == parse_pack(text.encode("utf-8")) == read_pack(PACKS / "small.yaml")


def test_utf8_names_and_bom_accepted() -> None:
    pack = parse_pack(("\ufeff" + MINIMAL.replace("title: T", "title: Magwé — région")).encode("utf-8"))
    assert pack.topic.title == "Magwé — région"


def test_quoted_and_unquoted_dates_both_read() -> None:
    base = MINIMAL + "sources:\n  s1: {title: Doc, published: %s}\n"
    assert parse_pack(base % "2023-11-28").topic.slug == "t"
    assert parse_pack(base % '"2023-11-28"').topic.slug == "t"


# Every problem, with its line --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["broken_schema.yaml", "broken_refs.yaml"])
def test_bad_pack_reports_every_problem_with_its_line(name: str) -> None:
    path = PACKS / name
    expected = marker_lines(path)
    with pytest.raises(PackError) as exc:
        read_pack(path)
    found = {p.location: p.line for p in exc.value.problems}
    assert len(exc.value.problems) == len(expected), exc.value.problems
    assert found == expected
    # The message lists every problem with its line, for the moderator who reads it in Discord.
    for location, line in expected.items():
        assert f"line {line}: {location}:" in str(exc.value)


def test_schema_problems_say_what_is_wrong() -> None:
    with pytest.raises(PackError) as exc:
        read_pack(PACKS / "broken_schema.yaml")
    messages = {p.location: p.message for p in exc.value.problems}
    assert "http(s) URL" in messages["sources.s1.url"]
    assert "lower-case letters" in messages["actors[0].slug"]
    assert "required" in messages["actors[1].kind"]
    assert "YYYY-MM-DD" in messages["events[0].date"]
    assert "at most 6" in messages["facts[0].credibility"]
    assert "unknown key" in messages["colour"]


def test_reference_problems_say_what_is_unknown() -> None:
    with pytest.raises(PackError) as exc:
        read_pack(PACKS / "broken_refs.yaml")
    messages = {p.location: p.message for p in exc.value.problems}
    assert messages["actors[0].affiliations[0].actor"] == "unknown actor 'ghost'"
    assert messages["actors[1]"] == "duplicate actor 'a1'"
    assert messages["places[0].parent"] == "unknown place 'nowhere'"
    assert messages["events[0].place"] == "unknown place 'nowhere'"
    assert messages["events[0].actors[0].actor"] == "unknown actor 'ghost'"
    assert messages["events[0].follows[0]"] == "unknown event 'never'"
    assert messages["facts[0].actors[1]"] == "unknown actor 'ghost'"
    assert messages["facts[0].event"] == "unknown event 'never'"
    assert messages["facts[0].place"] == "unknown place 'nowhere'"
    assert messages["facts[1]"] == "duplicate fact 'f1'"
    assert "unknown source 's9'" in messages["facts[1].source"]
    assert messages["facts[2].stakeholder"] == "unknown actor 'ghost'"
    assert "stakeholder and an interest" in messages["facts[2]"]
    assert "graded F" in messages["facts[3]"]
    assert "is empty" in messages["facts[4].statement"]


def test_impossible_date_in_yaml_is_a_located_problem() -> None:
    text = MINIMAL + "events:\n  - slug: e\n    name: E\n    date: 2023-02-30\n"
    problem = only_problem(text)
    assert problem.location == "events[0].date"
    assert problem.line == 6
    assert "not a real calendar date" in problem.message


def test_non_iso_date_in_yaml_is_a_located_problem() -> None:
    text = MINIMAL + "sources:\n  s1:\n    title: Doc\n    published: 11/12/2023\n"
    problem = only_problem(text)
    assert (problem.location, problem.line) == ("sources.s1.published", 6)


def test_future_date_in_yaml_is_a_located_problem() -> None:
    text = MINIMAL + "events:\n  - {slug: e, name: E, date: 2999-01-01}\n"
    problem = only_problem(text)
    assert (problem.location, problem.line) == ("events[0].date", 4)
    assert "future" in problem.message


@pytest.mark.parametrize(
    ("section", "entry"),
    [
        ("actors", "{slug: a, name: A, kind: state}"),
        ("places", "{slug: a, name: A, kind: town}"),
        ("events", "{slug: a, name: A, date: 2023-10-01}"),
    ],
)
def test_duplicate_slugs_reported_at_the_second(section: str, entry: str) -> None:
    text = MINIMAL + f"{section}:\n  - {entry}\n  - {entry}\n"
    problem = only_problem(text)
    assert (problem.location, problem.line) == (f"{section}[1]", 5)
    assert problem.message.startswith("duplicate")


def test_duplicate_yaml_keys_reported_not_silently_dropped() -> None:
    text = (
        MINIMAL
        + "sources:\n"
        + "  s1: {title: First}\n"
        + "  s1: {title: Second}\n"
        + "actors:\n"
        + "  - slug: a\n"
        + "    name: A\n"
        + "    name: B\n"
        + "    kind: state\n"
    )
    found = {(p.location, p.line) for p in problems_of(text)}
    assert found == {("sources.s1", 5), ("actors[0].name", 9)}


def test_problem_limit_keeps_the_count() -> None:
    facts = "".join(
        f"  - {{key: f{i}, statement: S, kind: event, as_of: 2023-10-01, source: nope,"
        " reliability: B, credibility: 2}\n"
        for i in range(MAX_PROBLEMS + 5)
    )
    with pytest.raises(PackError) as exc:
        parse_pack(MINIMAL + "facts:\n" + facts)
    assert len(exc.value.problems) == MAX_PROBLEMS
    assert f"{MAX_PROBLEMS + 5} problems in pack" in str(exc.value)
    assert "… and 5 more" in str(exc.value)


def test_problem_str_with_and_without_line() -> None:
    assert str(Problem("facts[0].key", 7, "bad")) == "line 7: facts[0].key: bad"
    assert str(Problem("pack.yaml", None, "too big")) == "pack.yaml: too big"


# Documents that are not packs --------------------------------------------------------------------------


def test_not_yaml() -> None:
    problem = only_problem(MINIMAL + "actors: [unclosed\n  - x: : y\n")
    assert problem.location == "document"
    assert "not valid YAML" in problem.message
    assert problem.line is not None


def test_not_yaml_reports_line() -> None:
    problem = only_problem("format: 1\ntopic: {slug: t, title: T}\nsources:\n  s1: title: nested: bad\n")
    assert "not valid YAML" in problem.message
    assert problem.line == 4


@pytest.mark.parametrize(
    "text",
    [
        "a: \x00",
        "a: !!int x",
        "a: !!float x",
        "a: !!bool maybe",
        "a: !!timestamp 2023-02-30",
        "a: !!python/name:os.system",
    ],
)
def test_hostile_yaml_is_a_problem_not_a_crash(text: str) -> None:
    assert "not valid YAML" in only_problem(text).message


def test_several_documents_rejected() -> None:
    assert "not valid YAML" in only_problem(MINIMAL + "---\n" + MINIMAL).message


def test_not_utf8() -> None:
    problem = only_problem(MINIMAL.encode("utf-8") + b"# caf\xe9\n")
    assert "not UTF-8" in problem.message
    assert problem.location == "pack"


def test_origin_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(PackError) as exc:
        read_pack(path)
    assert exc.value.problems[0].location == "mine.yaml"


def test_too_large_bytes_and_text() -> None:
    big = MINIMAL + "#" + "x" * MAX_PACK_BYTES + "\n"
    assert "larger than" in only_problem(big.encode("utf-8")).message
    assert "larger than" in only_problem(big).message


def test_size_is_counted_in_bytes_not_characters() -> None:
    # Under the limit in characters, over it in UTF-8 bytes.
    big = MINIMAL + "# " + "é" * (MAX_PACK_BYTES // 2 + 10) + "\n"
    assert len(big) < MAX_PACK_BYTES
    assert "larger than" in only_problem(big).message


def test_just_under_the_size_limit_parses() -> None:
    padding = MAX_PACK_BYTES - len(MINIMAL) - 3
    text = MINIMAL + "#" + "x" * padding + "\n"
    assert len(text.encode("utf-8")) <= MAX_PACK_BYTES
    assert parse_pack(text.encode("utf-8")).topic.slug == "t"


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_nesting_at_the_limit_passes_the_depth_check() -> None:
    # The root mapping is level 1 and `x:`'s value level 2, so MAX_DEPTH - 1 brackets reach exactly MAX_DEPTH.
    problems = problems_of(MINIMAL + "x: " + nested(MAX_DEPTH - 1) + "\n")
    assert all("nested deeper" not in p.message for p in problems)


def test_too_deep() -> None:
    problem = only_problem(MINIMAL + "x: " + nested(MAX_DEPTH) + "\n")
    assert "nested deeper than 12" in problem.message
    assert problem.line == 3


def test_far_too_deep_does_not_exhaust_the_stack() -> None:
    problem = only_problem("x: " + nested(50_000))
    assert "nested deeper" in problem.message


def test_aliases_rejected_quickly() -> None:
    # "Billion laughs": each line repeats the one before ten times; expanded it is 10**8 values.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    started = time.monotonic()
    problem = only_problem(MINIMAL + "\n".join(lines) + "\n")
    assert time.monotonic() - started < 2
    assert "aliases" in problem.message
    assert problem.line == 4


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty(text: str) -> None:
    problem = only_problem(text)
    assert "empty" in problem.message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n", "null\n", "~\n", "---\n"])
def test_not_a_mapping(text: str) -> None:
    problem = only_problem(text)
    assert "mapping" in problem.message
    assert problem.location == "document"


def test_unknown_top_level_key() -> None:
    problem = only_problem(MINIMAL + "factz: []\n")
    assert (problem.location, problem.line) == ("factz", 3)
    assert "unknown key" in problem.message


def test_missing_topic() -> None:
    problem = only_problem("format: 1\nactors: []\n")
    assert problem.location == "topic"
    assert "required" in problem.message.lower()


def test_unsupported_format() -> None:
    problem = only_problem(MINIMAL.replace("format: 1", "format: 2"))
    assert (problem.location, problem.line) == ("format", 1)


def test_unknown_keys_inside_records_reported() -> None:
    text = MINIMAL + "actors:\n  - slug: a\n    name: A\n    kind: state\n    alias: [typo]\n"
    problem = only_problem(text)
    assert (problem.location, problem.line) == ("actors[0].alias", 7)


def test_bad_source_key_reported() -> None:
    problem = only_problem(MINIMAL + "sources:\n  Bad Key: {title: Doc}\n")
    assert problem.location.startswith("sources.Bad Key")
    assert problem.line == 4


def test_stake_rules_apply_in_packs() -> None:
    text = (
        MINIMAL
        + "sources: {s1: {title: Doc}}\n"
        + "actors: [{slug: a, name: A, kind: state}]\n"
        + "facts:\n"
        + "  - {key: f, statement: S, kind: figure, stakeholder: a, as_of: 2023-10-01, source: s1,"
        + " reliability: B, credibility: 2}\n"
    )
    problem = only_problem(text)
    assert (problem.location, problem.line) == ("facts[0]", 6)
    assert "go together" in problem.message


def test_background_source_with_url_in_pack() -> None:
    text = MINIMAL + "sources:\n  s1: {title: T, kind: background, url: 'https://example.org'}\n"
    problem = only_problem(text)
    assert (problem.location, problem.line) == ("sources.s1", 4)


# Several places, salience marks --------------------------------------------------------------------------

PLACES = MINIMAL + "places:\n  - {slug: a, name: A, kind: region}\n  - {slug: b, name: B, kind: region}\n"


def test_an_event_lists_several_places_and_a_single_place_still_reads() -> None:
    pack = parse_pack(
        PLACES
        + "events:\n"
        + "  - {slug: two, name: Two, date: 2023-11-01, places: [a, b]}\n"
        + "  - {slug: one, name: One, date: 2023-11-02, place: a}\n"
    )
    assert [e.places for e in pack.events] == [["a", "b"], ["a"]]


def test_place_and_places_together_and_unknown_places_are_problems() -> None:
    both = only_problem(PLACES + "events:\n  - {slug: e, name: E, date: 2023-11-01, place: a, places: [b]}\n")
    assert "not both" in both.message
    unknown = only_problem(PLACES + "events:\n  - {slug: e, name: E, date: 2023-11-01, places: [a, nowhere]}\n")
    assert (unknown.location, unknown.message) == ("events[0].places[1]", "unknown place 'nowhere'")


def test_a_fact_may_carry_a_salience_mark_and_only_a_known_one() -> None:
    fact = (
        "sources: {s1: {title: Doc}}\nfacts:\n  - {key: f, statement: S, kind: assessment, as_of: 2023-10-01,"
        " source: s1, reliability: B, credibility: 3, salience: %s}\n"
    )
    assert parse_pack(MINIMAL + fact % "key-judgement").facts[0].salience == "key-judgement"
    assert "salience" in only_problem(MINIMAL + fact % "urgent").location


CLAIMED = """
format: 1
topic: {slug: t, title: T, languages: [en, my]}
sources: {s: {title: Wire}}
actors: [{slug: mndaa, name: MNDAA, kind: armed-group, side: resistance}]
facts:
  - {key: f, statement: The MNDAA said it took the town., kind: event, as_of: 2023-11-01, source: s,
     reliability: B, credibility: 3, claimant: a spokesman for the MNDAA, claimant_actor: ACTOR}
"""


def test_a_claimant_and_its_actor_parse_and_the_actor_must_be_declared() -> None:
    (fact,) = parse_pack(CLAIMED.replace("ACTOR", "mndaa")).facts
    assert (fact.claimant, fact.claimant_actor) == ("a spokesman for the MNDAA", "mndaa")
    problem = only_problem(CLAIMED.replace("ACTOR", "ghost"))
    assert (problem.location, problem.message, problem.line) == ("facts[0].claimant_actor", "unknown actor 'ghost'", 8)
    alone = only_problem(CLAIMED.replace("claimant: a spokesman for the MNDAA, ", "").replace("ACTOR", "mndaa"))
    assert "comes with the claimant" in alone.message


@pytest.mark.parametrize(
    ("languages", "complaint"),
    [("[]", "is empty"), ("[english]", "'english' is not a two-letter ISO 639-1 language code")],
)
def test_a_topics_languages_are_codes_and_at_least_one(languages: str, complaint: str) -> None:
    assert parse_pack(CLAIMED.replace("ACTOR", "mndaa")).topic.languages == ["en", "my"]
    problem = only_problem(CLAIMED.replace("[en, my]", languages).replace("ACTOR", "mndaa"))
    assert problem.location.startswith("topic.languages")
    assert complaint in problem.message
