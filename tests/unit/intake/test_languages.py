"""The languages a dossier accepts, and what moderators are told about a report in another one."""

from __future__ import annotations

from bot.render.intake import candidate_language, language_name, skipped_because


def test_an_accepted_language_is_not_skipped() -> None:
    assert skipped_because("en", ["en"], "operation-1027") is None
    assert skipped_because("my", ["en", "my"], "operation-1027") is None


def test_a_report_in_another_language_is_skipped_with_the_reason() -> None:
    reason = skipped_because("id", ["en"], "operation-1027")
    assert reason == (
        "skipped: the report is in Indonesian (id), which the topic `operation-1027` does not accept"
        " (it accepts English (en); a pack's `languages` adds more)"
    )
    assert "the language `xx`" in str(skipped_because("xx", ["en", "my"], "t"))


def test_a_candidate_names_its_language_unless_english() -> None:
    assert candidate_language("en") is None
    assert candidate_language("my") == "Burmese (my), not English: read the original before approving"
    assert language_name("zh") == "Chinese (zh)"
