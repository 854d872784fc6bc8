"""Schedules, zones and milestones: what moderators type, when it runs, and what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.digests.models import PreviewRequest, SubscribeRequest
from bot.digests.schedules import (
    milestone_moment,
    new_schedule,
    parse_after,
    parse_clock,
    parse_schedule,
    parse_zone,
    zone_suggestions,
)
from bot.errors import UserError

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2024, 3, 29, 12, tzinfo=UTC)


def local(runs, zone):
    return [r.astimezone(zone).strftime("%a %d %b %H:%M %Z") for r in runs]


@pytest.mark.parametrize(
    ("typed", "normal", "first_runs"),
    [
        ("daily 9:00", "daily 09:00", ["Sat 30 Mar 09:00 GMT", "Sun 31 Mar 09:00 BST", "Mon 01 Apr 09:00 BST"]),
        ("Weekly Monday 09:00", "weekly mon 09:00", ["Mon 01 Apr 09:00 BST", "Mon 08 Apr 09:00 BST"]),
        ("monthly 1 09:00", "monthly 1 09:00", ["Mon 01 Apr 09:00 BST", "Wed 01 May 09:00 BST"]),
        ("monthly last 18:30", "monthly last 18:30", ["Sun 31 Mar 18:30 BST", "Tue 30 Apr 18:30 BST"]),
        ("0 9 * * 1-5", "0 9 * * 1-5", ["Mon 01 Apr 09:00 BST", "Tue 02 Apr 09:00 BST"]),
    ],
)
def test_schedules_in_their_normal_form_and_next_runs(typed, normal, first_runs):
    schedule = new_schedule(typed, LONDON, NOW)
    assert schedule.text == normal
    assert local(schedule.next_runs(NOW, len(first_runs)), LONDON) == first_runs


@pytest.mark.parametrize(
    ("weekdays", "days"),
    [
        ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0", ["Sun"]),
        ("7", ["Sun"]),
        ("5-7", ["Fri", "Sat", "Sun"]),
        ("sat,sun", ["Sat", "Sun"]),
        ("mon-sun", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
        ("*/2", ["Sun", "Tue", "Thu", "Sat"]),
    ],
)
def test_cron_weekdays_count_from_sunday_as_cron_does(weekdays, days):
    schedule = parse_schedule(f"0 9 * * {weekdays}", LONDON)
    runs = schedule.next_runs(datetime(2024, 4, 7, 12, tzinfo=UTC), 14)  # from a Sunday afternoon
    assert sorted({r.strftime("%a") for r in runs}) == sorted(days)


def test_a_local_time_stays_put_across_both_dst_changes():
    schedule = parse_schedule("daily 09:00", NEW_YORK)
    spring = schedule.next_runs(datetime(2024, 3, 8, 15, tzinfo=UTC), 3)
    autumn = schedule.next_runs(datetime(2024, 11, 1, 14, tzinfo=UTC), 3)
    assert [r.strftime("%d %H:%M") for r in spring] == ["09 14:00", "10 13:00", "11 13:00"]
    assert [r.strftime("%d %H:%M") for r in autumn] == ["02 13:00", "03 14:00", "04 14:00"]
    assert all(" 09:00 " in t for t in local(spring + autumn, NEW_YORK))


def test_the_hour_repeated_when_clocks_go_back_runs_once():
    schedule = parse_schedule("daily 01:30", LONDON)
    runs = list(schedule.runs_between(datetime(2024, 10, 26, 12, tzinfo=UTC), datetime(2024, 10, 28, 12, tzinfo=UTC)))
    assert [r.isoformat() for r in runs] == ["2024-10-27T00:30:00+00:00", "2024-10-28T01:30:00+00:00"]
    assert len(list(parse_schedule("30 1 * * *", LONDON).runs_between(runs[0], runs[1]))) == 1


def test_a_time_skipped_when_clocks_go_forward_runs_once_an_hour_on():
    schedule = parse_schedule("daily 01:30", LONDON)
    runs = list(schedule.runs_between(datetime(2024, 3, 30, 12, tzinfo=UTC), datetime(2024, 4, 1, 12, tzinfo=UTC)))
    assert local(runs, LONDON) == ["Sun 31 Mar 02:30 BST", "Mon 01 Apr 01:30 BST"]


def test_runs_between_excludes_the_start_and_includes_the_end():
    schedule = parse_schedule("daily 09:00", ZoneInfo("UTC"))
    start = datetime(2024, 3, 1, 9, tzinfo=UTC)
    end = datetime(2024, 3, 3, 9, tzinfo=UTC)
    assert [r.day for r in schedule.runs_between(start, end)] == [2, 3]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Give a schedule"),
        ("hourly", "not a schedule I understand"),
        ("daily 25:00", "not a time of day"),
        ("daily 9", "not a time of day"),
        ("weekly xyz 09:00", "not a weekday"),
        ("monthly 31 09:00", "1 to 28"),
        ("*/5 * * * *", "more than once an hour"),
        ("0,30 9 * * *", "more than once an hour"),
        ("0 9 30 2 *", "never runs"),
        ("0 9 1 * 1", "not both"),
        ("0 9 * * 8", "0-7"),
        ("61 9 * * *", "`61` is not a minute in a cron schedule: use 0-59"),
        ("0 24 * * *", "`24` is not an hour in a cron schedule: use 0-23"),
        ("0 9 32 * *", "`32` is not a day of the month in a cron schedule: use 1-31"),
        ("0 9 * 13 *", "`13` is not a month in a cron schedule: use 1-12 or jan-dec"),
        ("*/0 9 * * *", "`\\*/0` is not a minute"),
        ("0 9 * * 5-1", "earlier day to the later"),
    ],
)
def test_malformed_schedules_are_refused_with_the_forms_that_work(typed, message):
    with pytest.raises(UserError, match=message) as refused:
        new_schedule(typed, LONDON, NOW)
    # The bot's words, never the scheduler library's ("Error validating expression", "maximum value").
    assert "expression" not in str(refused.value) and "maximum" not in str(refused.value)


def test_zones_forgive_case_and_suggest_the_closest_when_unknown():
    assert parse_zone("europe/london").key == "Europe/London"
    with pytest.raises(UserError, match="Did you mean `Europe/London`"):
        parse_zone("Europe/Lundon")
    assert "Asia/Yangon" in zone_suggestions("yang")
    assert zone_suggestions("new york") == ["America/New_York"]


def test_request_models_refuse_bad_zones_and_preview_needs_one_target():
    with pytest.raises(UserError, match="not a time zone"):
        SubscribeRequest(channel=1, schedule="daily 09:00", timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="give a digest `id`"):
        PreviewRequest(as_of="2023-11-27")
    with pytest.raises(ValueError, match="not both"):
        PreviewRequest(id=1, event="x", after="1 month")


@pytest.mark.parametrize(
    ("typed", "normal", "day"),
    [
        ("1 month", "1 month", date(2023, 11, 27)),
        ("a month", "1 month", date(2023, 11, 27)),
        ("30d", "30 days", date(2023, 11, 26)),
        ("2 weeks", "2 weeks", date(2023, 11, 10)),
        ("1 year", "1 year", date(2024, 10, 27)),
        ("six months", "6 months", date(2024, 4, 27)),
    ],
)
def test_lengths_of_time_after_an_event(typed, normal, day):
    after = parse_after(typed)
    assert after.text == normal
    assert after.from_day(date(2023, 10, 27)) == day


def test_a_month_after_the_31st_is_the_last_day_of_a_shorter_month():
    assert parse_after("1 month").from_day(date(2024, 1, 31)) == date(2024, 2, 29)


@pytest.mark.parametrize("typed", ["1m", "5 fortnights", "soon", "0 days", "11 years"])
def test_unclear_lengths_of_time_are_refused(typed):
    with pytest.raises(UserError):
        parse_after(typed)


def test_a_milestone_at_a_time_skipped_by_dst_moves_on_by_the_gap():
    assert milestone_moment(date(2024, 3, 31), time(1, 30), LONDON) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert milestone_moment(date(2023, 11, 27), parse_clock("09:00"), ZoneInfo("Asia/Yangon")) == datetime(
        2023, 11, 27, 2, 30, tzinfo=UTC
    )
