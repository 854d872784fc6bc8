"""When two outlets' statements report the same claim in their own words (`bot.claims.restates`)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.claims import Claim, differing_figures, disputes, one_claim, restates

DAY = date(2023, 11, 1)
GATE = Claim("The MNDAA captured the Chinshwehaw border gate.", frozenset({"mndaa", "chinshwehaw"}), DAY)


def claim(statement: str, about: set[str] | None = None, day: date = DAY) -> Claim:
    return Claim(statement, frozenset(about if about is not None else {"mndaa", "chinshwehaw"}), day)


@pytest.mark.parametrize(
    "other",
    [
        claim("Kokang rebels seized the Chinshwehaw crossing on the Chinese border."),
        claim("Chinshwehaw fell to the MNDAA.", day=date(2023, 11, 2)),
        claim("The gate at Chinshwehaw was taken.", {"chinshwehaw"}),
        claim("The MNDAA captured the Chinshwehaw border gate, the alliance said."),
    ],
)
def test_a_restatement_in_other_words_is_the_same_claim(other: Claim) -> None:
    assert restates(GATE, other) and restates(other, GATE)


@pytest.mark.parametrize(
    "other",
    [
        claim("The MNDAA withdrew from the Chinshwehaw border gate."),
        claim("The MNDAA captured the Chinshwehaw border gate.", day=date(2023, 11, 5)),
        claim("The TNLA captured the Namhsan gate.", {"tnla", "namhsan"}),
        claim("The army shelled Chinshwehaw.", {"chinshwehaw", "army"}),
        claim("The MNDAA captured the Chinshwehaw border gate.", set()),
    ],
)
def test_a_different_claim_is_not_merged(other: Claim) -> None:
    assert not restates(GATE, other)


def test_different_figures_are_different_reports() -> None:
    one = claim("298 people were killed in Laukkai.", {"laukkai"})
    assert restates(one, claim("Fighting in Laukkai killed 298.", {"laukkai"}))
    assert not restates(one, claim("1,500 were killed in Laukkai.", {"laukkai"}))


def test_without_a_known_happening_the_words_must_nearly_agree() -> None:
    one = claim("China urged the MNDAA to respect the border at Chinshwehaw.")
    assert restates(one, claim("China urged the MNDAA to respect its border at Chinshwehaw."))
    assert not restates(one, claim("The MNDAA praised the support of local traders at Chinshwehaw."))


def test_reports_of_one_happening_with_other_figures_dispute_it() -> None:
    one = claim("298 people were killed in Laukkai.", {"laukkai"})
    other = claim("Fighting in Laukkai killed 1,500.", {"laukkai"})
    assert disputes(one, other) and one_claim(one, other) and not restates(one, other)
    assert differing_figures(one.statement, other.statement) == (["298"], ["1,500"])
    assert not disputes(one, claim("Fighting in Laukkai killed 298.", {"laukkai"}))
    assert not disputes(one, claim("Many were killed in Laukkai.", {"laukkai"}))
    assert not disputes(one, claim("1,500 fled Laukkai.", {"laukkai"}))


def test_other_figures_about_another_place_are_another_report() -> None:
    one = claim("Fighting near Paletwa displaced 200 people on 2 January 2024.", {"arakan-army"})
    other = claim("Fighting near Laukkai displaced 300 people on 3 January 2024.", {"arakan-army"})
    assert not one_claim(one, other)
