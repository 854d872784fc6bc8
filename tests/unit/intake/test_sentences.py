"""Sentences, what they name, the day they state, and which of them are candidates."""

from __future__ import annotations

from datetime import date

from bot.intake.parse import extract_html
from bot.intake.sentences import Gazetteer, candidates, guess_kind, sentence_key, split_sentences, stated_day
from bot.models import FactKind
from tests.intake_data.server import GZERO_PAGE

LATEST = date(2024, 2, 1)
ROWS = [
    ("myanmar military junta", "actor", "myanmar-junta", "Myanmar military junta"),
    ("junta", "actor", "myanmar-junta", "Myanmar military junta"),
    ("tatmadaw", "actor", "myanmar-junta", "Myanmar military junta"),
    ("three brotherhood alliance", "actor", "tba", "Three Brotherhood Alliance"),
    ("three brothers alliance", "actor", "tba", "Three Brotherhood Alliance"),
    ("people s defense forces", "actor", "pdf", "People's Defense Forces"),
    ("shan state", "place", "shan-state", "Shan State"),
    ("shan", "place", "shan-state", "Shan State"),
    ("operation 1027", "event", "operation-1027", "Operation 1027 launched"),
    ("aa", "actor", "arakan-army", "Arakan Army"),  # too short to link on its own
]
GAZ = Gazetteer.build(ROWS, ["Operation 1027", "Myanmar"])


def test_sentences_split_at_stops_but_not_at_abbreviations():
    text = "Gen. Min Aung Hlaing spoke on Nov. 3. The U.S. said little. Fighting went on! Did it stop? Yes.\nNext."
    assert split_sentences(text) == [
        "Gen. Min Aung Hlaing spoke on Nov. 3.",
        "The U.S. said little.",
        "Fighting went on!",
        "Did it stop?",
        "Yes.",
        "Next.",
    ]


def test_stated_days_in_the_ways_reports_write_them():
    assert stated_day("It began on 27 October 2023 in Shan.", LATEST) == date(2023, 10, 27)
    assert stated_day("It began on Oct. 27, 2023.", LATEST) == date(2023, 10, 27)
    assert stated_day("Walk in Moe Bye, Myanmar November 12, 2023.", LATEST) == date(2023, 11, 12)
    assert stated_day("Dated 2023-10-27.", LATEST) == date(2023, 10, 27)
    assert stated_day("On 31 February 2023 nothing happened.", LATEST) is None
    assert stated_day("Planned for 1 March 2030.", LATEST) is None
    assert stated_day("Yesterday the junta fell back.", LATEST) is None


def test_names_are_found_by_any_alias_longest_first_and_in_reading_order():
    names, term = GAZ.find("The Tatmadaw and the People’s Defense Forces clashed in Shan State.")
    assert [k.slug for k in names] == ["myanmar-junta", "pdf", "shan-state"]
    assert not term
    names, term = GAZ.find("Myanmar's economy shrank.")
    assert names == [] and term
    names, _ = GAZ.find("The AA took the town.")
    assert names == []


def test_kinds_are_guessed_for_the_moderator_to_correct():
    assert guess_kind("About 40% of Myanmar’s access to China is under rebel control.") is FactKind.FIGURE
    assert guess_kind("Taking the big cities would likely require more might.") is FactKind.ASSESSMENT
    assert guess_kind("The rebels took Laukkai.") is FactKind.EVENT


def test_the_seed_article_gives_its_story_sentences_and_no_question_or_ad():
    article = extract_html(GZERO_PAGE, None)
    found = candidates(article.text, GAZ, LATEST)
    texts = [s.text for s in found]
    assert texts[0].startswith("Yesterday marked one month since the start of Operation 1027")
    assert found[0].event == "operation-1027" and "tba" in found[0].actors
    assert not [t for t in texts if t.endswith("?")]
    assert not [t for t in texts if "Microsoft" in t or "Walmart" in t]
    assert len(texts) == len(set(texts)) >= 6


def test_the_same_sentence_has_the_same_key_whatever_its_spacing_or_case():
    assert sentence_key(1, "The junta fell back.") == sentence_key(1, "the  JUNTA fell back")
    assert sentence_key(1, "The junta fell back.") != sentence_key(2, "The junta fell back.")


