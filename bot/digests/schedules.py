"""When digests run: schedules people type, milestones after an event, and the time zones they run in.

A schedule is a wall-clock time in an IANA zone, so a 09:00 digest stays at 09:00 local time across
daylight saving. APScheduler's `CronTrigger` does the calendar arithmetic; two things are corrected here:
it fires twice when clocks go back and the time falls in the repeated hour (a digest must come once), and
its `from_crontab` numbers weekdays from Monday where cron numbers them from Sunday (so `1-5` would mean
Tuesday to Saturday). The same trigger that the scheduler runs also answers "when are the next runs?"
and "which runs were missed?", so what a moderator is shown is what happens.
"""

from __future__ import annotations

import calendar
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from rapidfuzz import fuzz, process

from bot.errors import UserError

# More often than this is a feed, not a digest, and would spend the channel's rate limit.
MIN_GAP = timedelta(hours=1)
# Upcoming runs checked against MIN_GAP: at most 24 fit in a day, and every day a cron expression runs has
# the same times, so 25 runs see every gap within a day and the one into the next.
GAP_CHECK_RUNS = 25
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {name: short for short in DAYS for name in (short, calendar.day_name[DAYS.index(short)].lower())}
EXAMPLES = "`daily 09:00`, `weekly mon 09:00`, `monthly 1 09:00` or five-field cron such as `0 9 * * 1-5`"
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_NUMBER_WORDS = {
    word: number
    for number, words in enumerate(
        ("", "a an one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    )
    for word in words.split()
}
Unit = Literal["day", "week", "month", "year"]
_UNITS: dict[str, Unit] = {
    "d": "day",
    "day": "day",
    "days": "day",
    "w": "week",
    "week": "week",
    "weeks": "week",
    "mo": "month",
    "month": "month",
    "months": "month",
    "y": "year",
    "year": "year",
    "years": "year",
}
_AFTER = re.compile(r"^(\d{1,4}|[a-z]+)\s*([a-z]+)$")
MAX_AFTER = timedelta(days=3660)

Kind = Literal["daily", "weekly", "monthly", "cron", "once"]


class WallClockCronTrigger(CronTrigger):  # type: ignore[misc]  # APScheduler 3 ships no type hints
    """A cron trigger that fires once per wall-clock time, skipping the hour repeated when clocks go back.

    In the repeated hour each wall time happens twice; the second has `fold=1` (PEP 495). The cron fields
    match wall time, so whenever the second matches the first did too, and skipping it loses no run.
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        """The next run, never the second pass through a repeated wall time."""
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while fire is not None and fire.fold == 1:
            fire = super().get_next_fire_time(fire, fire)
        return fire


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: its normal text, its zone, and the trigger that runs it."""

    kind: Kind
    text: str
    zone: ZoneInfo
    trigger: BaseTrigger

    def runs_between(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Run times after `start` and up to and including `end`, in UTC, oldest first."""
        fire = self.trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
        while fire is not None and fire <= end:
            yield fire.astimezone(UTC)
            fire = self.trigger.get_next_fire_time(fire, fire)

    def next_runs(self, after: datetime, count: int = 3) -> list[datetime]:
        """The next `count` run times after `after`, in UTC."""
        runs: list[datetime] = []
        fire = self.trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
        while fire is not None and len(runs) < count:
            runs.append(fire.astimezone(UTC))
            fire = self.trigger.get_next_fire_time(fire, fire)
        return runs

    @property
    def title(self) -> str:
        """What to call a digest on this schedule."""
        return {"daily": "Daily digest", "weekly": "Weekly digest", "monthly": "Monthly digest"}.get(
            self.kind, "Digest"
        )


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone by name, forgiving case ("europe/london"); a refusal names the closest zones."""
    text = name.strip()
    known = _zones()
    canonical = known.get(text.casefold())
    if canonical is not None:
        return ZoneInfo(canonical)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        close = [m[0] for m in process.extract(text, list(known.values()), scorer=fuzz.WRatio, limit=3)]
        hint = f" Did you mean {', '.join(f'`{z}`' for z in close)}?" if close and text else ""
        raise UserError(
            f"`{text}` is not a time zone I know: use an IANA name such as `Europe/London` or `Asia/Yangon`.{hint}"
        ) from None


def zone_suggestions(text: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: those containing what was typed, shortest first."""
    needle = text.strip().casefold().replace(" ", "_")
    names = sorted(_zones().values(), key=lambda z: (len(z), z))
    return [z for z in names if needle in z.casefold()][:limit]


@functools.cache
def _zones() -> dict[str, str]:
    return {z.casefold(): z for z in available_timezones()}


def parse_clock(text: str) -> time:
    """A time of day written `HH:MM` (24-hour)."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise UserError(f"`{text.strip()}` is not a time of day: write it as HH:MM, 24-hour, such as `09:00`.")
    return time(int(match[1]), int(match[2]))


def new_schedule(text: str, zone: ZoneInfo, now: datetime) -> Schedule:
    """A schedule a moderator typed, refused if it never runs or would run more than hourly."""
    schedule = parse_schedule(text, zone)
    if schedule.kind != "cron":
        return schedule
    runs = schedule.next_runs(now, GAP_CHECK_RUNS)
    if not runs:
        raise UserError(f"`{schedule.text}` never runs: no date matches it.")
    for earlier, later in itertools.pairwise(runs):
        if later - earlier < MIN_GAP:
            raise UserError(f"`{schedule.text}` would post more than once an hour; a digest runs at most hourly.")
    return schedule


def parse_schedule(text: str, zone: ZoneInfo) -> Schedule:
    """A schedule from its text; the refusal shows the forms that work."""
    words = text.strip().lower().split()
    if not words:
        raise UserError(f"Give a schedule: {EXAMPLES}.")
    head, rest = words[0], words[1:]
    if head == "daily" and len(rest) == 1:
        clock = parse_clock(rest[0])
        schedule = _cron("daily", f"daily {clock:%H:%M}", zone, hour=clock.hour, minute=clock.minute)
    elif head == "weekly" and len(rest) == 2:
        day = DAY_NAMES.get(rest[0])
        if day is None:
            raise UserError(f"`{rest[0]}` is not a weekday: use mon, tue, wed, thu, fri, sat or sun.")
        clock = parse_clock(rest[1])
        text = f"weekly {day} {clock:%H:%M}"
        schedule = _cron("weekly", text, zone, day_of_week=day, hour=clock.hour, minute=clock.minute)
    elif head == "monthly" and len(rest) == 2:
        day = _month_day(rest[0])
        clock = parse_clock(rest[1])
        text = f"monthly {day} {clock:%H:%M}"
        schedule = _cron("monthly", text, zone, day=day, hour=clock.hour, minute=clock.minute)
    elif len(words) == 5 and head not in ("daily", "weekly", "monthly"):
        schedule = _crontab(" ".join(words), zone)
    else:
        raise UserError(f"`{text.strip()}` is not a schedule I understand. Use {EXAMPLES}.")
    return schedule


def _month_day(text: str) -> str:
    if text == "last":
        return "last"
    if text.isdigit() and 1 <= int(text) <= 28:
        return str(int(text))
    raise UserError(f"`{text}` is not a day for a monthly digest: use 1 to 28 (every month has them) or `last`.")


def _cron(kind: Kind, text: str, zone: ZoneInfo, **fields: object) -> Schedule:
    return Schedule(kind=kind, text=text, zone=zone, trigger=WallClockCronTrigger(timezone=zone, **fields))


# What each cron field may hold, in the words the refusal uses (APScheduler's own messages name its internals).
_CRON_FIELDS = (
    ("minute", "a minute", "0-59"),
    ("hour", "an hour", "0-23"),
    ("day", "a day of the month", "1-31"),
    ("month", "a month", "1-12 or jan-dec"),
)


def _crontab(text: str, zone: ZoneInfo) -> Schedule:
    minute, hour, day, month, weekday = text.split()
    if day != "*" and weekday != "*":
        raise UserError(
            "Give a day of the month or a weekday in a cron schedule, not both: cron would run on either,"
            " which is rarely what is meant."
        )
    values = {"minute": minute, "hour": hour, "day": day, "month": month}
    for name, what, allowed in _CRON_FIELDS:
        try:
            CronTrigger(**{name: values[name]})
        except ValueError:
            raise UserError(
                f"`{values[name]}` is not {what} in a cron schedule: use {allowed}, `*`, a list (`1,15`), a range"
                f" (`1-5`) or a step (`*/2`). The fields are: minute hour day month weekday."
            ) from None
    trigger = WallClockCronTrigger(timezone=zone, day_of_week=_cron_weekdays(weekday), **values)
    return Schedule(kind="cron", text=text, zone=zone, trigger=trigger)


def _cron_weekdays(field: str) -> str:
    """A cron weekday field (0 or 7 = Sunday, names allowed, lists, ranges, steps) in APScheduler's terms."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise UserError(f"`{item}` is not a valid weekday step in a cron schedule.")
        if span == "*":
            first, last = 0, 6
        else:
            low, _, high = span.partition("-")
            first = _cron_day(low)
            last = _cron_day(high) if high else (6 if step else first)
            if high and last == 0 < first:
                last = 7
        if last < first:
            raise UserError(f"`{item}` is not a valid weekday range: write it from the earlier day to the later.")
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    if len(days) == 7:
        return "*"
    return ",".join(CRON_DAYS[d] for d in sorted(days, key=lambda d: (d - 1) % 7))


def _cron_day(text: str) -> int:
    lowered = text.lower()
    if lowered in CRON_DAYS:
        return CRON_DAYS.index(lowered)
    if lowered.isdigit() and 0 <= int(lowered) <= 7:
        return int(lowered)
    raise UserError(f"`{text}` is not a weekday in a cron schedule: use 0-7 (0 and 7 are Sunday) or sun-sat.")


# Milestones ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class After:
    """How long after an event a milestone falls, in calendar units: `1 month` after 27 Oct is 27 Nov."""

    count: int
    unit: Unit

    @property
    def text(self) -> str:
        """The normal form, such as `1 month` or `30 days`."""
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"

    def from_day(self, day: date) -> date:
        """The milestone day; a month after 31 Jan is the last day of February."""
        if self.unit in ("day", "week"):
            return day + timedelta(days=self.count * (7 if self.unit == "week" else 1))
        months = self.count * (12 if self.unit == "year" else 1)
        year, month = divmod(day.month - 1 + months, 12)
        year += day.year
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(day.day, last))


def parse_after(text: str) -> After:
    """`30d`, `2 weeks`, `1 month`, `a year`… (bare `m` is refused: minutes or months?)."""
    cleaned = text.strip().lower()
    match = _AFTER.match(cleaned)
    count = unit = None
    if match:
        count = int(match[1]) if match[1].isdigit() else _NUMBER_WORDS.get(match[1])
        unit = _UNITS.get(match[2])
    if not count or unit is None:
        raise UserError(
            f"`{text.strip()}` is not a length of time I understand: write it like `30d`, `2 weeks`, `1 month`"
            " or `1 year`."
        )
    after = After(count, unit)
    if after.from_day(date(2000, 1, 1)) - date(2000, 1, 1) > MAX_AFTER:
        raise UserError("A milestone can be at most ten years after its event.")
    return after


def milestone_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """When a milestone digest is due, in UTC; a time skipped by a DST change moves on by the gap."""
    local = datetime.combine(day, at, tzinfo=zone)
    return datetime.fromtimestamp(local.timestamp(), UTC)


def once(moment: datetime, zone: ZoneInfo) -> Schedule:
    """The schedule of a milestone digest: one run."""
    return Schedule(kind="once", text=f"once at {moment.isoformat()}", zone=zone, trigger=DateTrigger(moment, zone))
