"""Every rule the models enforce: they are the single gate into the store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from bot.models import (
    NAME_MAX,
    STATEMENT_MAX,
    Actor,
    Affiliation,
    Event,
    Fact,
    Participant,
    Place,
    Source,
    SourceKind,
    Topic,
    normalise,
)

TOMORROW = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()


def fact(**overrides: Any) -> Fact:
    data: dict[str, Any] = {
        "key": "f1",
        "statement": "Something happened.",
        "kind": "event",
        "as_of": "2023-11-27",
        "source": {"title": "A report", "url": "https://example.org/a"},
        "reliability": "B",
        "credibility": 2,
    }
    data.update(overrides)
    return Fact.model_validate(data)


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return "\n".join(f"{e['loc']}: {e['msg']}" for e in exc.value.errors())


# normalise ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Magwé", "magwe"),
        ("MAGWE", "magwe"),
        ("  Magwe   Region ", "magwe region"),
        ("People's Defence-Force!", "people s defence force"),
        ("Ñyaung-U", "nyaung u"),
        ("Straße", "strasse"),
        ("„Tatmadaw“", "tatmadaw"),
        ("", ""),
        ("?!…", ""),
    ],
)
def test_normalise_folds_case_accents_punctuation_and_spacing(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalise_makes_spellings_meet() -> None:
    assert normalise("Magwe") == normalise("magwé") == normalise("MAGWÉ") == normalise("Magwe.")


# Slugs and names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["a", "op1027", "three-brotherhood", "9", "a" * 64])
def test_valid_slugs(slug: str) -> None:
    assert Topic(slug=slug, title="T").slug == slug


@pytest.mark.parametrize(
    "slug", ["", "Junta", "-junta", "with space", "under_score", "é", "a" * 65, "slash/y", "dot.x", "a\nb"]
)
def test_invalid_slugs(slug: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Topic(slug=slug, title="T")
    assert "slug" in errors(exc)


def test_slug_rules_apply_to_references_too() -> None:
    with pytest.raises(ValidationError):
        Affiliation(actor="Not A Slug", relation="opposes")
    with pytest.raises(ValidationError):
        fact(actors=["fine", "NOT fine"])


def test_name_length_limits() -> None:
    assert Actor(slug="a", name="x" * NAME_MAX, kind="state").name == "x" * NAME_MAX
    with pytest.raises(ValidationError, match="at most 100"):
        Actor(slug="a", name="x" * (NAME_MAX + 1), kind="state")
    with pytest.raises(ValidationError):
        Actor(slug="a", name="", kind="state")
    with pytest.raises(ValidationError):
        Actor(slug="a", name="   ", kind="state")


def test_name_is_stripped() -> None:
    assert Actor(slug="a", name="  Myanmar junta  ", kind="military").name == "Myanmar junta"


def test_alias_names_are_checked() -> None:
    with pytest.raises(ValidationError) as exc:
        Place(slug="p", name="Place", aliases=["ok", ""], kind="town")
    assert "aliases" in errors(exc)


def test_enums_reject_unknown_values() -> None:
    with pytest.raises(ValidationError):
        Actor(slug="a", name="A", kind="wizard")
    with pytest.raises(ValidationError):
        Actor(slug="a", name="A", kind="state", side="both")
    with pytest.raises(ValidationError):
        Place(slug="p", name="P", kind="city")
    with pytest.raises(ValidationError):
        Affiliation(actor="b", relation="friends")
    with pytest.raises(ValidationError):
        fact(kind="rumour")


# Statements --------------------------------------------------------------------------------------------


def test_statement_must_not_be_empty() -> None:
    with pytest.raises(ValidationError):
        fact(statement="")
    with pytest.raises(ValidationError):
        fact(statement="   \n\t")


def test_statement_length_limit() -> None:
    assert len(fact(statement="x" * STATEMENT_MAX).statement) == STATEMENT_MAX
    with pytest.raises(ValidationError, match="at most 1000"):
        fact(statement="x" * (STATEMENT_MAX + 1))


def test_statement_is_stripped() -> None:
    assert fact(statement="  Padded.  ").statement == "Padded."


# URLs --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["https://example.org", "http://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG/x", " https://example.org/ "]
)
def test_http_urls_accepted(url: str) -> None:
    assert Source(title="T", url=url).url == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "example.org",
        "https://",
        "https://localhost",
        "https://exa mple.org",
        "http:/example.org",
        "mailto:someone@example.org",
        "https://example.org/" + "x" * 2000,
    ],
)
def test_bad_urls_rejected(url: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Source(title="T", url=url)
    assert "url" in errors(exc)


@pytest.mark.parametrize("url", ["", "  ", "\u200b\u200b"])
def test_a_blank_url_is_no_url(url: str) -> None:
    assert Source(title="T", url=url).url is None


def test_background_source_cannot_have_url() -> None:
    with pytest.raises(ValidationError, match="background-knowledge source cannot have a URL"):
        Source(title="T", kind="background", url="https://example.org/x")
    assert Source(title="T", kind="background").kind is SourceKind.BACKGROUND


# Dates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13-01", "2023-00-10", "2023-04-31", "2023-02-29"])
def test_impossible_dates_rejected(value: str) -> None:
    with pytest.raises(ValidationError, match="not a real calendar date"):
        fact(as_of=value)


def test_leap_day_accepted() -> None:
    assert fact(as_of="2024-02-29").as_of == date(2024, 2, 29)


@pytest.mark.parametrize(
    "value", ["11/12/2023", "12.11.2023", "2023/11/12", "20231112", "2023-1-5", "Nov 12 2023", "2023-11-12T10:00", ""]
)
def test_non_iso_dates_rejected(value: str) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        fact(as_of=value)


def test_non_string_dates_rejected() -> None:
    with pytest.raises(ValidationError):
        fact(as_of=20231112)
    with pytest.raises(ValidationError):
        fact(as_of=None)


def test_date_objects_accepted() -> None:
    assert fact(as_of=date(2023, 11, 12)).as_of == date(2023, 11, 12)
    assert fact(as_of=datetime(2023, 11, 12, 10, 0)).as_of == date(2023, 11, 12)


def test_future_dates_rejected_everywhere() -> None:
    with pytest.raises(ValidationError, match="lies in the future"):
        fact(as_of=TOMORROW)
    with pytest.raises(ValidationError, match="lies in the future"):
        Source(title="T", published=TOMORROW)
    with pytest.raises(ValidationError, match="lies in the future"):
        Event(slug="e", name="E", date=TOMORROW)


def test_today_is_not_the_future() -> None:
    assert fact(as_of=datetime.now(UTC).date().isoformat()).as_of == datetime.now(UTC).date()


# Grades ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reliability", ["A", "B", "C", "D", "E", "F"])
def test_reliability_a_to_f(reliability: str) -> None:
    assert fact(reliability=reliability).reliability == reliability


@pytest.mark.parametrize("reliability", ["G", "a", "", "AB", "1", None])
def test_reliability_outside_a_to_f(reliability: object) -> None:
    with pytest.raises(ValidationError) as exc:
        fact(reliability=reliability)
    assert "reliability" in errors(exc)


@pytest.mark.parametrize("credibility", [1, 2, 3, 4, 5, 6])
def test_credibility_one_to_six(credibility: int) -> None:
    assert fact(credibility=credibility).grade == f"B{credibility}"


@pytest.mark.parametrize("credibility", [0, 7, -1, 2.5, "x", None])
def test_credibility_outside_one_to_six(credibility: object) -> None:
    with pytest.raises(ValidationError) as exc:
        fact(credibility=credibility)
    assert "credibility" in errors(exc)


# Stakes and background facts ---------------------------------------------------------------------------


def test_stake_needs_stakeholder_and_interest() -> None:
    assert fact(kind="stake", stakeholder="china", interest="trade").stakeholder == "china"
    with pytest.raises(ValidationError, match="stake needs a stakeholder and an interest"):
        fact(kind="stake", interest="trade")
    with pytest.raises(ValidationError, match="stake needs a stakeholder and an interest"):
        fact(kind="stake", stakeholder="china")
    with pytest.raises(ValidationError, match="stake needs a stakeholder and an interest"):
        fact(kind="stake")


def test_unknown_interest_rejected() -> None:
    with pytest.raises(ValidationError):
        fact(kind="stake", stakeholder="china", interest="pride")


@pytest.mark.parametrize("kind", ["figure", "event", "assessment", "background"])
def test_any_fact_may_be_at_stake_but_stakeholder_and_interest_go_together(kind: str) -> None:
    # The halted trade is a figure and Beijing's stake at once: one claim, one fact.
    assert fact(kind=kind, stakeholder="china", interest="trade").interest == "trade"
    with pytest.raises(ValidationError, match="go together"):
        fact(kind=kind, stakeholder="china")
    with pytest.raises(ValidationError, match="go together"):
        fact(kind=kind, interest="trade")


def test_background_fact_must_be_graded_f() -> None:
    background = {"title": "What the author knows", "kind": "background"}
    assert fact(kind="background", source=background, reliability="F", credibility=6).grade == "F6"
    for reliability in "ABCDE":
        with pytest.raises(ValidationError, match="graded F"):
            fact(kind="background", source=background, reliability=reliability)


def test_document_fact_may_be_graded_f() -> None:
    assert fact(reliability="F").grade == "F2"


# Events ------------------------------------------------------------------------------------------------


def test_day_precision_any_day() -> None:
    assert Event(slug="e", name="E", date="2023-10-27").precision == "day"


def test_month_precision_must_be_first_of_month() -> None:
    assert Event(slug="e", name="E", date="2023-10-01", precision="month").date == date(2023, 10, 1)
    with pytest.raises(ValidationError, match="month-precision date is written as its first day"):
        Event(slug="e", name="E", date="2023-10-27", precision="month")


def test_year_precision_must_be_first_of_january() -> None:
    assert Event(slug="e", name="E", date="2023-01-01", precision="year").precision == "year"
    with pytest.raises(ValidationError, match="YYYY-01-01"):
        Event(slug="e", name="E", date="2023-10-01", precision="year")
    with pytest.raises(ValidationError, match="first day"):
        Event(slug="e", name="E", date="2023-01-15", precision="year")


def test_unknown_precision_rejected() -> None:
    with pytest.raises(ValidationError):
        Event(slug="e", name="E", date="2023-10-01", precision="week")


def test_participant_role_limits() -> None:
    assert Participant(actor="a").role == "participant"
    with pytest.raises(ValidationError):
        Participant(actor="a", role="")
    with pytest.raises(ValidationError):
        Participant(actor="a", role="x" * 61)


# Extra keys and immutability ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Topic, {"slug": "t", "title": "T", "colour": "blue"}),
        (Source, {"title": "T", "uri": "https://example.org"}),
        (Actor, {"slug": "a", "name": "A", "kind": "state", "alias": ["typo"]}),
        (Place, {"slug": "p", "name": "P", "kind": "town", "parnet": "x"}),
        (Event, {"slug": "e", "name": "E", "date": "2023-10-01", "participants": []}),
        (Affiliation, {"actor": "a", "relation": "opposes", "since": "2023"}),
        (Participant, {"actor": "a", "rol": "x"}),
    ],
)
def test_extra_keys_forbidden(model: type, data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate(data)


def test_extra_keys_forbidden_on_fact() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        fact(grade="B2")


def test_records_are_frozen() -> None:
    made = fact()
    with pytest.raises(ValidationError):
        made.statement = "changed"  # type: ignore[misc]


def test_list_limits() -> None:
    with pytest.raises(ValidationError):
        Actor(slug="a", name="A", kind="state", aliases=[f"n{i}" for i in range(51)])
    with pytest.raises(ValidationError):
        fact(actors=[f"a{i}" for i in range(26)])
