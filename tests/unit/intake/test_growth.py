"""New names, events and stakes proposed from reports (issue 24), and the corpus figures they reach."""

from __future__ import annotations

from datetime import date

import yaml

from bench.intake_growth import CORPUS, GOALS, score, seed
from bot.intake.growth import KnownEvent, StakeModel, event_kind, fitting, grow, propose_event, propose_stake
from bot.intake.names import new_names
from bot.intake.sentences import split_sentences
from bot.models import DatePrecision, Interest

GAZ, EVENTS, STAKES = seed()
DAY = (date(2023, 11, 3), DatePrecision.DAY)


def names(text: str) -> dict[str, tuple[str, str, tuple[str, ...], str | None]]:
    return {n.name: (n.entity, n.kind, n.aliases, n.parent) for n in new_names(split_sentences(text), GAZ)}


def test_new_names_with_their_kind_parent_and_alias_from_the_words_around_them():
    found = names(
        "Chinshwehaw, a town in northern Shan State, fell on Thursday. Junta spokesman Zaw Min Tun denied it.\n"
        "The Kachin Independence Army (KIA) joined in, a KIA officer said. Traders in Yunnan province waited."
    )
    assert found == {
        "Chinshwehaw": ("place", "town", (), "shan-state"),
        "Zaw Min Tun": ("actor", "person", (), None),
        "Kachin Independence Army": ("actor", "armed-group", ("KIA",), None),
        "Yunnan": ("place", "region", (), None),
    }


def test_known_names_sentence_openers_days_and_demonyms_are_not_new():
    found = names(
        "The MNDAA said on Monday that Chinese traders had left Shan State. Residents said junta troops fled in"
        " November. More than 500 people left."
    )
    assert found == {}


def test_an_organisation_joined_through_of_and_a_new_parent_place():
    found = names("The Ministry of Public Security spoke. Mongko, a town in Muse township, was shelled.")
    assert found["Ministry of Public Security"][:2] == ("actor", "government")
    assert found["Mongko"] == ("place", "town", (), "Muse")


def test_a_capture_proposes_an_event_a_reader_would_name_with_place_and_roles():
    sentence = "The MNDAA said on Thursday it had seized the Chinshwehaw border trade gate after days of fighting."
    new = new_names([sentence], GAZ)
    event = propose_event(sentence, GAZ, new, DAY, EVENTS)
    assert event is not None
    assert (event.kind, event.name, event.place, event.link) == (
        "capture",
        "MNDAA seizes Chinshwehaw border trade gate",
        "Chinshwehaw",
        None,
    )
    assert event.actors == (("mndaa", "attacker"),)
    assert (event.day, event.precision) == DAY


def test_a_claim_about_an_event_on_record_links_to_it_only_within_two_days():
    sentence = "The Three Brotherhood Alliance said its offensive, launched on October 27, 2023, would go on."
    on_day = propose_event(sentence, GAZ, [], (date(2023, 10, 27), DatePrecision.DAY), EVENTS)
    later = propose_event(sentence, GAZ, [], (date(2023, 11, 2), DatePrecision.DAY), EVENTS)
    assert on_day is not None and on_day.link == "operation-1027"
    assert later is not None and later.link is None


def test_an_event_on_record_needs_the_same_kind_and_a_shared_place_or_actor():
    gate = KnownEvent("gate", "MNDAA seizes the gate", date(2023, 11, 2), "day", frozenset({"shan-state"}), frozenset())
    proposal = propose_event("Rebels captured a post in Shan State.", GAZ, [], DAY, [gate])
    assert proposal is not None and proposal.link == "gate"
    elsewhere = propose_event("Rebels captured a post in Rakhine State.", GAZ, [], DAY, [gate])
    assert elsewhere is not None and fitting(elsewhere, [gate]) is None
    assert event_kind("The two sides held talks in Kunming.") == "talks"


def test_sentences_reporting_nothing_happening_propose_no_event():
    assert propose_event("The alliance is popular among residents of the region.", GAZ, [], DAY, EVENTS) is None


def test_stakes_for_the_stakeholder_and_those_it_speaks_for():
    def stake(sentence: str) -> tuple[str, Interest] | None:
        known, _ = GAZ.find(sentence)
        found = propose_stake(sentence, known, STAKES)
        return (found.stakeholder, found.interest) if found else None

    assert stake("Chinese traders said the fighting was hurting Beijing's border trade.") == ("beijing", "trade")
    assert stake("The embassy asked Chinese citizens to leave the conflict areas.") == ("beijing", "citizens")
    assert stake("Beijing welcomed the delegation on Monday.") is None
    assert StakeModel.build([("beijing", ["chinese-citizens"])]).on_behalf == {"chinese-citizens": "beijing"}


def test_the_report_corpus_meets_the_issue_goals_on_both_thirds():
    reports = yaml.safe_load(CORPUS.read_text())["reports"]
    for split, tally in score(reports).items():
        for what, goal in GOALS.items():
            share = tally.share(what)
            assert (share <= goal) if what == "not expected" else (share >= goal), (split, what, share)
        assert tally.presses_now < tally.presses_today


def test_grow_ties_every_proposal_to_a_sentence_of_the_report():
    sentences = split_sentences(
        "Ethnic armed groups captured the town of Kunlong on Sunday. Beijing's trade is at risk."
    )
    growth = grow(sentences, GAZ, EVENTS, STAKES, published=date(2023, 11, 13))
    assert [n.name for n in growth.names] == ["Kunlong"]
    assert [(e.sentence, e.name) for e in growth.events] == [(sentences[0], "Ethnic armed groups capture Kunlong")]
    assert [s.sentence for s in growth.stakes] == [sentences[1]]
