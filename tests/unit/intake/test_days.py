"""The day a sentence reports, counted from the article's own date."""

from __future__ import annotations

from datetime import date

import pytest

from bot.intake.days import find_days
from bot.models import DatePrecision

LATEST = date(2024, 2, 1)
THURSDAY = date(2023, 11, 2)


def first(text: str, published: date | None = THURSDAY) -> tuple[date, DatePrecision, str | None] | None:
    found = find_days(text, published, LATEST)
    return (found[0].day.day, found[0].day.precision, found[0].day.note) if found else None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("The junta said on Wednesday it had lost the town.", date(2023, 11, 1)),
        ("The junta said on Thursday it had lost the town.", THURSDAY),
        ("The junta said last Thursday it had lost the town.", date(2023, 10, 26)),
        ("The alliance said yesterday it held the gate.", date(2023, 11, 1)),
        ("It began on Oct. 27 in northern Shan State.", date(2023, 10, 27)),
        ("It began on 27 October in northern Shan State.", date(2023, 10, 27)),
        ("The talks were held on Dec. 14 last year.", date(2022, 12, 14)),
        ("It began on 27 October 2023 in Shan.", date(2023, 10, 27)),
        ("Kelompok itu mengatakan pada hari Rabu bahwa", date(2023, 11, 1)),
        ("中国外交部发言人1日表示", date(2023, 11, 1)),
        ("အောက်တိုဘာလ ၂၇ ရက်နေ့တွင် စတင်ခဲ့သည်။", date(2023, 10, 27)),
    ],
)
def test_days_count_back_from_the_article(text, day):
    found = first(text)
    assert found is not None and found[0] == day and found[1] is DatePrecision.DAY


def test_pairs_and_spans_are_their_first_day_with_a_note():
    assert first("Talks were held in Kunming on Jan. 10 and 11.", date(2024, 1, 12)) == (
        date(2024, 1, 10),
        DatePrecision.DAY,
        "10 January 2024 and 11 January 2024; the first day",
    )
    day, _, note = first("Between Nov. 13 and Nov. 20, the Arakan Army attacked.", date(2023, 12, 28)) or (0, 0, "")
    assert day == date(2023, 11, 13) and note and " to " in note


@pytest.mark.parametrize(
    ("text", "month", "said"),
    [
        ("The Arakan Army said last week that it took an outpost.", date(2023, 10, 1), "last week"),
        ("Earlier this month, fighters took Kawlin.", date(2023, 11, 1), "earlier this month"),
        ("They were told last month to leave.", date(2023, 10, 1), "last month"),
        ("In October, the envoy met junta leaders.", date(2023, 10, 1), "In October"),
    ],
)
def test_vaguer_days_are_months_that_say_what_the_text_said(text, month, said):
    found = first(text)
    assert found is not None and found[:2] == (month, DatePrecision.MONTH) and found[2] and found[2].startswith(said)


@pytest.mark.parametrize(
    "text",
    [
        "The road has been closed since Friday.",
        "Operation 1027, which began on Oct. 27, goes on.",
        "Two months after the alliance attacked on Oct. 27, the army is weaker.",
        "Planned for 1 March 2030.",
    ],
)
def test_scene_setting_and_future_days_are_not_the_day_reported(text):
    assert first(text) is None


def test_relative_days_need_the_article_date():
    assert first("The junta said on Wednesday it had lost the town.", None) is None
    assert first("It began on 27 October 2023 in Shan.", None) == (date(2023, 10, 27), DatePrecision.DAY, None)
