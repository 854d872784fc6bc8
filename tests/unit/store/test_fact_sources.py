"""A fact with several sources: written, read back in order, exported and imported again unchanged."""

from __future__ import annotations

import pytest
import yaml

from bot.curation.export import export_pack
from bot.models import Author, Citation, Source, Topic
from bot.packs import PackError, parse_pack
from bot.store import Store
from bot.store.writes import apply_pack, writing
from tests.unit.conftest import FIXED_NOW

TOPIC = Topic(slug="t1", title="A crisis")
MOD = Author(id=7, name="mod")
PACK = """
format: 1
topic: {slug: t1, title: A crisis}
sources:
  irr: {title: Gate falls, publisher: The Irrawaddy, url: "https://irrawaddy.example/gate", published: 2023-11-02}
  rfa: {title: Rebels take gate, publisher: RFA, url: "https://rfa.example/gate", published: 2023-11-02}
  own: {title: Statement, publisher: MNDAA}
facts:
  - {key: gate, statement: "The alliance captured the Chinshwehaw border gate.", kind: event,
     as_of: 2023-11-01, reliability: B, credibility: 2,
     sources: [{source: irr, credibility: 3},
               {source: rfa, reliability: C, says: "Rebels seized the Chinshwehaw crossing."},
               {source: own, reliability: D, retracted: true}]}
  - {key: alone, statement: "Fighting went on near Laukkai.", kind: event, as_of: 2023-11-03,
     source: irr, reliability: B, credibility: 3}
"""


async def test_every_source_is_read_back_in_order_the_first_as_source(store: Store) -> None:
    await apply_pack(store.db, parse_pack(PACK), now=FIXED_NOW)
    topic = await store.topic("t1")
    assert topic is not None
    fact = await store.fact_by_key(topic.id, "gate")
    assert fact is not None
    assert [c.source.publisher for c in fact.sources] == ["The Irrawaddy", "RFA", "MNDAA"]
    assert fact.source == fact.sources[0].source
    assert [(c.reliability, c.credibility, c.retracted) for c in fact.sources] == [
        ("B", 3, False),
        ("C", None, False),
        ("D", None, True),
    ]
    assert fact.sources[1].says == "Rebels seized the Chinshwehaw crossing."
    alone = await store.fact_by_key(topic.id, "alone")
    assert alone is not None
    assert [(c.source.publisher, c.reliability, c.credibility) for c in alone.sources] == [("The Irrawaddy", "B", 3)]


async def test_export_carries_every_source_and_imports_back_unchanged(store: Store) -> None:
    await apply_pack(store.db, parse_pack(PACK), now=FIXED_NOW)
    exported = await export_pack(store, "t1")
    changes = await apply_pack(store.db, parse_pack(exported), now=FIXED_NOW)
    assert changes.changed == {} and changes.added == {}
    gate = yaml.safe_load(exported)["facts"][0]
    assert "source" not in gate
    assert [c["source"] for c in gate["sources"]] == ["source-1", "source-2", "source-3"]
    assert gate["sources"][2] == {"source": "source-3", "reliability": "D", "retracted": True}


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ("source: irr, sources: [{source: rfa}]", "`source` must be the first of `sources`"),
        ("sources: [{source: nope}]", "facts[0].sources[0].source: unknown source 'nope'"),
        ("reliability: B", "give the fact's `source`, or its `sources`"),
    ],
)
def test_a_fact_names_its_sources_once_and_only_declared_ones(fact: str, message: str) -> None:
    pack = (
        "format: 1\ntopic: {slug: t1, title: T}\nsources: {irr: {title: A}, rfa: {title: B}}\n"
        f"facts:\n  - {{key: k, statement: S., kind: event, as_of: 2023-11-01, credibility: 3, {fact}}}\n"
    )
    if "reliability" not in fact:
        pack = pack.replace("credibility: 3", "credibility: 3, reliability: B")
    with pytest.raises(PackError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_pack(pack)


PARTY_PACK = """
format: 1
topic: {slug: t1, title: A crisis}
sources:
  irr: {title: Gate falls, publisher: The Irrawaddy}
  own: {title: Statement, publisher: Kokang army}
actors:
  - {slug: mndaa, name: MNDAA, aliases: [Kokang army], kind: armed-group, side: resistance}
facts:
  - {key: gate, statement: "The alliance captured the Chinshwehaw border gate.", kind: event,
     as_of: 2023-11-01, source: irr, reliability: B, credibility: 3}
  - {key: claim, statement: "The MNDAA shot down a military jet.", kind: event,
     as_of: 2023-11-02, source: own, reliability: C, credibility: 2}
"""


def outlet(publisher: str, says: str | None = None) -> Citation:
    return Citation(source=Source(title=f"Report by {publisher}", publisher=publisher), reliability="B", says=says)


async def _gate(store: Store, key: str = "gate") -> int:
    await apply_pack(store.db, parse_pack(PARTY_PACK), now=FIXED_NOW)
    row = await store.row("SELECT id FROM facts WHERE key = ?", (key,))
    assert row is not None
    return int(row[0])


async def test_an_independent_source_raises_the_grade_and_its_retraction_lowers_it_on_record(store: Store) -> None:
    fact_id = await _gate(store)
    async with writing(store.db, TOPIC, MOD) as writer:
        found = await writer.add_source(fact_id, outlet("RFA", "Rebels seized the Chinshwehaw crossing."))
    assert (found.credibility, found.describe()) == (2, "confirmed by 2 independent outlets")
    fact = await store.fact(fact_id)
    assert fact is not None and fact.credibility == 2
    assert [c.source.publisher for c in fact.sources] == ["The Irrawaddy", "RFA"]
    async with writing(store.db, TOPIC, MOD) as writer:
        await writer.retract_source(fact_id, 1, "RFA withdrew the report")
    fact = await store.fact(fact_id)
    assert fact is not None and fact.credibility == 3 and fact.sources[1].retracted
    reasons = [c.reason for c in await store.changes("fact", fact_id)]
    assert reasons[1:] == [
        "also reported by RFA; credibility 3 → 2 (confirmed by 2 independent outlets)",
        "RFA withdrew the report; credibility 2 → 3",
    ]


async def test_a_partys_claim_alone_is_no_better_than_possibly_true_and_marked(store: Store) -> None:
    fact_id = await _gate(store, "claim")
    async with writing(store.db, TOPIC, MOD) as writer:
        found = await writer.add_source(fact_id, outlet("MNDAA", "Our forces downed a junta fighter jet."))
    assert (found.credibility, found.party_only) == (3, "MNDAA")
    async with writing(store.db, TOPIC, MOD) as writer:
        found = await writer.add_source(fact_id, outlet("Myanmar Now"))
    assert (found.credibility, found.party_only) == (2, None)


async def test_a_grade_set_by_hand_stays_when_sources_change(store: Store) -> None:
    fact_id = await _gate(store)
    async with writing(store.db, TOPIC, MOD) as writer:
        await writer.grade_by_hand(fact_id, 4)
        found = await writer.add_source(fact_id, outlet("RFA"))
    assert (found.credibility, found.by_hand) == (4, True)
