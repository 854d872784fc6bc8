"""The shared input rules: the text normaliser, the not-in-the-future rule, searchable queries, and refusals
in the user's words, on every model that takes input (queries, requests, records, packs)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.briefing.queries import ActorQuery, BriefQuery, SearchQuery, StakesQuery, TimelineQuery, build
from bot.curation.models import ActorAddRequest, EventAddRequest, FactFields, RetractRequest, names
from bot.digests.models import PreviewRequest, SubscribeRequest
from bot.errors import UserError
from bot.models import Actor, Event, Source, latest_day
from bot.packs import PackError, parse_pack
from bot.text import clean_line, clean_paragraph, is_blank
from tests.unit.test_models import fact

INVISIBLE = ["\u200b\u200b", "\u200e\u200f", "\u2066\u2069", "\ufeff", "\u3164", "\u2800", " \t\u00a0", "\u202e\u200d"]

# The normaliser ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", INVISIBLE)
def test_text_with_nothing_visible_is_blank_and_cleans_to_empty(text):
    assert is_blank(text)
    assert clean_line(text) == "" and clean_paragraph(text) == ""


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Lash\x00io", "Lashio"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("\u200b Lashio \u200e", "Lashio"),
        ("Laukkai\ud800", "Laukkai"),
        ("two\nlines\tand tab", "two lines and tab"),
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # the joiner inside an emoji stays
        ("❤\ufe0f", "❤\ufe0f"),  # and so does the selector that makes a heart an emoji
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian's zero-width non-joiner
    ],
)
def test_a_line_loses_control_characters_and_invisible_ends_only(typed, kept):
    assert clean_line(typed) == kept


def test_a_paragraph_keeps_its_line_breaks_and_tabs():
    assert clean_paragraph(" one\r\ntwo\rthree\u2028four\tfive\x00 ") == "one\ntwo\nthree\nfour\tfive"


def test_text_is_cleaned_on_every_model_that_takes_it():
    assert fact(statement="Kokang\x00 fell.\u200b").statement == "Kokang fell."
    assert Source(title="Report\x07", publisher="\u200b", note="\u2066").publisher is None
    assert Actor(slug="a", name="\u200bKIA\x00", aliases=["Kachin\x1b"], kind="armed-group").aliases == ["Kachin"]
    assert build(SearchQuery, query="China\x00 trade").query == "China trade"
    assert build(RetractRequest, id=1, reason="dup\x00licate").reason == "duplicate"


@pytest.mark.parametrize("blank", INVISIBLE)
def test_required_text_with_nothing_visible_is_refused_as_empty(blank):
    for model, values, field in [
        (ActorQuery, {}, "name"),
        (SearchQuery, {}, "query"),
        (RetractRequest, {"id": 1}, "reason"),
        (ActorAddRequest, {"kind": "person"}, "name"),
    ]:
        with pytest.raises(UserError, match=rf"`{field}`: is empty"):
            build(model, **values, **{field: blank})
    with pytest.raises(ValueError, match="at least 1"):
        fact(statement=blank)
    with pytest.raises(ValueError, match="at least 1"):
        Source(title=blank)
    with pytest.raises(ValueError, match="at least 1"):
        Actor(slug="a", name="A", aliases=[blank], kind="person")


def test_optional_text_with_nothing_visible_is_not_given():
    assert build(TimelineQuery, actor="\u200b\u200b", region="\u3164").actor is None
    assert build(StakesQuery, stakeholder="\u2066\u2069").stakeholder is None
    assert names("KIA, \u200b, Kachin Independence Army,\u200e") == ["KIA", "Kachin Independence Army"]


def test_a_pack_with_an_invisible_statement_is_refused_with_its_line():
    pack = """
topic: {slug: t, title: T}
sources: {s: {title: S}}
facts:
  - {key: f, statement: "\u200b\u200b", kind: figure, as_of: 2023-01-01, source: s, reliability: B, credibility: 2}
