"""A report's new names added with one press, its event and stake adopted with its claim (issue 24)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import NotFound, UserError
from bot.intake.models import SourceAddRequest
from bot.models import Author
from bot.services import Services
from tests.unit.intake.conftest import FakePoster

MONA = Author(id=7, name="mona")
REPORT = b"""MNDAA seizes a border gate
The MNDAA said it had seized the Chinshwehaw border trade gate on November 2, 2023.
Chinshwehaw, a town in northern Shan State, handled much of the overland trade with China.
China's border trade through the crossing has stopped since the fighting began, traders in Shan State said.
"""


async def _report(services: Services, poster: FakePoster, body: bytes = REPORT, name: str = "report.txt") -> None:
    await services.intake.proposing.add_source(SourceAddRequest(), file=(name, body), channel_id=None)


def _candidate(poster: FakePoster, words: str):  # type: ignore[no-untyped-def]
    return next(c for _, c, _ in poster.posted if words in c.fields["statement"])


async def test_a_new_town_is_added_with_one_press_on_record_and_known_at_once(services: Services, poster):
    await _report(services, poster)
    adoption, topic = services.intake.review.adoption, await services.briefing.topic()
    seized = _candidate(poster, "seized")
    offered = await adoption.new_names(topic.slug, topic.id, seized.fields["statement"])
    assert [(n.name, n.entity, n.kind, n.parent) for n in offered] == [("Chinshwehaw", "place", "town", "shan-state")]

    slug = await adoption.add_name(topic.slug, offered[0], MONA, report="“MNDAA seizes a border gate”")
    place_id = await services.store.entity_by_slug(topic.id, "place", slug)
    assert place_id is not None
    place = await services.store.place(place_id)
    assert place is not None and place.parent is not None and place.parent.slug == "shan-state"
    [change] = await services.store.changes("place", place_id)
    assert (change.user_name, change.reason) == ("mona", "new name from “MNDAA seizes a border gate”")
    # Known to the next report at once (no waiting for the names' cache), and offered no more.
    assert "chinshwehaw" in (await services.intake.proposing.topic_gazetteer(topic.slug)).names
    assert await adoption.new_names(topic.slug, topic.id, seized.fields["statement"]) == []


async def test_a_rejected_name_is_not_offered_again_for_the_topic(services: Services, poster):
    await _report(services, poster)
    adoption, topic = services.intake.review.adoption, await services.briefing.topic()
    statement = _candidate(poster, "seized").fields["statement"]
    await adoption.reject_name(topic.id, "Chinshwehaw", MONA)
    assert await adoption.new_names(topic.slug, topic.id, statement) == []
    later = b"Gate reopens\nThe junta said on November 20, 2023 that troops had retaken Chinshwehaw in Shan State.\n"
    await _report(services, poster, later, "later.txt")
    retaken = _candidate(poster, "retaken")
    assert "names" not in await adoption.proposals(topic.id, retaken.fields["statement"])


async def test_approving_a_claim_adds_its_event_to_the_timeline_and_its_stake(services: Services, poster):
    await _report(services, poster)
    review, topic = services.intake.review, await services.briefing.topic()
    seized = _candidate(poster, "seized")
    [town] = await review.adoption.new_names(topic.slug, topic.id, seized.fields["statement"])
    await review.adoption.add_name(topic.slug, town, MONA, report="the report")

    decided = await review.approve(seized.id, MONA)
    fact = await services.store.fact(decided.fact_id)
    assert fact is not None and fact.event is not None
    [event] = await services.store.events(topic.id, since=date(2023, 11, 2), until=date(2023, 11, 2))
    assert (event.slug, event.name) == (fact.event.slug, "MNDAA seizes Chinshwehaw border trade gate")
    assert [p.slug for p in event.places] == ["chinshwehaw"]
    assert [(a.actor.slug, a.role) for a in event.actors] == [("mndaa", "attacker")]
    assert "from “MNDAA seizes a border gate”" in event.summary

    stake = _candidate(poster, "border trade through")
    assert (stake.fields["stakeholder"], stake.fields["interest"]) == ("beijing", "trade")
    written = await services.store.fact((await review.approve(stake.id, MONA)).fact_id)
    assert written is not None and written.stakeholder is not None and written.stakeholder.slug == "beijing"


async def test_a_claim_about_an_event_on_record_is_linked_to_it(services: Services, poster):
    body = b"Offensive on\nThe Three Brotherhood Alliance said its offensive, launched on October 27, 2023, goes on.\n"
    await _report(services, poster, body)
    candidate = _candidate(poster, "launched")
    assert candidate.fields["event"] == "operation-1027"
    decided = await services.intake.review.approve(candidate.id, MONA)
    fact = await services.store.fact(decided.fact_id)
    assert fact is not None and fact.event is not None and fact.event.slug == "operation-1027"


async def test_a_press_on_a_name_added_or_turned_down_already_says_so(services: Services, poster):
    await _report(services, poster)
    review, topic = services.intake.review, await services.briefing.topic()
    seized = _candidate(poster, "seized")
    said = await review.adoption.press(seized, topic.slug, 0, MONA, add=False)
    assert said == "“Chinshwehaw” will not be offered again."
    with pytest.raises(UserError, match="added or turned down already"):
        await review.adoption.press(seized, topic.slug, 0, MONA, add=True)
    with pytest.raises(NotFound, match="no such name"):
        await review.adoption.press(seized, topic.slug, 5, MONA, add=True)
    [(_, shown, _)] = poster.messages
    assert "new: Chinshwehaw" in str(shown.answer.model_dump())
    assert {n.name.name for n in shown.names} == {"Chinshwehaw"}  # offered by both sentences naming it
    redrawn = await review.page(shown.review_id)
    assert "new: Chinshwehaw" not in str(redrawn.answer.model_dump()) and redrawn.names == []
