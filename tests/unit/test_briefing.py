"""The briefing service: answers built from the store, cited, filtered by as_of, paged."""

from __future__ import annotations

from datetime import date

import pytest

from bot.briefing.queries import (
    AboutQuery,
    ActorQuery,
    BriefQuery,
    EventQuery,
    FactQuery,
    SearchQuery,
    StakesQuery,
    TimelineQuery,
    build,
)
from bot.briefing.service import PAGE_SIZE, Briefing
from bot.errors import NotFound, UserError
from bot.packs import parse_pack
from bot.store import Store
from bot.store.writes import apply_pack

PACK = """
format: 1
topic: {slug: crisis, title: Test crisis}
sources:
  doc: {title: A report, publisher: Wire, published: 2023-11-28}
  bg: {title: Background knowledge, kind: background}
actors:
  - {slug: junta, name: Myanmar junta, aliases: [Tatmadaw, SAC], kind: military, side: regime,
     description: The military government.}
  - {slug: alliance, name: Three Brotherhood Alliance, aliases: [Three Brothers Alliance], kind: alliance,
     side: resistance, affiliations: [{actor: junta, relation: opposes}]}
  - {slug: tnla, name: Ta'ang National Liberation Army, aliases: [TNLA], kind: armed-group, side: resistance,
     affiliations: [{actor: alliance, relation: member-of}]}
  - {slug: beijing, name: Beijing, aliases: [China, PRC], kind: state, side: external}
places:
  - {slug: myanmar, name: Myanmar, aliases: [Burma], kind: country}
  - {slug: shan, name: Shan State, kind: state, parent: myanmar}
  - {slug: lashio, name: Lashio, kind: town, parent: shan}
  - {slug: magway, name: Magway Region, aliases: [Magwe], kind: region, parent: myanmar}
events:
  - {slug: launch, name: Operation 1027 launched, aliases: [Operation 1027], date: 2023-10-27, place: shan,
     actors: [{actor: alliance, role: attacker}, {actor: junta, role: target}]}
  - {slug: crossings, name: Border crossings taken, date: 2023-11-01, precision: month, place: lashio,
     actors: [{actor: alliance, role: attacker}], follows: [launch]}
  - {slug: coup, name: Military takeover, date: 2021-01-01, precision: year, place: myanmar,
     actors: [{actor: junta, role: perpetrator}]}
facts:
  - {key: f1, statement: The offensive began on 27 October 2023., kind: event, actors: [alliance], event: launch,
     as_of: 2023-10-28, source: doc, reliability: B, credibility: 2}
  - {key: f2, statement: About 40% of access to China is under rebel control., kind: figure,
     actors: [alliance], event: crossings, as_of: 2023-11-27, source: doc, reliability: B, credibility: 2}
  - {key: f3, statement: Hundreds of millions of dollars in trade were halted., kind: stake,
     stakeholder: beijing, interest: trade, event: crossings, as_of: 2023-11-27, source: doc,
     reliability: B, credibility: 2}
  - {key: f4, statement: Scam centres enslave Chinese citizens., kind: stake, stakeholder: beijing,
     interest: citizens, as_of: 2023-11-27, source: doc, reliability: B, credibility: 3}
  - {key: f5, statement: The junta still enjoys complete air superiority., kind: assessment, actors: [junta],
     as_of: 2023-11-27, source: doc, reliability: B, credibility: 3}
  - {key: f6, statement: The military took over in 2021., kind: background, actors: [junta], event: coup,
     as_of: 2021-02-01, source: bg, reliability: F, credibility: 2}
  - {key: f7, statement: Fighters disrupted military control in Magwe @everyone., kind: event,
     place: magway, as_of: 2023-11-20, source: doc, reliability: B, credibility: 2}
"""


def texts(answer) -> str:
    parts = [answer.title, *(line.text for line in answer.lines)]
    for section in answer.sections:
        parts.append(section.title)
        parts.extend(line.text for line in section.lines)
    return "\n".join(parts)


async def test_brief_cites_every_fact_line_and_lists_sources(briefing):
    answer = await briefing.brief(BriefQuery())
    body = texts(answer)
    assert "40%" in body
    assert "The offensive began on 27 October 2023." in body
    assert "Stakes for Beijing" in body
    for line in [*answer.lines, *(x for s in answer.sections for x in s.lines)]:
        assert line.cites, f"uncited line {line.text!r}"
    numbers = {c.number for c in answer.citations}
    assert numbers == {n for s in answer.sections for line in s.lines for n in line.cites} | {
        n for line in answer.lines for n in line.cites
    }