"""
    with pytest.raises(PackError) as refused:
        parse_pack(pack)
    (problem,) = refused.value.problems
    assert (problem.location, problem.line) == ("facts[0].statement", 5)
    assert "is empty" in problem.message


# Dates after today ----------------------------------------------------------------------------------------


def test_the_latest_day_is_today_in_the_first_time_zone_to_reach_it():
    assert latest_day(datetime(2024, 3, 1, 9, 59, tzinfo=UTC)) == date(2024, 3, 1)
    assert latest_day(datetime(2024, 3, 1, 10, 0, tzinfo=UTC)) == date(2024, 3, 2)  # 00:00 on Kiritimati


def test_today_anywhere_on_earth_is_accepted_and_the_day_after_is_not():
    assert build(BriefQuery, as_of=latest_day().isoformat()).as_of == latest_day()
    with pytest.raises(UserError, match="lies in the future"):
        build(BriefQuery, as_of=(latest_day() + timedelta(days=1)).isoformat())


@pytest.mark.parametrize(
    ("model", "values", "field"),
    [
        (BriefQuery, {}, "as_of"),
        (ActorQuery, {"name": "Tatmadaw"}, "as_of"),
        (StakesQuery, {}, "as_of"),
        (TimelineQuery, {}, "since"),
        (TimelineQuery, {}, "until"),
        (PreviewRequest, {"event": "Operation 1027", "after": "30d"}, "as_of"),
        (EventAddRequest, {"name": "Later"}, "date"),
    ],
)
def test_a_date_after_today_is_refused_saying_what_to_give(model, values, field):
    with pytest.raises(UserError) as refused:
        build(model, **values, **{field: "9999-12-31"})
    assert str(refused.value) == (
        f"`{field}`: 9999-12-31 lies in the future: give today or an earlier day (YYYY-MM-DD)"
    )


def test_a_facts_dates_after_today_are_refused_by_their_labels():
    form = {
        "statement": "Rebels took Laukkai.",
        "source_title": "Report",
        "as_of": "2024-01-05",
        "kind": "event",
        "reliability": "B",
        "credibility": 2,
    }
    with pytest.raises(UserError, match=r"^`True as of`: 9999-12-31 lies in the future"):
        build(FactFields, **{**form, "as_of": "9999-12-31"})
    with pytest.raises(UserError, match=r"^`Source date`: 9999-12-31 lies in the future"):
        build(FactFields, **form, source_date="9999-12-31")
    with pytest.raises(ValueError, match="lies in the future"):
        Event(slug="e", name="E", date="9999-12-31")
    with pytest.raises(ValueError, match="lies in the future"):
        fact(as_of="9999-12-31")


# Searches with no word -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["*", "-", "^", "🙂🔥", '"', "“”", "¿?", "_", "* - ^"])
def test_a_search_with_no_word_is_refused_saying_to_use_words(query):
    with pytest.raises(UserError, match="`query`: has no word to search for: use words or a name"):
        build(SearchQuery, query=query)


@pytest.mark.parametrize("query", ["Lashio", "1027", "trade with China?", "Mong-Ko", "မြန်မာ"])
def test_a_search_with_a_word_or_number_is_accepted(query):
    assert build(SearchQuery, query=query).query == query


# Limits and choices --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "values", "message"),
    [
        (RetractRequest, {"id": 1, "reason": "x" * 501}, "`reason`: is too long: at most 500 characters"),
        (RetractRequest, {"id": 0, "reason": "r"}, "`id`: must be at least 1"),
        (ActorAddRequest, {"name": "x" * 101, "kind": "person"}, "`name`: is too long: at most 100 characters"),
        (ActorAddRequest, {"name": "X", "kind": "wizard"}, "`kind`: must be one of 'state'"),
        (SearchQuery, {"query": "x" * 201}, "`query`: is too long: at most 200 characters"),
        (SubscribeRequest, {"channel": 1, "schedule": "daily 09:00", "timezone": "x" * 65}, "`timezone`: is too long"),
    ],
)
def test_limits_are_refused_in_the_bots_words(model, values, message):
    with pytest.raises(UserError) as refused:
        build(model, **values)
    assert str(refused.value).startswith(message)


def test_a_bad_cron_schedule_is_refused_when_the_request_is_built():
    with pytest.raises(UserError, match="`61` is not a minute in a cron schedule"):
        build(SubscribeRequest, channel=1, schedule="61 9 * * *", timezone="UTC")
    assert (
        build(SubscribeRequest, channel=1, schedule=" 0 9 * * MON-FRI ", timezone="UTC").schedule == "0 9 * * mon-fri"
    )
