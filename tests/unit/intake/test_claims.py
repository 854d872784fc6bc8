"""Intake and who claims what: a party's claim marked on review, a report in another language skipped or labelled."""

from __future__ import annotations

import dataclasses

import pytest

from bot.intake import proposing
from bot.intake.models import SourceAddRequest
from bot.intake.parse import Article
from bot.intake.reading import Reader
from bot.intake.sentences import Known
from bot.models import Author
from bot.services import Services
from tests.unit.intake.conftest import FakePoster

MONA = Author(id=7, name="mona")

#: The same report in Indonesian and in Burmese: detection reads the words, whatever the page declares.
INDONESIAN = (
    "Juru bicara MNDAA mengatakan pada hari Selasa bahwa pasukannya telah merebut Chinshwehaw di perbatasan dengan"
    " China.\nJunta Myanmar belum mengatakan apakah pasukannya meninggalkan Chinshwehaw."
)
BURMESE = (
    "MNDAA ပြောခွင့်ရသူက ၎င်း၏တပ်ဖွဲ့များသည် Laukkai မြို့ကို သိမ်းပိုက်ပြီးဖြစ်ကြောင်း အင်္ဂါနေ့တွင် ပြောကြားခဲ့သည်။\n"
    "စစ်ကောင်စီက Laukkai မှ ၎င်း၏တပ်များ ဆုတ်ခွာခြင်းရှိမရှိ မပြောကြားသေးပါ။"
)
REPORT = (
    "A spokesman for the MNDAA said on Tuesday that its fighters had taken Chinshwehaw, on the border with China.\n"
    "The Myanmar junta has not said whether its troops left Chinshwehaw."
)


def as_article(language: str):
    async def read(self, name: str, data: bytes) -> Article:
        return Article("Kokang fighters claim the gate", "Wire", None, None, data.decode(), language)

    return read


async def text(services: Services, monkeypatch: pytest.MonkeyPatch, language: str, report: str = REPORT):
    monkeypatch.setattr(Reader, "read_file", as_article(language))
    q = SourceAddRequest(reliability="B")
    return await services.intake.proposing.add_source(q, file=("report.txt", report.encode()), channel_id=None)


def shown_for(answer, candidate) -> str:
    """A candidate's numbered entry in its article's review message: the statement, then its details."""
    [text] = [line.text for line in answer.lines if candidate.fields["statement"] in line.text]
    return text


async def test_a_report_in_a_language_the_topic_does_not_accept_is_skipped_with_the_reason(
    services, poster: FakePoster, monkeypatch
):
    outcome = await text(services, monkeypatch, "id", INDONESIAN)
    assert (outcome.status, outcome.candidates) == ("skipped", 0)
    assert outcome.detail is not None and "the report is in Indonesian (id)" in outcome.detail
    assert poster.posted == []
    row = await services.store.row("SELECT status, detail FROM intake_items ORDER BY id DESC LIMIT 1")
    assert (row[0], row[1]) == ("skipped", outcome.detail)


async def test_a_report_in_an_accepted_language_other_than_english_says_so_on_each_candidate(
    services, poster: FakePoster, monkeypatch
):
    async with services.store.db.transaction() as conn:
        await conn.execute("UPDATE topics SET languages = 'en,my'")
    outcome = await text(services, monkeypatch, "my", BURMESE)
    assert outcome.status == "proposed" and outcome.candidates == len(poster.posted) > 0
    for _, candidate, answer in poster.posted:
        assert candidate.language == "my"
        expected = "Burmese (my), not English: read the original before approving"
        assert expected in shown_for(answer, candidate)


async def test_a_partys_claim_is_marked_on_its_candidate_and_the_day_note_shown(
    services, poster: FakePoster, monkeypatch
):
    real = proposing.candidates

    def claimed(*args, **kwargs):
        mndaa = Known("actor", "mndaa", "Myanmar National Democratic Alliance Army")
        return [
            dataclasses.replace(
                s,
                claimant="a spokesman for the MNDAA",
                claimant_names=[mndaa],
                day_note="the article's date: the day it reports could not be known",
            )
            for s in real(*args, **kwargs)
        ]

    monkeypatch.setattr(proposing, "candidates", claimed)
    await text(services, monkeypatch, "en")
    _, candidate, answer = poster.posted[0]
    assert (candidate.fields["claimant"], candidate.fields["claimant_actor"]) == ("a spokesman for the MNDAA", "mndaa")
    assert (
        "claimed by a spokesman for the MNDAA, a party to the fighting:"
        " approved, it is graded 3 (possibly true) at best"
    ) in shown_for(answer, candidate)
    assert "(the article's date: the day it reports could not be known)" in shown_for(answer, candidate)

    decided = await services.intake.review.approve(candidate.id, MONA)
    fact = await services.store.fact(decided.fact_id)
    assert fact is not None and (fact.credibility, fact.claimant_actor.slug) == (3, "mndaa")
    assert "claimed by a spokesman for the MNDAA, a party to the fighting" in str(fact.claimed_by)
