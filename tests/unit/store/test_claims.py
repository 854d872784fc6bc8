"""Who claims a fact: kept with it, read back with whether it is a party's, and a party's claim graded 3 at best."""

from __future__ import annotations

import pytest

from bot.curation.export import export_pack
from bot.models import Side, capped_credibility, claimed_by, is_party
from bot.packs import parse_pack
from bot.store import Store
from bot.store.writes import apply_pack
from tests.unit.conftest import FIXED_NOW

PACK = """
format: 1
topic: {slug: t1, title: Claims, languages: [en, my]}
sources: {s1: {title: Wire copy, publisher: Wire}}
actors:
  - {slug: mndaa, name: MNDAA, kind: armed-group, side: resistance}
  - {slug: junta, name: Myanmar junta, kind: military, side: regime}
  - {slug: un, name: United Nations, kind: organisation, side: neutral}
  - {slug: china, name: China, kind: state, side: external}
facts:
  - {key: rebel, statement: The MNDAA said it had taken 120 junta outposts., kind: figure, actors: [mndaa],
     as_of: 2023-11-20, source: s1, reliability: B, credibility: CRED,
     claimant: a spokesman for the MNDAA, claimant_actor: mndaa}
  - {key: regime, statement: The junta said it had retaken the Laukkai road., kind: event, actors: [junta],
     as_of: 2023-11-21, source: s1, reliability: B, credibility: 1, claimant: the junta, claimant_actor: junta}
  - {key: observer, statement: "The UN counted 335,000 people displaced in Shan State.", kind: figure,
     as_of: 2023-11-22, source: s1, reliability: B, credibility: 2, claimant: the UN's OCHA, claimant_actor: un}
  - {key: beijing, statement: China called for a ceasefire in northern Shan State., kind: event,
     as_of: 2023-11-23, source: s1, reliability: B, credibility: 2, claimant: China, claimant_actor: china}
  - {key: plain, statement: Fighting reached the outskirts of Lashio., kind: event,
     as_of: 2023-11-24, source: s1, reliability: B, credibility: 2}
"""


def pack(credibility: int = 2) -> str:
    return PACK.replace("CRED", str(credibility))


async def fact(store: Store, key: str):
    topic = await store.topic("t1")
    assert topic is not None
    found = await store.fact_by_key(topic.id, key)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("side", "party"),
    [(Side.REGIME, True), (Side.RESISTANCE, True), (Side.EXTERNAL, False), (Side.NEUTRAL, False), (None, False)],
)
def test_only_the_fighting_sides_are_parties(side, party) -> None:
    assert is_party(side) is party
    assert capped_credibility(1, side) == (3 if party else 1)
    assert capped_credibility(5, side) == 5  # worse than 3 stays as graded


def test_a_claim_is_named_with_its_party() -> None:
    assert claimed_by("the MNDAA", "resistance") == "claimed by the MNDAA, a party to the fighting"
    assert claimed_by("the UN", "neutral") == "claimed by the UN"
    assert claimed_by(None, "regime") is None


async def test_a_partys_claim_is_stored_at_three_and_said_so(store: Store) -> None:
    changes = await apply_pack(store.db, parse_pack(pack()), now=FIXED_NOW)
    rebel, regime = await fact(store, "rebel"), await fact(store, "regime")
    assert (rebel.credibility, regime.credibility) == (3, 3)
    assert rebel.claimant == "a spokesman for the MNDAA"
    assert rebel.claimant_actor is not None and rebel.claimant_actor.slug == "mndaa"
    assert rebel.claimed_by == "claimed by a spokesman for the MNDAA, a party to the fighting"
    assert regime.claimed_by == "claimed by the junta, a party to the fighting"
    assert len(changes.capped) == 2
    assert "fact rebel: claimed by a spokesman for the MNDAA, a party to the fighting" in changes.capped[0]
    # The record of the write holds what was stored.
    (change,) = await store.changes("fact", rebel.id)
    assert (change.after["credibility"], change.after["claimant_actor"]) == (3, "mndaa")


async def test_an_observers_claim_is_graded_as_given(store: Store) -> None:
    await apply_pack(store.db, parse_pack(pack()), now=FIXED_NOW)
    observer, beijing, plain = await fact(store, "observer"), await fact(store, "beijing"), await fact(store, "plain")
    assert (observer.credibility, beijing.credibility) == (2, 2)
    assert observer.claimed_by == "claimed by the UN's OCHA"
    assert beijing.claimed_by == "claimed by China"
    assert (plain.claimant, plain.claimant_actor, plain.claimed_by) == (None, None, None)


async def test_a_later_import_cannot_lift_a_partys_grade_and_an_unchanged_one_writes_nothing(store: Store) -> None:
    await apply_pack(store.db, parse_pack(pack()), now=FIXED_NOW)
    again = await apply_pack(store.db, parse_pack(pack()), now=FIXED_NOW)
    assert not again.touched  # stored 3 for a given 2 is what the pack means: no change each time
    await apply_pack(store.db, parse_pack(pack(1)), now=FIXED_NOW)
    assert (await fact(store, "rebel")).credibility == 3
    await apply_pack(store.db, parse_pack(pack(5)), now=FIXED_NOW)
    assert (await fact(store, "rebel")).credibility == 5


async def test_whether_a_claim_is_a_partys_follows_the_actors_side(store: Store) -> None:
    await apply_pack(store.db, parse_pack(pack()), now=FIXED_NOW)
    neutral = pack().replace(
        "{slug: mndaa, name: MNDAA, kind: armed-group, side: resistance}",
        "{slug: mndaa, name: MNDAA, kind: armed-group, side: unknown}",
    )
    await apply_pack(store.db, parse_pack(neutral), now=FIXED_NOW)
    assert (await fact(store, "rebel")).claimed_by == "claimed by a spokesman for the MNDAA"


async def test_the_topics_languages_are_kept_and_exported(store: Store) -> None:
    await apply_pack(store.db, parse_pack(pack()), now=FIXED_NOW)
    topic = await store.topic("t1")
    assert topic is not None and topic.languages == ["en", "my"]
    exported = await export_pack(store, "t1")
    back = parse_pack(exported)
    assert back.topic.languages == ["en", "my"]
    rebel = next(f for f in back.facts if f.key == "rebel")
    assert (rebel.claimant, rebel.claimant_actor, rebel.credibility) == ("a spokesman for the MNDAA", "mndaa", 3)
    plain = next(f for f in back.facts if f.key == "plain")
    assert "claimant" not in exported.split("key: plain", 1)[1].split("- key:", 1)[0]
    assert plain.claimant is None


async def test_a_topic_without_languages_accepts_english(store: Store) -> None:
    await apply_pack(store.db, parse_pack(pack().replace(", languages: [en, my]", "")), now=FIXED_NOW)
    topic = await store.topic("t1")
    assert topic is not None and topic.languages == ["en"]
    assert "languages" not in await export_pack(store, "t1")