PUBLISHED = date(2023, 11, 9)  # a Thursday


def test_a_pronoun_is_resolved_in_brackets_with_the_day_it_goes_on_from():
    text = (
        "Junta spokesman Zaw Min Tun said on Tuesday that the Tatmadaw had lost contact with outposts in Shan State.\n"
        "He said reinforcements had been sent and that the army would launch counter-attacks."
    )
    found = candidates(text, GAZ, LATEST, published=PUBLISHED)
    assert found[1].text.startswith("[Junta spokesman Zaw Min Tun] said reinforcements")
    assert found[1].stated_day == date(2023, 11, 7) and found[1].claimant == "Junta spokesman Zaw Min Tun"
    assert [k.slug for k in found[1].claimant_names] == ["myanmar-junta"]


def test_a_pronoun_with_nothing_to_point_to_is_left_out():
    text = "Fighting went on in Shan State for a week, residents of the area reported.\nIt was the worst in Shan State."
    assert [s.text for s in candidates(text, GAZ, LATEST, published=PUBLISHED)] == [
        "Fighting went on in Shan State for a week, residents of the area reported."
    ]


def test_claims_naming_only_new_names_are_proposed_in_an_article_about_the_topic():
    story = (
        "The Three Brotherhood Alliance pressed on in Shan State.\nThe junta lost more outposts in Shan State.\n"
        "A spokesman for the football league said on Wednesday that the new season starts in March.\n"
        "A spokesman for the Yunnan provincial government said on Wednesday that the Qingshuihe crossing was shut.\n"
    )
    found = candidates(story, GAZ, LATEST, published=PUBLISHED)
    assert found[-1].claimant == "A spokesman for the Yunnan provincial government" and found[-1].names == []
    assert not [s for s in found if "football" in s.text]
    assert found[-1].stated_day == date(2023, 11, 8) and found[-1].day_note is None
    off_topic = "Stocks rose in Tokyo on Wednesday.\n" + story.splitlines()[-1]
    assert candidates(off_topic, GAZ, LATEST, published=PUBLISHED) == []


def test_ads_inside_the_body_are_never_proposed_even_naming_known_places():
    text = (
        "The Tatmadaw withdrew from two towns in Shan State on Monday.\nAdvertisement\n"
        "Discover Shan State with Golden Road Tours and the Operation 1027 trail, book today!\n"
        "Year-end sale: 40% off flights to Shan State.\nRelated: Junta loses more ground in Shan State\n"
        "Reporting by Staff in Shan State; Editing by Desk.\n© 2023 Shan State News. All rights reserved."
    )
    found = candidates(text, GAZ, LATEST, published=PUBLISHED)
    assert [s.text for s in found] == ["The Tatmadaw withdrew from two towns in Shan State on Monday."]
    assert found[0].stated_day == date(2023, 11, 6)


def test_a_sentence_without_a_day_says_it_takes_the_article_date():
    [found] = candidates("The Tatmadaw withdrew from two towns in Shan State.", GAZ, LATEST, published=PUBLISHED)
    assert found.stated_day is None and found.day_note == "day not stated; the article's date"
    assert found.language == "en" and found.claimant is None


def test_chinese_and_burmese_are_cut_at_their_own_full_stops():
    assert split_sentences("双方同意立即停火。果敢同盟军（MNDAA）宣布控制老街！下一步？") == [
        "双方同意立即停火。",
        "果敢同盟军（MNDAA）宣布控制老街！",
        "下一步？",
    ]
    assert split_sentences("MNDAA က ပြောသည်။ TNLA က ဆိုသည်။") == ["MNDAA က ပြောသည်။", "TNLA က ဆိုသည်။"]
    [found] = candidates(
        "此前，果敢同盟军（MNDAA）于1月5日宣布已全面控制老街。",
        GAZ_ZH,
        LATEST,
        published=date(2024, 1, 6),
        language="zh",
    )
    assert found.stated_day == date(2024, 1, 5) and found.language == "zh" and found.claimant == "果敢同盟军（MNDAA）"


GAZ_ZH = Gazetteer.build([("mndaa", "actor", "mndaa", "MNDAA"), *ROWS], [])
