"""Answers over the seed pack, read as an analyst reads them: what matters first, every line cited, each claim once.

The expectations in READER_NEEDS are written from the article (GZERO Media, "A rebel alliance makes Myanmar's
junta sweat"), not from what the code happens to print: for each question, the facts a reader needs before
anything else, and how early they must come. `content lines` are an answer's lines in reading order
(description, then each section), leaving out notes (what the answer covers, record labels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.briefing.answer import Answer, Line
from bot.briefing.queries import build
from bot.briefing.service import Briefing
from bot.claims import same_claim
from bot.console import parse_line
from bot.digests.models import PreviewRequest
from bot.packs import parse_pack, read_pack
from bot.render.text import render_text
from bot.store import Store
from bot.store.writes import apply_pack
from tests.unit.digest_doubles import at, open_rig

PACK_PATH = Path(__file__).resolve().parents[2] / "bot" / "seed_packs" / "operation-1027.yaml"
SEED = PACK_PATH.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Need:
    """What a reader needs first from one command: these facts (by key) within its first `within` content lines."""

    command: str
    within: int
    keys: tuple[str, ...]
    why: str


READER_NEEDS = [
    Need(
        "/brief",
        2,
        ("o1027-010", "o1027-021"),
        "the bottom line: the rebels face a tough fight, the junta still outguns them",
    ),
    Need(
        "/brief",
        5,
        ("o1027-011", "o1027-012", "o1027-022"),
        "then the figures that carry the story (40% of access, the halted trade) and complete air superiority",
    ),
    Need("/brief as_of:2023-11-27", 2, ("o1027-010", "o1027-021"), "the same bottom line on the article's day"),
    Need(
        "/actor name:Tatmadaw",
        4,
        ("o1027-021", "o1027-022"),
        "the junta outguns the rebels and rules the air, ahead of the headline phrase",
    ),
    Need(
        '/actor name:"People\'s Defense Forces"',
        1,
        ("o1027-009",),
        "who they are: paramilitaries organised by members of the former democratic government",
    ),
    Need(
        '/actor name:"Three Brotherhood Alliance"',
        3,
        ("o1027-005", "o1027-010"),
        "an alliance of ethnic minority rebels, facing a tough fight",
    ),
    Need("/event name:coup", 2, ("o1027-008",), "the military took over in 2021"),
    Need(
        '/event name:"Operation 1027"',
        2,
        ("o1027-004",),
        "a joint offensive by the Three Brotherhood Alliance",
    ),
    Need("/timeline region:Sagaing", 1, ("o1027-017",), "the PDF disrupted military control in Sagaing"),
    Need("/timeline region:Magway", 1, ("o1027-018",), "... and in Magwe"),
    Need("/stakes", 2, ("o1027-011", "o1027-012"), "trade first: access to China and the halted trade"),
    Need('/search query:"air superiority"', 1, ("o1027-022",), "the fact that answers the question"),
]


@pytest.fixture
async def seeded():
    store = await Store.open(":memory:")
    await apply_pack(store.db, read_pack(PACK_PATH))
    yield Briefing(store, "operation-1027", "Beijing")
    await store.close()


async def ask(briefing: Briefing, line: str, page: int = 1) -> Answer:
    parsed = parse_line(line)
    query = build(parsed.command.query, **parsed.options)
    run = parsed.command.run
    return await (run(briefing, query, page) if page > 1 else run(briefing, query))  # type: ignore[call-arg]


def reading_order(answer: Answer) -> list[Line]:
    return [*answer.lines, *(line for section in answer.sections for line in section.lines)]


async def keys_of(briefing: Briefing, line: Line) -> list[str]:
    return [f.key for f in await briefing.store.facts_by_id(line.facts)]


async def content_keys(briefing: Briefing, answer: Answer) -> list[list[str]]:
    return [await keys_of(briefing, line) for line in reading_order(answer) if not line.note]


# What a reader needs first ----------------------------------------------------------------------------


@pytest.mark.parametrize("need", READER_NEEDS, ids=lambda n: f"{n.command} [{n.within}]")
async def test_the_facts_a_reader_needs_come_first(seeded, need: Need) -> None:
    answer = await ask(seeded, need.command)
    first = [key for keys in (await content_keys(seeded, answer))[: need.within] for key in keys]
    missing = [key for key in need.keys if key not in first]
    assert not missing, f"{need.command}: {need.why}; first lines cite {first}"


async def test_brief_opens_with_a_cited_bottom_line_of_key_judgements(seeded) -> None:
    answer = await ask(seeded, "/brief")
    assert answer.lines[0].text.startswith("**Bottom line:** ")
    assert 1 <= len(answer.lines) <= 2
    assert all(line.cites for line in answer.lines)
    facts = await seeded.store.facts_by_id([i for line in answer.lines for i in line.facts])
    assert {f.salience for f in facts} == {"key-judgement"}


async def test_the_headline_phrase_does_not_crowd_out_the_junta_s_key_facts(seeded) -> None:
    answer = await ask(seeded, "/actor name:Tatmadaw")
    key_facts = next(s for s in answer.sections if s.title == "Key facts")
    text = " ".join(line.text for line in key_facts.lines)
    assert "outgun" in text and "air superiority" in text
    assert "sweat" not in text


async def test_beijing_s_diplomacy_stake_is_the_current_one(seeded) -> None:
    brief = await ask(seeded, "/brief")
    stakes = next(s for s in brief.sections if s.title == "Stakes for Beijing")
    diplomacy = [line.text for line in stakes.lines if line.text.startswith("Diplomacy")]
    assert (
        diplomacy[0]
        == "Diplomacy: Beijing cautiously re-engaged with the junta last year, after the coup strained ties."
    )
    by_interest = await ask(seeded, "/stakes")
    section = next(s for s in by_interest.sections if s.title == "Diplomacy")
    assert "cautiously re-engaged" in section.lines[0].text


async def test_key_figures_are_figures_that_carry_the_story(seeded) -> None:
    brief = await ask(seeded, "/brief")
    figures = next(s for s in brief.sections if s.title == "Key figures")
    assert not any("One month has passed" in line.text for line in figures.lines)
    assert any("40%" in line.text for line in figures.lines)


async def test_without_marks_the_order_still_puts_what_carries_the_story_first() -> None:
    # The same pack with every salience mark removed: the default ranking alone.
    unmarked = re.sub(r"\n    salience: [a-z-]+", "", SEED)
    assert "salience:" not in unmarked.split("facts:", 1)[1]
    store = await Store.open(":memory:")
    try:
        await apply_pack(store.db, parse_pack(unmarked))
        briefing = Briefing(store, "operation-1027", "Beijing")
        brief = await ask(briefing, "/brief")
        bottom = await store.facts_by_id([i for line in brief.lines for i in line.facts])
        assert {f.kind for f in bottom} == {"assessment"}
        junta = await ask(briefing, "/actor name:Tatmadaw")
        key_facts = next(s for s in junta.sections if s.title == "Key facts")
        kinds = [f.kind for f in await store.facts_by_id([i for line in key_facts.lines for i in line.facts])]
        assert set(kinds) <= {"assessment", "figure"}, kinds  # the story before events and background
        text = " ".join(line.text for line in key_facts.lines)
        assert "outgun" in text and "air superiority" in text
    finally:
        await store.close()


# Every line cited, each claim once, sources readable ------------------------------------------------------


async def every_question(briefing: Briefing) -> list[tuple[str, Answer]]:
    store = briefing.store
    topic = await briefing.topic()
    slugs = {
        table: [r[0] for r in await store.rows(f"SELECT slug FROM {table} WHERE topic_id = ?", (topic.id,))]
        for table in ("actors", "places", "events")
    }
    fact_ids = [r[0] for r in await store.rows("SELECT id FROM facts WHERE topic_id = ?", (topic.id,))]
    lines = ["/brief", "/about", "/timeline", "/fact history id:1"]
    lines += [f"/brief as_of:{day}" for day in ("2021-06-01", "2023-10-28", "2023-11-15", "2023-11-27")]
    lines += [f"/actor name:{slug}" for slug in slugs["actors"]]
    lines += [f"/actor name:{slug} as_of:2023-10-28" for slug in slugs["actors"]]
    lines += [f"/stakes stakeholder:{slug}" for slug in slugs["actors"]]
    lines += [f"/timeline actor:{slug}" for slug in slugs["actors"]]
    lines += [f"/timeline region:{slug}" for slug in slugs["places"]]
    lines += [f"/event name:{slug}" for slug in slugs["events"]]
    lines += [f"/fact show id:{i}" for i in fact_ids]
    lines += [
        f'/search query:"{q}"' for q in ("trade", "Tatmadaw air power", "scam centres", "Magwe", "border crossings")
    ]
    answers = [(line, await ask(briefing, line)) for line in lines]
    answers.append(("/timeline page:2", await ask(briefing, "/timeline", page=2)))
    return answers


async def every_digest() -> list[tuple[str, Answer]]:
    rig = await open_rig(at("2024-06-01 12:00"), SEED, "operation-1027")
    try:
        found = []
        for event in ("operation-1027", "coup-2021", "pdf-sagaing-magway", "border-crossings-taken"):
            for after in ("30d", "1 month", "1 year"):
                for as_of in (None, "2023-11-15"):
                    request = PreviewRequest(event=event, after=after, as_of=as_of)
                    for part in await rig.service.preview(request, None):
                        found.append((f"milestone {event} {after} as of {as_of}", part))
        sub = await rig.subscribe("daily 09:00")
        await rig.add_fact("Trade across the northern border fell by half.")
        rig.clock.now = at("2024-06-02 09:00")
        await rig.deliveries.run_due(sub)
        found += [("recurring digest", posted.answer) for posted in rig.poster.posted]
        return found
    finally:
        await rig.store.close()


def check_lines_are_cited(where: str, answer: Answer) -> None:
    for line in reading_order(answer):
        assert line.cites or line.note, f"{where}: uncited line {line.text!r}"
        assert not (line.note and line.cites), f"{where}: a note that cites {line.text!r}"


def check_sources_read_in_order(where: str, answer: Answer) -> None:
    met = list(dict.fromkeys(n for line in reading_order(answer) for n in line.cites))
    assert met == list(range(1, len(met) + 1)), f"{where}: sources met in the order {met}"
    assert [c.number for c in answer.citations] == met, f"{where}: sources listed {answer.citations}"
    for citation in answer.citations:
        assert citation.fact_ids == sorted(citation.fact_ids), f"{where}: fact numbers unsorted"


async def check_each_claim_once(where: str, answer: Answer, store: Store) -> None:
    stated = [line for line in reading_order(answer) if line.cites and len(line.facts) == 1]
    facts = {f.id: f for f in await store.facts_by_id([line.facts[0] for line in stated])}
    seen: list[str] = []
    for line in stated:
        statement = facts[line.facts[0]].statement
        if statement not in line.text:
            continue  # an event's line, which names its event and cites the fact behind it
        assert not any(same_claim(statement, earlier) for earlier in seen), f"{where}: said twice: {statement!r}"
        seen.append(statement)


def check_console_is_plain_text(where: str, answer: Answer) -> None:
    text = render_text(answer)
    for markup in ("**", "~~", "`", "<t:"):
        assert markup not in text, f"{where}: console shows {markup!r}"


async def test_every_command_cites_every_line_once_in_reading_order(seeded) -> None:
    answers = await every_question(seeded)
    assert len(answers) > 100
    for where, answer in answers:
        check_lines_are_cited(where, answer)
        check_sources_read_in_order(where, answer)
        await check_each_claim_once(where, answer, seeded.store)
        check_console_is_plain_text(where, answer)


async def test_every_digest_cites_every_line(seeded) -> None:
    digests = await every_digest()
    assert len(digests) >= 20
    for where, answer in digests:
        check_lines_are_cited(where, answer)
        check_console_is_plain_text(where, answer)
        numbers = {n for line in reading_order(answer) for n in line.cites}
        assert numbers == {c.number for c in answer.citations}, where


async def test_as_of_answers_leave_out_events_nothing_then_known_backs(seeded) -> None:
    answer = await ask(seeded, "/brief as_of:2023-10-28")
    text = "\n".join(line.text for line in reading_order(answer))
    assert "Beijing cautiously re-engages" not in text  # known only from the article of 28 Nov 2023
    assert "Operation 1027 launched" in text


async def test_long_provenance_notes_are_shown_once_in_full(seeded) -> None:
    note = 'which says "Yesterday marked one month'
    brief = render_text(await ask(seeded, "/brief"))
    assert note not in brief and "Publication date inferred from the text… (in full: /fact show)" in brief
    assert note in render_text(await ask(seeded, "/fact show id:4"))


async def test_links_are_listed_once_per_pair(seeded) -> None:
    for name, other in (
        ("Three Brotherhood Alliance", "People's Defense Forces"),
        ("PDF", "Three Brotherhood Alliance"),
    ):
        answer = await ask(seeded, f'/actor name:"{name}"')
        links = next(s for s in answer.sections if s.title == "Links")
        mentions = [line.text for line in links.lines if other in line.text]
        assert mentions == [f"cooperates with **{other}**"], mentions


async def test_plurals_are_spelled_out(seeded) -> None:
    assert (await ask(seeded, '/stakes stakeholder:"Chinese citizens"')).title.startswith(
        "What Chinese citizens stand "
    )
    assert (await ask(seeded, "/stakes")).title.startswith("What Beijing stands ")
    history = await ask(seeded, "/fact history id:1")
    assert "1 change on record" in history.lines[-1].text
    for where, answer in await every_question(seeded):
        assert "(s)" not in render_text(answer), where


# Names ------------------------------------------------------------------------------------------------------


async def test_a_single_word_of_an_event_s_name_finds_it(seeded) -> None:
    assert (await ask(seeded, "/event name:coup")).title == "2021 military takeover"
    assert (await ask(seeded, "/event name:takeover")).title == "2021 military takeover"
    assert (await ask(seeded, "/timeline region:Sagaing")).title == "Timeline in Sagaing Region"


async def test_a_word_shared_by_several_names_is_a_suggestion(seeded) -> None:
    from bot.errors import NotFound

    with pytest.raises(NotFound) as caught:
        await ask(seeded, "/actor name:army")  # the MNDAA, the TNLA and the Arakan Army
    assert caught.value.names is not None and len(caught.value.names) >= 3


async def test_the_pdf_s_fighting_is_in_sagaing_magway_and_myanmar(seeded) -> None:
    for region in ("Sagaing", "Magway", "Magwe", "Myanmar"):
        answer = await ask(seeded, f"/timeline region:{region}")
        assert any("People's Defense Forces disrupt" in line.text for line in answer.lines), region


# Milestone digests ------------------------------------------------------------------------------------------


async def milestone(after: str, as_of: str | None = None) -> list[Answer]:
    rig = await open_rig(at("2024-06-01 12:00"), SEED, "operation-1027")
    try:
        return await rig.service.preview(PreviewRequest(event="operation-1027", after=after, as_of=as_of), None)
    finally:
        await rig.store.close()


def words_before_sources(parts: list[Answer]) -> int:
    return sum(len(re.sub(r"[*_~`]", "", line.text).split()) for part in parts for line in reading_order(part))


async def test_the_one_month_digest_leads_with_the_period_s_change_within_a_crisiswatch_length() -> None:
    parts = await milestone("1 month")
    summary = parts[0].lines[0]
    assert summary.cites and not summary.note
    assert "sweat" not in summary.text  # the article's headline is not what changed
    assert words_before_sources(parts) <= 340  # about 300, plus the note on what was cut
    text = "\n".join(line.text for p in parts for line in reading_order(p))
    assert "/brief as_of:2023-11-27" in text  # the rest by link
    assert "air superiority" in text and "outgun" in text


async def test_the_30_day_digest_says_what_its_cut_off_leaves_out_and_why() -> None:
    parts = await milestone("30d")
    notes = [line.text for p in parts for line in p.lines if line.note]
    [missing] = [t for t in notes if "dated after its cut-off" in t]
    assert "from 27 Nov 2023" in missing
    for left_out in ("Where things stand", "Stakes for Beijing", "What to watch"):
        assert left_out in missing
    assert "events known only from those later facts" in missing


async def test_the_trend_is_only_from_an_assessment_dated_in_the_period() -> None:
    parts = await milestone("1 month")
    [trend] = [line for line in parts[0].lines if line.text.startswith("**Trend")]
    assert trend.note and "not assessed" in trend.text


async def test_a_store_holding_restatements_still_says_each_claim_once() -> None:
    # The seed as it was before the merge: o1027-035/036 restating o1027-012/011 nearly word for word.
    unmerged = re.sub(r"\n    retracted: Merged into [^\n]+", "", SEED)
    store = await Store.open(":memory:")
    try:
        changes = await apply_pack(store.db, parse_pack(unmerged))
        assert any("o1027-012 and o1027-035" in w for w in changes.warnings), changes.warnings
        assert any("o1027-011 and o1027-036" in w for w in changes.warnings), changes.warnings
        briefing = Briefing(store, "operation-1027", "Beijing")
        for line in ("/brief", "/stakes", '/search query:"trade frontier"', '/search query:"access to China"'):
            answer = await ask(briefing, line)
            await check_each_claim_once(line, answer, store)
        assert not (await apply_pack(store.db, read_pack(PACK_PATH))).warnings  # the merged pack warns of nothing
    finally:
        await store.close()
