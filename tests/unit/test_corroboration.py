"""The corroboration rule: one test per rule of `bot.corroboration`."""

from __future__ import annotations

from typing import Any

from bot.corroboration import ALONE, UNJUDGED, Corroboration, Report, corroborate

CLAIM = "The alliance captured the Chinshwehaw border gate."


def report(publisher: str, says: str | None = None, **kw: Any) -> Report:
    """A report in the publisher's own words unless `says` is given."""
    return Report(publisher, says or f"{CLAIM} ({publisher})", **kw)


def test_one_source_alone_is_possibly_true() -> None:
    assert corroborate([report("The Irrawaddy")]) == Corroboration(ALONE, 1)


def test_one_source_keeps_its_own_better_reading() -> None:
    assert corroborate([report("The Irrawaddy", credibility=2)]).credibility == 2


def test_two_independent_publishers_make_it_probably_true() -> None:
    found = corroborate([report("The Irrawaddy"), report("RFA")])
    assert (found.credibility, found.voices) == (2, 2)
    assert found.describe() == "confirmed by 2 independent outlets"


def test_three_or_more_independent_publishers_confirm_it() -> None:
    found = corroborate([report("The Irrawaddy"), report("RFA"), report("Myanmar Now"), report("BBC")])
    assert (found.credibility, found.voices) == (1, 4)


def test_the_same_publisher_twice_is_one_voice() -> None:
    found = corroborate([report("The Irrawaddy"), report("the irrawaddy", says="Rebels took the gate.")])
    assert (found.credibility, found.voices) == (ALONE, 1)


def test_the_same_wire_copy_republished_is_one_voice() -> None:
    wire = "Rebels seized the Chinshwehaw crossing, Reuters reported."
    found = corroborate([report("Reuters", says=wire), report("Daily Star", says=wire), report("Mizzima")])
    assert (found.credibility, found.voices) == (2, 2)


def test_a_partys_claim_alone_stays_possibly_true_at_best_and_is_marked() -> None:
    found = corroborate([report("MNDAA", party="MNDAA", credibility=1), report("MNDAA Telegram", party="MNDAA")])
    assert (found.credibility, found.voices, found.party_only) == (ALONE, 1, "MNDAA")
    assert found.describe() == "claimed by the MNDAA only"


def test_a_partys_claim_alone_may_be_graded_worse() -> None:
    assert corroborate([report("MNDAA", party="MNDAA", credibility=5)]).credibility == 5


def test_an_independent_source_confirms_a_partys_claim() -> None:
    found = corroborate([report("MNDAA", party="MNDAA"), report("RFA")])
    assert (found.credibility, found.party_only) == (2, None)


def test_the_other_party_confirms_a_partys_claim() -> None:
    found = corroborate([report("MNDAA", party="MNDAA"), report("True News", party="the military regime")])
    assert (found.credibility, found.party_only) == (2, None)


def test_a_retracted_source_lowers_the_grade_again() -> None:
    reports = [report("The Irrawaddy"), report("RFA"), report("Myanmar Now")]
    assert corroborate(reports).credibility == 1
    withdrawn = [reports[0], reports[1], Report("Myanmar Now", CLAIM, retracted=True)]
    assert corroborate(withdrawn).credibility == 2
    assert corroborate([reports[0], *(Report(p, CLAIM, retracted=True) for p in ("RFA", "Mizzima"))]).credibility == 3


def test_nothing_left_reporting_it_cannot_be_judged() -> None:
    assert corroborate([Report("RFA", CLAIM, retracted=True)]) == Corroboration(UNJUDGED, 0)


def test_a_moderators_grade_by_hand_wins_and_says_so() -> None:
    found = corroborate([report("The Irrawaddy"), report("RFA"), report("Mizzima")], by_hand=4)
    assert (found.credibility, found.by_hand) == (4, True)
    assert found.describe() is None


def test_a_report_with_other_figures_confirms_nothing() -> None:
    found = corroborate([report("The Irrawaddy"), report("RFA", disputes=True)])
    assert (found.credibility, found.voices) == (ALONE, 1)
