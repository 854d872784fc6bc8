"""Who makes a claim, as the report wrote it, and where the attribution sits."""

from __future__ import annotations

import pytest

from bot.intake.claimants import attribution


@pytest.mark.parametrize(
    ("sentence", "claimant"),
    [
        ("A spokesman for the MNDAA said its fighters held the town.", "A spokesman for the MNDAA"),
        ("The junta said on Friday that it had carried out air strikes.", "The junta"),
        ("China's foreign ministry said on Tuesday it was following events.", "China's foreign ministry"),
        ("Residents of Kutkai said aircraft had bombed villages on Friday.", "Residents of Kutkai"),
        ("Prices have risen sharply, traders said.", "traders"),
        ("About 50,000 people have fled, according to the UN humanitarian office.", "the UN humanitarian office"),
        ("Shelling went on, according to two residents who left that night.", "two residents who left that night"),
        ("According to the spokesperson, China supports a settlement.", "the spokesperson"),
        ("Kokang residents told reporters that shelling had gone on.", "Kokang residents"),
        ("The spokesperson did not give details and said China would help.", "The spokesperson"),
        ("In Lashio, residents said they had bought rice.", "residents"),
    ],
)  # fmt: skip
def test_english_claimants(sentence, claimant):
    found = attribution(sentence)
    assert found is not None and found.claimant == claimant


@pytest.mark.parametrize(
    "sentence",
    [
        "The junta has not said how many soldiers it has lost.",
        "The claims made by both sides were many.",
        "The Arakan Army attacked outposts in Rakhine State on Monday.",
    ],
)
def test_no_claimant_where_nobody_claims(sentence):
    assert attribution(sentence) is None


def test_the_attribution_span_leaves_the_reported_content():
    sentence = "The Kokang army said on Monday that its fighters took the gate on Oct. 27."
    found = attribution(sentence)
    assert found is not None and sentence[found.end :].startswith(" its fighters")


@pytest.mark.parametrize(
    ("sentence", "language", "claimant"),
    [
        ("Kelompok bersenjata MNDAA mengatakan pada hari Jumat bahwa menang.", "id", "Kelompok bersenjata MNDAA"),
        ("Menurut juru bicara kelompok itu, ratusan tentara menyerah.", "id", "juru bicara kelompok itu"),
        ("此前，果敢同盟军（MNDAA）于1月5日宣布已全面控制老街。", "zh", "果敢同盟军（MNDAA）"),
        ("နေအိမ်များမှ ထွက်ပြေးနေရသည်ဟု TNLA က ဆိုသည်။", "my", "TNLA"),
        ("The junta said so.", "de", None),
    ],
)  # fmt: skip
def test_claimants_in_other_languages(sentence, language, claimant):
    found = attribution(sentence, language)
    assert (found.claimant if found else None) == claimant
