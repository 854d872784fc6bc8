"""Moderators' writes through the curation service: validation, the record, retraction, packs."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from bot.briefing.queries import BriefQuery, FactQuery, HistoryQuery, SearchQuery, build
from bot.briefing.service import Briefing
from bot.curation.export import export_pack
from bot.curation.models import FactEditRequest
from bot.curation.service import Curator, FactFields, capped_note, import_report
from bot.errors import NotFound, UserError
from bot.models import Author
from bot.packs import PackError, parse_pack
from bot.store import Store
from bot.store.writes import apply_pack
from tests.unit.test_briefing import PACK

MONA = Author(id=42, name="mona")


@pytest.fixture
async def curator(tmp_path):
    store = await Store.open(tmp_path / "store.db")
    await apply_pack(store.db, parse_pack(PACK))
    yield Curator(store, Briefing(store, "crisis", "Beijing"))
    await store.close()


def fields(**overrides) -> FactFields:
    values = {
        "statement": "Rebels captured the town of Laukkai's outskirts.",
        "kind": "event",
        "actors": ["Three Brothers Alliance"],
        "as_of": "2023-11-20",
        "source_title": "Field report",
        "source_publisher": "Wire",
        "source_url": "https://example.org/report",
        "source_date": "2023-11-21",
        "reliability": "C",
        "credibility": 3,
    }
    return FactFields(**{**values, **overrides})


def text_of(answer) -> str:
    return "\n".join(
        [answer.title, *(line.text for line in answer.lines)]
        + [line.text for s in answer.sections for line in [*s.lines]]
        + [s.title for s in answer.sections]
    )


async def test_an_added_fact_answers_at_once_and_is_on_record(curator):
    fact_id = await curator.add_fact(fields(), MONA)
    found = await curator.briefing.search(SearchQuery(query="Laukkai"))
    assert f"(#{fact_id})" in text_of(found)
    fact = await curator.store.fact(fact_id)
    assert [a.slug for a in fact.actors] == ["alliance"]  # the alias was resolved
    (change,) = await curator.store.changes("fact", fact_id)
    assert (change.action, change.user_id, change.user_name, change.before) == ("add", 42, "mona", None)
    assert change.after["statement"] == fields().statement


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"statement": ""}, "`Statement`: is empty"),
        ({"statement": "\u200b\u200b"}, "`Statement`: is empty"),
        ({"statement": "x" * 1001}, "`Statement`: is too long"),
        ({"source_url": "ftp://example.org/x"}, "`Source URL`"),
        ({"source_url": "not a url"}, "`Source URL`"),
        ({"as_of": "2023-02-30"}, "`True as of`"),
        ({"as_of": "2999-01-01"}, "`True as of`: 2999-01-01 lies in the future"),
        ({"source_date": "20/11/2023"}, "`Source date`"),
        ({"source_date": "9999-12-31"}, "`Source date`: 9999-12-31 lies in the future"),
        ({"kind": "stake"}, "stakeholder"),
        ({"background": True}, "cannot have a URL"),
        ({"background": True, "source_url": None}, "graded F"),
        ({"actors": ["nobody at all"]}, "No actor"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(curator, overrides, message):
    before = await curator.store.counts((await curator.briefing.topic()).id)
    with pytest.raises(UserError, match=message):
        await curator.add_fact(build(FactFields, **{**fields().model_dump(), **overrides}), MONA)
    assert await curator.store.counts((await curator.briefing.topic()).id) == before


def test_grades_outside_the_admiralty_scale_are_refused():
    with pytest.raises(ValueError, match="reliability"):
        fields(reliability="G")
    with pytest.raises(ValueError, match="credibility"):
        fields(credibility=7)


async def test_a_near_duplicate_is_refused_naming_the_original(curator):
    with pytest.raises(UserError, match=r"near-duplicate of fact #5"):
        await curator.add_fact(fields(statement="The junta still enjoys complete air superiority!"), MONA)


async def test_edit_keeps_the_old_revision_and_history_shows_both(curator):
    await curator.edit_fact(5, fields(statement="The junta still has air superiority over most of Myanmar."), MONA)
    history = text_of(await curator.briefing.history(HistoryQuery(id=5)))
    assert "1. add by operator (command line)" in history
    assert "2. edit by mona" in history
    assert "complete air superiority" in history  # the old text, kept
    assert "over most of Myanmar" in history
    with pytest.raises(NotFound):
        await curator.edit_fact(999, fields(), MONA)


async def test_retract_removes_from_answers_and_restore_brings_back(curator):
    await curator.set_status(2, retract=True, who=MONA, reason="figure disputed")
    assert "40%" not in text_of(await curator.briefing.brief(BriefQuery()))
    assert "40%" not in text_of(await curator.briefing.search(SearchQuery(query="access to China")))
    history = text_of(await curator.briefing.history(HistoryQuery(id=2)))
    assert "retract by mona" in history and "figure disputed" in history
    with pytest.raises(UserError, match="already retracted"):
        await curator.set_status(2, retract=True, who=MONA, reason="again")
    with pytest.raises(UserError, match="reason"):
        await curator.set_status(3, retract=True, who=MONA, reason=" ")
    await curator.set_status(2, retract=False, who=MONA)
    assert "40%" in text_of(await curator.briefing.brief(BriefQuery()))


async def test_actor_add_and_edit_with_aliases(curator):
    slug = await curator.save(
        "actor", {"name": "Kachin Independence Army", "aliases": ["KIA"], "kind": "armed-group"}, MONA
    )
    assert slug == "kachin-independence-army"
    with pytest.raises(UserError, match="exists already"):
        await curator.save("actor", {"name": "Kachin Independence Army", "kind": "armed-group"}, MONA)
    form = await curator.form("actor", "Tatmadaw")
    await curator.save("actor", {**form, "aliases": [*form["aliases"], "Sit-tat"]}, MONA, slug=form["slug"])
    # Facts linked to the junta are now found by its new alias.
    assert "air superiority" in text_of(await curator.briefing.search(SearchQuery(query="Sit-tat")))
    (added,) = await curator.store.changes("actor", await curator.store.entity_by_slug(1, "actor", slug))
    assert added.user_name == "mona"
    with pytest.raises(UserError, match="`kind`"):
        await curator.save("place", {"name": "Nowhere", "kind": "planet"}, MONA)


async def test_mentions_are_stored_as_written(curator):
    fact_id = await curator.add_fact(fields(statement="Ping @everyone and <@123> about Laukkai"), MONA)
    assert (await curator.store.fact(fact_id)).statement == "Ping @everyone and <@123> about Laukkai"


async def test_import_dry_run_reports_and_writes_nothing(curator):
    exported = await export_pack(curator.store, "crisis")
    changed = exported.replace("The junta still enjoys complete air superiority.", "The junta has air power.")
    report = await curator.import_pack(changed.encode(), MONA, dry_run=True)
    assert report.changed == {"facts": 1}
    assert report.unchanged["facts"] == 6
    assert "air power" not in text_of(await curator.briefing.search(SearchQuery(query="junta air")))
    applied = await curator.import_pack(changed.encode(), MONA, dry_run=False)
    assert applied.changed == {"facts": 1}
    assert "air power" in text_of(await curator.briefing.search(SearchQuery(query="junta air")))


async def test_a_bad_pack_applies_nothing_and_lists_every_problem(curator):
    exported = await export_pack(curator.store, "crisis")
    broken = exported.replace("reliability: B", "reliability: Q").replace("as_of: '2023-11-27'", "as_of: someday")
    with pytest.raises(PackError) as caught:
        await curator.import_pack(broken.encode(), MONA, dry_run=False)
    assert len(caught.value.problems) >= 3
    assert all(p.line for p in caught.value.problems)
    for raw, message in [(b"\xff\xfe", "UTF-8"), (b"a: [", "YAML"), (b"x" * (3 * 1024 * 1024), "larger")]:
        with pytest.raises(PackError, match=message):
            await curator.import_pack(raw, MONA, dry_run=False)


async def test_export_import_round_trip_is_exact_including_retractions(curator, tmp_path):
    await curator.set_status(4, retract=True, who=MONA, reason="unverified")
    exported = await export_pack(curator.store, "crisis")
    fresh = await Store.open(tmp_path / "fresh.db")
    try:
        await apply_pack(fresh.db, parse_pack(exported))
        assert await export_pack(fresh, "crisis") == exported
        assert (await fresh.fact_by_key(1, "f4")).status == "retracted"
    finally:
        await fresh.close()
    report = await curator.import_pack(exported.encode(), MONA, dry_run=False)
    assert not report.touched


async def test_the_same_fact_added_twice_at_once_is_stored_once(curator):
    results = await asyncio.gather(
        *(curator.add_fact(fields(statement="Rebels took Chinshwehaw."), MONA) for _ in range(2)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert any(isinstance(r, UserError) and "near-duplicate" in str(r) for r in results)


async def test_concurrent_adds_lose_nothing(curator):
    def words(i: int) -> str:  # distinct enough not to be near-duplicates of each other
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        return " ".join(digest[j : j + 8] for j in range(0, 32, 8))

    statements = [f"Checkpoint {words(i)} reported." for i in range(40)]
    ids = await asyncio.gather(
        *(curator.add_fact(fields(statement=s), Author(id=i, name=f"mod{i}")) for i, s in enumerate(statements))
    )
    assert len(set(ids)) == 40
    counts = await curator.store.counts((await curator.briefing.topic()).id)
    assert counts["facts_active"] == 7 + 40


async def test_export_round_trip_keeps_several_places_and_salience_marks(tmp_path):
    pack = PACK.replace(
        "facts:",
        "facts:\n  - {key: marked, statement: A judgement marked by the author., kind: assessment,"
        " as_of: 2023-11-27, source: doc, reliability: B, credibility: 3, salience: key-judgement}",
        1,
    )
    store = await Store.open(tmp_path / "one.db")
    fresh = await Store.open(tmp_path / "two.db")
    try:
        await apply_pack(store.db, parse_pack(pack))
        topic = await store.topic("crisis")
        event = (await store.events(topic.id, limit=1))[0]
        # Written as a moderator's edit could not (one place only): every place of the topic.
        await store.db.conn.execute(
            "INSERT OR IGNORE INTO event_places (event_id, place_id) SELECT ?, id FROM places WHERE topic_id = ?",
            (event.id, topic.id),
        )
        exported = await export_pack(store, "crisis")
        assert "salience: key-judgement" in exported
        await apply_pack(fresh.db, parse_pack(exported))
        assert await export_pack(fresh, "crisis") == exported
        assert len((await fresh.event(event.id)).places) >= 2
    finally:
        await store.close()
        await fresh.close()


async def test_a_pack_import_names_each_pair_of_facts_that_make_the_same_claim(curator):
    restated = PACK.replace(
        "facts:",
        "facts:\n  - {key: again, statement: 'The junta still enjoys complete air superiority, it seems.',"
        " kind: assessment, as_of: 2023-11-27, source: doc, reliability: B, credibility: 3}",
        1,
    )
    report = await curator.import_pack(restated.encode(), MONA, dry_run=True)
    assert len(report.warnings) == 1
    assert "again" in report.warnings[0] and "air superiority" in report.warnings[0]
    shown = import_report(report, dry_run=True)
    assert any(s.title == "Warnings: 1 near-duplicate" for s in shown.sections)
    # An unchanged pack writes nothing and has nothing to warn about.
    assert (await curator.import_pack(PACK.encode(), MONA, dry_run=True)).warnings == []


async def test_a_partys_claim_is_stored_at_three_and_the_moderator_is_told(curator):
    given = fields(credibility=2, claimant="a spokesman for the alliance", claimant_actor="Three Brothers Alliance")
    fact_id = await curator.add_fact(given, MONA)
    stored = await curator.existing(fact_id)
    assert (stored.credibility, stored.claimant_actor.slug) == (3, "alliance")
    told = capped_note(2, stored)
    assert told is not None and "stored as 3 (possibly true), not 2" in told
    assert "claimed by a spokesman for the alliance, a party to the fighting" in told
    # An edit may not lift it either, and an observer's claim keeps its grade.
    await curator.edit_fact(fact_id, given.model_copy(update={"credibility": 1}), MONA)
    assert (await curator.existing(fact_id)).credibility == 3
    observer = fields(
        statement="Beijing said trade through the crossings had stopped.", credibility=2, claimant_actor="China"
    )
    observed = await curator.existing(await curator.add_fact(observer, MONA))
    assert (observed.credibility, observed.claimant, observed.claimed_by) == (2, "Beijing", "claimed by Beijing")
    assert capped_note(2, observed) is None


async def test_the_claimant_is_shown_wherever_the_fact_is_cited(curator):
    given = fields(claimant="the junta", claimant_actor="junta", statement="The junta said Laukkai was calm.")
    fact_id = await curator.add_fact(given, MONA)
    found = await curator.briefing.search(SearchQuery(query="Laukkai calm"))
    every = [*found.lines, *(line for s in found.sections for line in s.lines)]
    (line,) = [line for line in every if f"(#{fact_id})" in line.text]
    assert line.claims == ["claimed by the junta, a party to the fighting"]
    shown = await curator.briefing.fact(build(FactQuery, id=fact_id))
    assert shown.lines[0].claims == ["claimed by the junta, a party to the fighting"]
    (claimant,) = [s for s in shown.sections if s.title == "Claimant"]
    assert (
        claimant.lines[0].text
        == "the junta (the actor Myanmar junta): a party to the fighting, so graded 3 (possibly true) at best"
    )


def test_the_fact_options_set_and_clear_the_claimant():
    set_ = FactEditRequest(id=1, claimant="a spokesman", claimed_by="TNLA").fields()
    assert (set_["claimant"], set_["claimant_actor"]) == ("a spokesman", "TNLA")
    cleared = FactEditRequest(id=1, claimant="-").fields()
    assert (cleared["claimant"], cleared["claimant_actor"]) == (None, None)
    assert "claimant" not in FactEditRequest(id=1).fields()


async def test_an_import_names_each_partys_claim_it_graded_3(curator):
    claimed = PACK.replace(
        "actors: [alliance], event: launch,\n     as_of: 2023-10-28, source: doc, reliability: B, credibility: 2}",
        "actors: [alliance], event: launch,\n     as_of: 2023-10-28, source: doc, reliability: B, credibility: 2,"
        " claimant: the alliance, claimant_actor: alliance}",
    )
    assert claimed != PACK
    changes = await curator.import_pack(claimed.encode(), MONA, dry_run=False)
    shown = import_report(changes, dry_run=False)
    (section,) = [s for s in shown.sections if s.title.startswith("Party claims")]
    assert section.title == "Party claims graded 3: 1 fact"
    assert section.lines[0].text.startswith("• fact f1: claimed by the alliance, a party to the fighting")
