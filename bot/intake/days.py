"""The day a sentence reports, counted from the article's own date: the one place that reads days in text.

Reports rarely write a full date. Wire copy says "on Wednesday" in a Thursday story and "Oct. 27" without a
year; briefs say "yesterday", "last week", "earlier this month"; reviews give spans ("between Nov. 13 and
Nov. 20"). This is a small exact resolver rather than `dateparser`: on the intake corpus's tuned pages
dateparser's `search_dates` (relative to the article's date, preferring the past) got 41 of 65 claims' days
right at about 20 ms a sentence, where these rules got 65. It read "on Nov. 6" as "on Nov" (the article's
day of November), "Operation 1027" as the year 1027, "on Friday" in a Friday story as the Friday before,
and has no notion of a span or of a day's precision.

- a weekday is the latest such day on or before the article's date ("last Friday" on a Friday: a week back);
- a month and day without a year is the nearest such date not after the article;
- "last week", "this month", "earlier this month", "last month", "in October" are month-precision days
  (written as the month's first day), with a note saying what the text said;
- a span or a pair of days ("Jan. 10 and 11", "from Nov. 11 to Nov. 14") is its first day, with a note;
- a day inside a clause that only sets the scene ("since Friday", ", which began on Oct. 27", "two months
  after … on Oct. 27,") is not the day the sentence reports.

English, Indonesian weekdays, Chinese (10月27日) and Burmese (အောက်တိုဘာလ ၂၇ ရက်) forms are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.models import DatePrecision

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_FULL_MONTHS = [name for name in MONTHS if len(name) > 4 or name in ("may", "june", "july")]
_WEEKDAYS = {
    **{
        name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
    },
    **{name: i for i, name in enumerate(("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"))},
}
_BURMESE_MONTHS = dict(
    zip(
        "ဇန်နဝါရီ ဖေဖော်ဝါရီ မတ် ဧပြီ မေ ဇွန် ဇူလိုင် ဩဂုတ် စက်တင်ဘာ အောက်တိုဘာ နိုဝင်ဘာ ဒီဇင်ဘာ".split(),
        range(1, 13),
        strict=True,
    )
)
_BURMESE_DIGITS = str.maketrans("၀၁၂၃၄၅၆၇၈၉", "0123456789")

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH2 = _MONTH.replace("?P<month>", "?P<month2>")
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_ORD = r"(?:st|nd|rd|th)?"
# A month and day ("Oct. 27", "27 October"), with or without a year, and what may follow it to make a
# pair or a span ("and 11", "to Nov. 14", "-20").
_MONTH_DAY = (
    r"(?:" + _MONTH + r"\s+(?P<day>\d{1,2})" + _ORD + r"\b(?:,?\s+" + _YEAR + r"\b)?"
    r"|(?P<day_b>\d{1,2})"
    + _ORD
    + r"\s+"
    + _MONTH.replace("?P<month>", "?P<month_b>")
    + r"(?:,?\s+"
    + _YEAR.replace("?P<year>", "?P<year_b>")
    + r"\b)?)"
)
_END = r"(?:\s*(?P<joiner>and|to|until|through|-|–|—)\s*(?:" + _MONTH2 + r"\s+)?(?P<end>\d{1,2})" + _ORD + r"\b)?"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"\b" + _YEAR + r"-(?P<mnum>\d\d)-(?P<day>\d\d)\b")),
    ("month_day", re.compile(r"\b(?P<between>between\s+|from\s+)?" + _MONTH_DAY + _END, re.IGNORECASE)),
    ("last_week", re.compile(r"\blast\s+week\b|\b(?:pekan|minggu)\s+lalu\b", re.IGNORECASE)),
    ("weekday", re.compile(r"\b(?P<last>last\s+|hari\s+)?(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)),
    ("yesterday", re.compile(r"\b(?:yesterday|kemarin)\b", re.IGNORECASE)),
    ("today", re.compile(r"\b(?:today|this morning|this afternoon|tonight|hari ini)\b", re.IGNORECASE)),
    ("this_month", re.compile(r"\b(?P<earlier>earlier\s+)?this\s+month\b", re.IGNORECASE)),
    ("last_month", re.compile(r"\blast\s+month\b|\bbulan lalu\b", re.IGNORECASE)),
    (
        "in_month",
        re.compile(
            r"\bin\s+(?:(?:early|mid|late)[\s-]+)?(?P<month>" + "|".join(_FULL_MONTHS) + r")\b(?!\s+\d)",
            re.IGNORECASE,
        ),
    ),
    ("zh", re.compile(r"(?:(?P<year>\d{4})年)?(?:(?P<mnum>\d{1,2})月)?(?P<day>\d{1,2})日(?:至(?P<end>\d{1,2})日)?")),
    (
        "my",
        re.compile(r"(?P<month>" + "|".join(_BURMESE_MONTHS) + r")(?:လ)?\s*(?P<day>[၀-၉0-9]{1,2})\s*ရက်"),
    ),
)
# Words that open a clause setting the scene rather than reporting: a day after them, in the same clause,
# is not the sentence's day.
_SCENE = re.compile(r"\b(since|after|before|until|which|where|when|while|sejak|自|以来)\b|自|以来", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:—–()，；：]")


@dataclass(frozen=True)
class Day:
    """A resolved day: the date (a month's first day at month precision), how precise, and why when not plain."""

    day: date
    precision: DatePrecision = DatePrecision.DAY
    note: str | None = None


@dataclass(frozen=True)
class Found:
    """A day the text states, and where: the caller prefers days in the reported part of a sentence."""

    start: int
    end: int
    day: Day


def _latest_on_or_before(weekday: int, reference: date) -> date:
    return reference - timedelta(days=(reference.weekday() - weekday) % 7)


def _nearest_not_after(month: int, day: int, reference: date) -> date | None:
    """The date with this month and day in the reference's year, or the year before when that is later."""
    for year in (reference.year, reference.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference:
            return candidate
    return None


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _previous_month(reference: date) -> date:
    first = reference.replace(day=1) - timedelta(days=1)
    return first.replace(day=1)


def _span_note(first: date, last: date | None, pair: bool) -> str | None:
    if last is None or last == first:
        return None
    joined = "and" if pair else "to"
    return f"{first:%-d %B %Y} {joined} {last:%-d %B %Y}; the first day"


def _resolve(kind: str, match: re.Match[str], published: date | None, latest: date) -> Day | None:
    values = match.groupdict()
    if kind == "iso":
        try:
            day = date(int(values["year"]), int(values["mnum"]), int(values["day"]))
        except ValueError:
            return None
        return Day(day) if day <= latest else None
    if kind == "month_day":
        month = MONTHS[(values["month"] or values["month_b"]).lower()]
        number = int(values["day"] or values["day_b"])
        year = values["year"] or values["year_b"]
        if year:
            try:
                first: date | None = date(int(year), month, number)
            except ValueError:
                return None
            if first is not None and first > latest:
                return None
        elif published is not None:
            first = _nearest_not_after(month, number, published)
        else:
            return None
        if first is None:
            return None
        last = None
        if values.get("end"):
            end_month = MONTHS[values["month2"].lower()] if values.get("month2") else month
            end_year = first.year + (1 if end_month < month else 0)
            try:
                last = date(end_year, end_month, int(values["end"]))
            except ValueError:
                last = None
        pair = (values.get("joiner") or "").lower() == "and" and not values.get("between")
        return Day(first, note=_span_note(first, last, pair) if last and last > first else None)
    if published is None:
        return None
    if kind == "weekday":
        weekday = _WEEKDAYS[values["weekday"].lower()]
        day = _latest_on_or_before(weekday, published)
        if values.get("last") and values["last"].lower().startswith("last") and day == published:
            day -= timedelta(days=7)
        return Day(day)
    if kind == "yesterday":
        return Day(published - timedelta(days=1))
    if kind == "today":
        return Day(published)
    if kind == "last_week":
        monday = published - timedelta(days=published.weekday() + 7)
        return Day(
            _month_start(monday.year, monday.month), DatePrecision.MONTH, f"last week (the week of {monday:%-d %B %Y})"
        )
    if kind == "this_month":
        said = "earlier this month" if values.get("earlier") else "this month"
        return Day(published.replace(day=1), DatePrecision.MONTH, f"{said} ({published:%B %Y})")
    if kind == "last_month":
        previous = _previous_month(published)
        return Day(previous, DatePrecision.MONTH, f"last month ({previous:%B %Y})")
    if kind == "in_month":
        month = MONTHS[values["month"].lower()]
        year = published.year if month <= published.month else published.year - 1
        return Day(_month_start(year, month), DatePrecision.MONTH, f"{match.group(0).strip()} (month only)")
    if kind == "zh":
        month = int(values["mnum"]) if values.get("mnum") else published.month
        if values.get("year"):
            try:
                first = date(int(values["year"]), month, int(values["day"]))
            except ValueError:
                return None
        else:
            first = _nearest_not_after(month, int(values["day"]), published)
        if first is None:
            return None
        last = None
        if values.get("end"):
            try:
                last = first.replace(day=int(values["end"]))
            except ValueError:
                last = None
        return Day(first, note=_span_note(first, last, pair=False) if last and last > first else None)
    if kind == "my":
        found = _nearest_not_after(
            _BURMESE_MONTHS[values["month"]], int(values["day"].translate(_BURMESE_DIGITS)), published
        )
        return Day(found) if found else None
    return None


def _sets_the_scene(text: str, start: int) -> bool:
    """Whether the day at `start` sits in a clause opened by "since", ", which", "after" and the like."""
    clause = _CLAUSE_BREAK.split(text[:start])[-1]
    return bool(_SCENE.search(clause))


def find_days(text: str, published: date | None, latest: date) -> list[Found]:
    """Every day the text states that reports something (scene-setting clauses left out), in reading order."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            day = _resolve(kind, match, published, latest)
            if day is None or day.day > latest:
                continue
            taken.append((start, end))
            if not _sets_the_scene(text, start):
                found.append(Found(start, end, day))
    return sorted(found, key=lambda f: f.start)