async def test_brief_as_of_hides_later_facts_and_events(briefing):
    answer = await briefing.brief(BriefQuery(as_of=date(2023, 10, 30)))
    body = texts(answer)
    assert "as of 30 Oct 2023" in answer.title
    assert "40%" not in body
    assert "Border crossings taken" not in body
    assert "The offensive began on 27 October 2023." in body


async def test_brief_before_anything_says_so(briefing):
    answer = await briefing.brief(BriefQuery(as_of=date(2000, 1, 1)))
    assert "Nothing is on record" in texts(answer)


async def test_actor_by_alias_typo_and_slug(briefing):
    for name in ("Tatmadaw", "tatmdaw", "junta", "SAC", "Myanmar junta"):
        answer = await briefing.actor(ActorQuery(name=name))
        assert answer.title == "Myanmar junta", name
    body = texts(await briefing.actor(ActorQuery(name="Tatmadaw")))
    assert "air superiority" in body
    assert "Three Brotherhood Alliance** opposes it" in body
    assert "Also known as: Tatmadaw, SAC" in body


async def test_actor_shows_membership_both_ways(briefing):
    alliance = texts(await briefing.actor(ActorQuery(name="Three Brothers Alliance")))
    assert "Ta'ang National Liberation Army** member of it" in alliance
    member = texts(await briefing.actor(ActorQuery(name="TNLA")))
    assert "member of **Three Brotherhood Alliance**" in member


async def test_unknown_actor_suggests_names(briefing):
    with pytest.raises(NotFound, match=r"^No actor is called “Brotherhood Army”\.$") as caught:
        await briefing.actor(ActorQuery(name="Brotherhood Army"))
    assert "Three Brotherhood Alliance" in caught.value.names
    # A whole word of a name answers when only one record has it ("army": only the TNLA here; the seed pack's
    # three armies make it a suggestion, in test_reading.py); part of a word never does.
    assert (await briefing.actor(ActorQuery(name="army"))).title == "Ta'ang National Liberation Army"
    with pytest.raises(NotFound) as caught:
        await briefing.actor(ActorQuery(name="Liberat"))
    assert caught.value.names
    assert (await briefing.actor(ActorQuery(name="Three Brothers"))).title == "Three Brotherhood Alliance"
    with pytest.raises(NotFound, match="No actor") as caught:
        await briefing.actor(ActorQuery(name="zzzzqqqq"))
    assert caught.value.names == []


async def test_event_precision_place_participants_and_what_followed(briefing):
    launch = texts(await briefing.event(EventQuery(name="Operation 1027")))
    assert "27 Oct 2023" in launch
    assert "Shan State, Myanmar" in launch
    assert "Three Brotherhood Alliance**: attacker" in launch
    assert "Border crossings taken" in launch  # what followed
    crossings = texts(await briefing.event(EventQuery(name="Border crossings taken")))
    assert "Nov 2023 (known to the month)" in crossings
    coup = texts(await briefing.event(EventQuery(name="Military takeover")))
    assert "**When:** 2021 (known to the year)" in coup


async def test_timeline_orders_and_filters(briefing):
    everything = await briefing.timeline(TimelineQuery())
    order = [line.text for line in everything.lines]
    assert order[0].startswith("2021") and "Military takeover" in order[0]
    assert "Border crossings" in order[-1]
    in_shan = texts(await briefing.timeline(build(TimelineQuery, region="Shan State")))
    assert "Border crossings taken" in in_shan  # Lashio lies within Shan State
    assert "Military takeover" not in in_shan
    with_junta = texts(await briefing.timeline(build(TimelineQuery, actor="Tatmadaw", since="2022-01-01")))
    assert "Operation 1027 launched" in with_junta and "Military takeover" not in with_junta
    empty = texts(await briefing.timeline(build(TimelineQuery, since="2024-06-01")))
    assert "No events match" in empty


async def test_timeline_pages(briefing):
    store = briefing.store
    extra = PACK.split("facts:")[0].replace(
        "events:\n",
        "events:\n"
        + "".join(f"  - {{slug: e{i:02d}, name: Event {i:02d}, date: 2022-03-{i + 1:02d}}}\n" for i in range(20)),
    )
    # Every event shown cites a fact about it, so each extra event has one.
    facts = "".join(
        f"  - {{key: x{i:02d}, statement: Skirmish number {i} near the town., kind: event, event: e{i:02d},"
        " as_of: 2022-03-28, source: doc, reliability: C, credibility: 3}\n"
        for i in range(20)
    )
    await apply_pack(store.db, parse_pack(extra + "facts:\n" + facts))
    first = await briefing.timeline(TimelineQuery())
    assert first.pages == 3 and len(first.lines) == PAGE_SIZE
    last = await briefing.timeline(TimelineQuery(), page=99)
    assert last.page == 3 and len(last.lines) == 23 - 2 * PAGE_SIZE


