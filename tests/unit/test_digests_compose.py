"""What digests say: the milestone on the seed pack, what changed since the last one, and splitting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.briefing.answer import Answer, Citation, Line, Section
from bot.curation.service import FactFields
from bot.digests.models import PreviewRequest
from bot.digests.split import split_answer
from bot.edge.embeds import render_embeds
from bot.packs import parse_pack
from bot.store.records import SourceRecord
from bot.store.writes import apply_pack
from tests.unit.digest_doubles import CHANNEL, MOD, PACK, at, open_rig

SEED = (Path(__file__).resolve().parents[2] / "bot" / "seed_packs" / "operation-1027.yaml").read_text(encoding="utf-8")
CUT = ("(truncated)", "more line", "more source", "Not shown")


@pytest.fixture
async def seeded():
    opened = await open_rig(at("2024-06-01 12:00"), SEED, "operation-1027")
    yield opened
    await opened.store.close()


@pytest.fixture
async def rig():
    opened = await open_rig(at("2024-03-01 08:00"))
    yield opened
    await opened.store.close()


def all_text(parts: list[Answer]) -> str:
    out = []
    for part in parts:
        out += [part.title, *(line.text for line in part.lines)]
        out += [f"{s.title}: {line.text}" for s in part.sections for line in s.lines]
        out += [c.source.publisher or c.source.title for c in part.citations]
    return "\n".join(out)


def cited(part: Answer) -> set[int]:
    return {n for line in [*part.lines, *(x for s in part.sections for x in s.lines)] for n in line.cites}


def rendered(part: Answer) -> str:
    embeds = [e.to_dict() for e in render_embeds(part)]
    return repr(embeds)


async def one_month_on(rig, as_of: str | None = None) -> list[Answer]:
    return await rig.service.preview(PreviewRequest(event="operation-1027", after="1 month", as_of=as_of), None)


async def test_the_one_month_milestone_tells_the_story_crisiswatch_style_with_its_sources(seeded):
    parts = await one_month_on(seeded)
    text = all_text(parts)
    first = parts[0]
    assert first.title.startswith("Operation 1027 launched: 1 month on · 27 Nov 2023")
    # The summary line states what changed in the period (not the article's headline), cited.
    assert (
        first.lines[0].text == "**The offensive has left about 40% of Myanmar's access to China under rebel control.**"
    )
    assert first.lines[0].cites
    assert any(line.text.startswith("**Trend:") for line in first.lines)
    titles = [s.title.removesuffix(" (continued)") for p in parts for s in p.sections]
    for title in ["What happened", "Who is who", "Stakes for Beijing", "What to watch"]:
        assert title in titles
    for needle in [
        "key border crossings with China",
        "40% of Myanmar's access to China",
        "hundreds of millions of dollars in trade",
        "People's Defense Forces",
        "Three Brotherhood Alliance",
        "air superiority",
        "scam",
        "GZERO Media",
    ]:
        assert needle in text, needle
    for part in parts:
        numbers = {c.number for c in part.citations}
        assert cited(part) == numbers
        statements = [line for line in [*part.lines, *(x for s in part.sections for x in s.lines)] if not line.note]
        assert all(line.cites for line in statements)
        assert not any(marker in rendered(part) for marker in CUT)


async def test_a_milestone_uses_only_what_was_dated_on_or_before_it(seeded):
    curator = seeded.curator()
    await seeded.add_fact("Laukkai fell to the alliance after weeks of fighting.", "event", "2023-12-15")
    await curator.save("event", {"name": "Laukkai falls", "date": "2023-12-10"}, MOD)
    text = all_text(await one_month_on(seeded))
    assert "Laukkai" not in text
    early = all_text(await one_month_on(seeded, as_of="2023-11-15"))
    assert "air superiority" not in early
    assert "Karenni insurgent forces in Moe Bye" in early
    assert "From 27 Oct 2023 to 15 Nov 2023" in early


async def test_the_trend_comes_from_an_assessment_that_says_so_and_is_cited(seeded):
    assert "**Trend: not assessed.**" in all_text(await one_month_on(seeded))
    fields = FactFields(
        statement="The security situation deteriorated sharply as the offensive spread.",
        kind="assessment",
        as_of="2023-11-26",
        source_title="Monthly outlook",
        source_publisher="CrisisWatch",
        source_date="2023-11-30",
        reliability="B",
        credibility=3,
    )
    await seeded.curator().add_fact(fields, MOD)
    [trend] = [line for p in await one_month_on(seeded) for line in p.lines if line.text.startswith("**Trend")]
    assert trend.text.startswith("**Trend: deteriorated.** The security situation deteriorated")
    assert trend.cites


async def test_a_recurring_digest_reports_the_net_effect_of_each_change(rig):
    curator = rig.curator()
    store = rig.store
    topic = await store.topic("crisis")
    ids = {key: (await store.fact_by_key(topic.id, key)).id for key in ("f1", "f2", "f3")}
    await curator.set_status(ids["f1"], True, MOD, "Date unconfirmed")
    sub = await rig.subscribe("daily 09:00")
    added = await rig.add_fact("Trade across the northern border fell by half.")
    gone = await rig.add_fact("A claim that did not survive the day.", "assessment")
    await curator.set_status(gone, True, MOD, "Mistaken")
    edited = FactFields.of(await store.fact(ids["f2"])).model_copy(
        update={"statement": "About 45% of access to China is under rebel control."}
    )
    await curator.edit_fact(ids["f2"], edited, MOD)
    await curator.set_status(ids["f3"], True, MOD, "Source withdrew it")
    await curator.set_status(ids["f1"], False, MOD)
    await curator.save("event", {"name": "Laukkai falls", "date": "2024-01-05"}, MOD)
    rig.clock.now = at("2024-03-01 09:00")
    await rig.deliveries.run_due(sub)
    digest = rig.poster.in_channel(CHANNEL)[0].answer
    sections = {s.title: [line.text for line in s.lines] for s in digest.sections}
    assert sections["New facts"] == [f"Trade across the northern border fell by half. (#{added})"]
    assert sections["Corrections"] == [
        f"About 45% of access to China is under rebel control. (#{ids['f2']}), corrected from"
        " “About 40% of access to China is under rebel control.”",
        f"Restored: The offensive began on 27 October 2023. (#{ids['f1']})",
    ]
    assert sections["Retractions"] == [
        f"~~Hundreds of millions of dollars in trade were halted.~~ (#{ids['f3']}) was retracted: Source withdrew it"
    ]
    # An event recorded with no fact behind it yet is reported as a record, not as news: nothing cites it.
    assert sections["New events"] == [
        "Recorded without a sourced fact yet, so not reported as news: Laukkai falls (5 Jan 2024)."
    ]
    assert "A claim that did not survive" not in all_text([digest])
    assert all(line.cites or line.note for s in digest.sections for line in s.lines)


async def test_a_busy_period_shows_the_first_changes_and_counts_the_rest(rig):
    sub = await rig.subscribe("daily 09:00")
    facts = "\n".join(
        f"  - {{key: busy{i}, statement: 'Clash number {i} in a different township.', kind: event,"
        " as_of: 2023-11-20, source: doc, reliability: B, credibility: 2}"
        for i in range(13)
    )
    await apply_pack(rig.store.db, parse_pack(PACK.split("facts:")[0] + "facts:\n" + facts + "\n"))
    rig.clock.now = at("2024-03-01 09:00")
    await rig.deliveries.run_due(sub)
    new = next(s for s in rig.poster.posted[0].answer.sections if s.title == "New facts")
    assert len(new.lines) == 11
    assert new.lines[-1].text.startswith("… 3 more in this digest's period")


def source(n: int) -> Citation:
    record = SourceRecord(
        id=n,
        title=f"Field report {n}",
        publisher="Wire",
        url=None,
        published=None,
        kind="document",
        note="A long note about how this report was gathered and checked. " * 5,
    )
    return Citation(number=n, source=record, grades=["B2"], fact_ids=[n])


def big_answer() -> Answer:
    words = "The column advanced along the river road while the garrison held the bridge. "
    sections = [
        Section(
            title=f"Theme {t}",
            lines=[Line(text=f"{t}.{i} {words * 3}", cites=[1 + (t * 40 + i) % 25]) for i in range(40)],
        )
        for t in range(3)
    ]
    return Answer(
        title="A long digest",
        lines=[Line(text=f"Summary line {i}. {words}", cites=[i + 1]) for i in range(5)],
        sections=sections,
        citations=[source(n) for n in range(1, 26)],
        footer="Digest #1",
    )


def test_a_long_digest_splits_between_lines_into_parts_discord_takes_whole():
    answer = big_answer()
    parts = split_answer(answer)
    assert len(parts) >= 3
    assert [p.title for p in parts] == [f"A long digest ({n}/{len(parts)})" for n in range(1, len(parts) + 1)]
    original = [line for line in answer.lines] + [line for s in answer.sections for line in s.lines]
    split = [line for p in parts for line in [*p.lines, *(x for s in p.sections for x in s.lines)]]
    assert split == original
    for part in parts:
        assert part.footer == "Digest #1"
        assert {c.number for c in part.citations} == cited(part)
        text = rendered(part)
        assert not any(marker in text for marker in CUT)
        assert sum(len(e) for e in render_embeds(part)) <= 6000
    continued = [s.title for p in parts for s in p.sections if s.title.endswith("(continued)")]
    assert continued
    assert all(re.fullmatch(r"Theme \d \(continued\)", t) for t in continued)


def test_a_short_digest_is_one_part_unchanged():
    answer = Answer(title="Short", lines=[Line(text="One line.", cites=[1])], citations=[source(1)], footer="f")
    assert split_answer(answer) == [answer]