async def test_stakes_grouped_by_interest_with_fact_numbers(briefing):
    answer = await briefing.stakes(StakesQuery())
    assert [s.title for s in answer.sections] == ["Trade", "Citizens"]
    trade = answer.sections[0].lines[0].text
    assert "Hundreds of millions" in trade and "(#3)" in trade and "event: Border crossings taken" in trade
    assert (await briefing.stakes(StakesQuery(stakeholder="PRC"))).title.startswith("What Beijing")
    none = await briefing.stakes(StakesQuery(stakeholder="TNLA"))
    assert "No stakes are on record" in texts(none)


async def test_search_understands_aliases_and_word_forms(briefing):
    by_alias = texts(await briefing.search(SearchQuery(query="What does the Tatmadaw still have?")))
    assert "air superiority" in by_alias
    by_spelling = texts(await briefing.search(SearchQuery(query="Magway")))
    assert "disrupted military control" in by_spelling
    by_form = texts(await briefing.search(SearchQuery(query="halting trade")))
    assert "trade were halted" in by_form
    nothing = texts(await briefing.search(SearchQuery(query="volcano")))
    assert "No facts match" in nothing


async def test_fact_show_in_full_and_missing(briefing):
    answer = await briefing.fact(FactQuery(id=6))
    body = texts(answer)
    assert "F2: source reliability cannot be judged, information probably true" in body
    assert answer.citations[0].source.kind == "background"
    assert "<t:" in body  # recorded moments are Discord timestamps
    with pytest.raises(NotFound, match="no fact #999"):
        await briefing.fact(FactQuery(id=999))


async def test_mentions_are_kept_as_written(briefing):
    assert "@everyone" in texts(await briefing.search(SearchQuery(query="Magwe")))


async def test_missing_topic_is_a_user_error():
    store = await Store.open(":memory:")
    try:
        with pytest.raises(UserError, match="not loaded"):
            await Briefing(store, "nothing", "Beijing").brief(BriefQuery())
        assert await Briefing(store, "nothing", "Beijing").suggest("actor", "x") == []
    finally:
        await store.close()


async def test_suggest_labels_alias_matches_and_respects_limits(briefing):
    choices = await briefing.suggest("actor", "tatm")
    assert choices[0] == ("Myanmar junta (Tatmadaw)", "junta")
    assert len(await briefing.suggest("actor", "", limit=2)) == 2
    assert all(len(label) <= 100 and len(value) <= 100 for label, value in await briefing.suggest("actor", "a"))


async def test_about_counts(briefing):
    body = texts(await briefing.about(AboutQuery()))
    assert "7 facts (0 retracted), 4 actors, 4 places, 3 events" in body
    assert "offline" in body


async def test_brief_headline_stakes_span_interests(briefing):
    answer = await briefing.brief(BriefQuery())
    stakes = next(s for s in answer.sections if s.title == "Stakes for Beijing")
    assert [line.text.split(":")[0] for line in stakes.lines] == ["Trade", "Citizens"]


async def test_search_sets_the_best_answer_apart_and_shows_the_words_matched(briefing):
    answer = await briefing.search(SearchQuery(query="Is the Tatmadaw losing trade?"))
    best, rest = answer.sections[0], answer.sections[1]
    assert best.title == "Best answer" and len(best.lines) == 1
    assert rest.title == "Also relevant"
    assert "matched: " in best.lines[0].text and "trade" in best.lines[0].text
    assert best.lines[0].cites == [1]


async def test_timeline_leaves_out_an_event_nothing_sources_and_says_so(briefing):
    await apply_pack(
        briefing.store.db,
        parse_pack(
            PACK.split("facts:")[0].replace(
                "events:\n", "events:\n  - {slug: rumour, name: Rumoured clash, date: 2023-11-03}\n"
            )
            + "facts: []\n"
        ),
    )
    answer = await briefing.timeline(TimelineQuery())
    assert all(line.cites for line in answer.lines if not line.note)
    assert "Rumoured clash" not in " ".join(line.text for line in answer.lines if not line.note)
    assert any("1 event with no sourced fact" in line.text and line.note for line in answer.lines)
