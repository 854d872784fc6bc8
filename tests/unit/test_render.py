"""Rendering answers: embeds that Discord accepts and that show what they cut, and console text that cuts nothing."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime

import discord
import pytest

from bot.briefing.answer import Answer, Citation, Citer, Line, Section
from bot.edge import embeds as render_module
from bot.edge.embeds import NO_MENTIONS, render_embeds
from bot.render import plain_moments, render_text
from bot.store.records import FactRecord, SourceRecord
from tests.discord_double.schema import load_validator

STAMP = "<t:1701075600:f>"  # 2023-11-27 09:00 UTC
TRUNCATED = "… (truncated)"
COMPLETE_TOKENS = re.compile(r"<t:\d+(?::[a-zA-Z])?>|\[\d+\]|\[[^\[\]]*\]\([^()]*\)|<https?://[^>]+>")


# --- the validator: Discord's documented limits, counted the way Discord counts them (code points) ---


def embed_size(data: dict) -> int:
    """The characters Discord sums for the 6000 limit: title, description, field names and values, footer, author."""
    size = len(data.get("title", "")) + len(data.get("description", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in data.get("fields", []))
    size += len(data.get("footer", {}).get("text", "")) + len(data.get("author", {}).get("name", ""))
    return size


def assert_discord_accepts(embeds: list[discord.Embed]) -> None:
    """Fail on anything Discord would answer with a 400, per the documented embed limits and its OpenAPI spec."""
    assert 1 <= len(embeds) <= 10
    payloads = [embed.to_dict() for embed in embeds]
    for data in payloads:
        assert len(data.get("title", "")) <= 256
        assert len(data.get("description", "")) <= 4096
        assert len(data.get("fields", [])) <= 25
        for field in data.get("fields", []):
            assert field["name"].strip(), "Discord rejects a blank field name"
            assert field["value"].strip(), "Discord rejects a blank field value"
            assert len(field["name"]) <= 256
            assert len(field["value"]) <= 1024
        assert len(data.get("footer", {}).get("text", "")) <= 2048
        assert len(data.get("author", {}).get("name", "")) <= 256
        assert embed_size(data) <= 6000
        assert embed_size(data) > 0, "an empty embed shows nothing"
    assert sum(embed_size(data) for data in payloads) <= 6000, "the 6000 total is shared by all embeds of a message"
    body = {"embeds": payloads, "allowed_mentions": NO_MENTIONS.to_dict()}
    assert load_validator().validate("POST", "/channels/1/messages", body) == []


def test_the_validator_catches_each_limit() -> None:
    too_much = [
        discord.Embed(title="x" * 257),
        discord.Embed(description="x" * 4097),
        discord.Embed(title="t").set_footer(text="x" * 2049),
        discord.Embed(title="t").set_author(name="x" * 257),
        discord.Embed(title="t").add_field(name="x" * 257, value="v"),
        discord.Embed(title="t").add_field(name="n", value="x" * 1025),
        discord.Embed(title="t").add_field(name=" ", value="v"),
        discord.Embed(description="x" * 4000)
        .add_field(name="n", value="x" * 1000)
        .add_field(name="n", value="x" * 999),
    ]
    for embed in too_much:
        with pytest.raises(AssertionError):
            assert_discord_accepts([embed])
    many_fields = discord.Embed(title="t")
    for _ in range(26):
        many_fields.add_field(name="n", value="v")
    with pytest.raises(AssertionError):
        assert_discord_accepts([many_fields])
    with pytest.raises(AssertionError):
        assert_discord_accepts([discord.Embed(title="t") for _ in range(11)])
    with pytest.raises(AssertionError, match="shared by all embeds"):
        assert_discord_accepts([discord.Embed(description="x" * 3500), discord.Embed(description="x" * 3500)])


# --- fixtures ---


def source(number: int, *, title: str = "Fighting in northern Shan", url: str | None = None) -> SourceRecord:
    return SourceRecord(
        id=number,
        title=title,
        publisher="Wire",
        url=url if url is not None else f"https://example.org/report/{number}",
        published=date(2023, 10, 27),
        kind="document",
        note=None,
    )


def citation(number: int, **kwargs: str) -> Citation:
    return Citation(number=number, source=source(number, **kwargs), grades=["B2"], fact_ids=[number * 10])


def answer(**kwargs: object) -> Answer:
    fields: dict[str, object] = {"title": "Briefing", "citations": [citation(1)]}
    fields.update(kwargs)
    return Answer.model_validate(fields)


def texts(embeds: list[discord.Embed]) -> list[str]:
    """Every string Discord shows, in order."""
    out: list[str] = []
    for embed in embeds:
        out += [embed.title or "", embed.description or ""]
        for field in embed.fields:
            out += [field.name or "", field.value or ""]
        out.append(embed.footer.text or "")
    return [text for text in out if text]


def fields(embeds: list[discord.Embed]):
    return [field for embed in embeds for field in embed.fields]


def source_lines(embeds: list[discord.Embed]) -> list[str]:
    return [
        line for f in fields(embeds) if (f.name or "").startswith("Sources") for line in (f.value or "").split("\n")
    ]


def count_in(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    return int(found[1]) if found else 0


# --- the ordinary case ---


def test_a_small_answer_shows_everything_in_order() -> None:
    two = Citation(number=2, source=source(2, title="Second"), grades=["B2", "C3"], fact_ids=[3, 7])
    embeds = render_embeds(
        answer(
            title="Northern Shan",
            lines=[Line(text="Offensive began.", cites=[1, 2]), Line(text="No cites here.")],
            sections=[Section(title="Actors", lines=[Line(text="TNLA", cites=[2])], inline=True)],
            citations=[citation(1), two],
        ),
        colour=0x3366FF,
    )
    assert_discord_accepts(embeds)
    (embed,) = embeds
    assert embed.title == "Northern Shan"
    assert embed.description == "Offensive began. [1][2]\nNo cites here."
    assert embed.colour == discord.Colour(0x3366FF)
    actors, sources = embed.fields
    assert (actors.name, actors.value, actors.inline) == ("Actors", "TNLA [2]", True)
    assert sources.name == "Sources"
    assert not sources.inline
    assert sources.value == (
        "[1] Wire, “Fighting in northern Shan”, 27 Oct 2023 <https://example.org/report/1> · grade B2 · fact #10\n"
        "[2] Wire, “Second”, 27 Oct 2023 <https://example.org/report/2> · grades B2, C3 · facts #3, #7"
    )
    assert embed.footer.text is None


def test_no_colour_unless_asked() -> None:
    assert render_embeds(answer()).pop().colour is None


def test_paging_shows_in_the_footer_after_the_answers_own_footer() -> None:
    embeds = render_embeds(answer(footer="As of 1 Feb 2024", page=2, pages=5))
    assert embeds[-1].footer.text == "As of 1 Feb 2024 · Page 2/5"
    assert render_embeds(answer(page=1, pages=1))[-1].footer.text is None
    assert render_embeds(answer(footer="   "))[-1].footer.text is None, "a blank footer is not sent"


def test_a_huge_footer_keeps_the_page_number() -> None:
    embeds = render_embeds(answer(footer="note " * 600, page=3, pages=4))
    assert_discord_accepts(embeds)
    assert (embeds[-1].footer.text or "").endswith(f"note{TRUNCATED} · Page 3/4")


def test_an_empty_section_and_a_blank_title_still_make_a_valid_field() -> None:
    embeds = render_embeds(answer(sections=[Section(title="  ", lines=[]), Section(title="Gaps", lines=[])]))
    assert_discord_accepts(embeds)
    blank, gaps, _ = embeds[0].fields
    assert blank.name == "\u200b"
    assert (gaps.name, gaps.value) == ("Gaps", "—")


# --- each limit ---


def test_an_oversized_title_is_cut_visibly_between_words() -> None:
    title = " ".join(["escalation"] * 40)
    embeds = render_embeds(answer(title=title))
    assert_discord_accepts(embeds)
    shown = embeds[0].title or ""
    assert len(shown) <= 256
    assert shown.endswith(TRUNCATED)
    assert set(shown.removesuffix(TRUNCATED).split()) == {"escalation"}


def test_a_5000_character_description_says_how_many_lines_are_left_out() -> None:
    lines = [Line(text=f"Line {n:03} " + "x" * 40, cites=[1]) for n in range(100)]
    embeds = render_embeds(answer(lines=lines))
    assert_discord_accepts(embeds)
    description = embeds[0].description or ""
    *shown, marker = description.split("\n")
    assert marker == f"… {100 - len(shown)} more lines"
    assert shown == [f"Line {n:03} " + "x" * 40 + " [1]" for n in range(len(shown))]
    assert 60 < len(shown) < 100


def test_a_single_huge_description_line_is_clipped_and_keeps_its_cites() -> None:
    embeds = render_embeds(answer(lines=[Line(text="word " * 1000, cites=[1, 2])]))
    assert_discord_accepts(embeds)
    description = embeds[0].description or ""
    assert description.endswith(f"word{TRUNCATED} [1][2]")
    assert 3500 < len(description) <= 4096


def test_a_3000_character_line_in_a_section_fits_its_field() -> None:
    section = Section(title="Long", lines=[Line(text="claim " * 500, cites=[1]), Line(text="next", cites=[1])])
    embeds = render_embeds(answer(sections=[section]))
    assert_discord_accepts(embeds)
    value = embeds[0].fields[0].value or ""
    first, more = value.split("\n")
    assert first.endswith(f"claim{TRUNCATED} [1]")
    assert more == "… 1 more line"
    assert 900 < len(value) <= 1024


def test_40_sections_spill_into_a_second_embed_with_sources_last() -> None:
    sections = [Section(title=f"Section {n}", lines=[Line(text=f"Point {n}", cites=[1])]) for n in range(40)]
    embeds = render_embeds(answer(sections=sections))
    assert_discord_accepts(embeds)
    assert [len(embed.fields) for embed in embeds] == [25, 16]
    assert [f.name for f in fields(embeds)] == [f"Section {n}" for n in range(40)] + ["Sources"]
    assert embeds[1].title is None


def test_more_text_than_6000_characters_drops_whole_sections_and_says_how_many() -> None:
    sections = [Section(title=f"Section {n}", lines=[Line(text="fact " * 190, cites=[1])]) for n in range(20)]
    embeds = render_embeds(answer(sections=sections, footer="As of today", page=1, pages=3))
    assert_discord_accepts(embeds)
    shown = [f for f in fields(embeds) if (f.name or "").startswith("Section")]
    footer = embeds[-1].footer.text or ""
    assert footer == f"Not shown: {20 - len(shown)} sections · As of today · Page 1/3"
    assert 3 <= len(shown) < 20
    assert source_lines(embeds)[0].startswith("[1] Wire"), "sources keep their place when the body is too long"


def test_more_than_10_embeds_worth_of_fields_stops_at_10_and_counts_the_rest() -> None:
    sections = [Section(title=f"S{n}", lines=[Line(text="x")]) for n in range(300)]
    embeds = render_embeds(answer(sections=sections))
    assert_discord_accepts(embeds)
    assert len(embeds) == 10
    shown = [f for f in fields(embeds) if (f.name or "").startswith("S") and f.name != "Sources"]
    assert [f.name for f in shown] == [f"S{n}" for n in range(len(shown))]
    assert embeds[-1].footer.text == f"Not shown: {300 - len(shown)} sections"
    assert fields(embeds)[-1].name == "Sources"
    assert all(embed.footer.text is None for embed in embeds[:-1])


def test_many_sources_continue_in_more_fields_and_count_what_did_not_fit() -> None:
    citations = [citation(n, title=f"Report number {n} " + "on the fighting " * 8) for n in range(1, 61)]
    embeds = render_embeds(answer(citations=citations, lines=[Line(text="Summary.", cites=[1])]))
    assert_discord_accepts(embeds)
    names = [f.name for f in fields(embeds)]
    assert names[0] == "Sources"
    assert set(names[1:]) == {"Sources (continued)"}
    listed = [line for line in source_lines(embeds) if line.startswith("[")]
    assert all(TRUNCATED not in (f.value or "") for f in fields(embeds)[:-1]), "a full field hands whole lines on"
    assert [int(line[1 : line.index("]")]) for line in listed] == list(range(1, len(listed) + 1))
    counted = count_in(r"… (\d+) more sources", "\n".join(source_lines(embeds)))
    counted += count_in(r"(\d+) sources?", embeds[-1].footer.text or "")
    assert len(listed) + counted == 60
    assert counted > 0


def test_sources_move_to_a_second_embed_when_sections_fill_the_first() -> None:
    sections = [Section(title=f"Section {n}", lines=[Line(text="point", cites=[1])]) for n in range(25)]
    embeds = render_embeds(answer(sections=sections))
    assert_discord_accepts(embeds)
    assert [f.name for f in embeds[1].fields] == ["Sources"]


# --- cuts never break markup ---


def assert_markup_whole(text: str) -> None:
    """Cite markers, timestamps, links and autolinks are whole: nothing bracket-like is left once they are removed."""
    leftover = COMPLETE_TOKENS.sub("", text.replace(TRUNCATED, ""))
    assert not re.search(r"[\[\]<>()]|t:\d", leftover), leftover


@pytest.mark.parametrize("gap", [" ", ""], ids=["spaced", "glued"])
@pytest.mark.parametrize("offset", range(0, 90, 3))
def test_a_cut_never_splits_a_timestamp_cite_marker_or_link(offset: int, gap: str) -> None:
    # One period of the pattern is about 90 characters, so the offsets put every cut at every kind of token;
    # glued tokens leave no space to retreat to, and the link text has spaces a cut must not use.
    body = (
        "a" * offset + f"{gap}{STAMP}{gap}[12]{gap}[the full report](https://example.org/x){gap}<https://e.org/y>" * 60
    )
    section = Section(title=body[:300], lines=[Line(text=body, cites=[3, 14])])
    embeds = render_embeds(answer(title=body, lines=[Line(text=body * 3)], sections=[section]))
    assert_discord_accepts(embeds)
    for text in texts(embeds):
        assert_markup_whole(text)
    assert (embeds[0].fields[0].value or "").endswith(f"{TRUNCATED} [3][14]")


def test_a_line_whose_cites_leave_no_room_keeps_whole_markers() -> None:
    cites = list(range(100, 400))
    embeds = render_embeds(answer(sections=[Section(title="Crowded", lines=[Line(text="claim", cites=cites)])]))
    assert_discord_accepts(embeds)
    value = embeds[0].fields[0].value or ""
    assert value.endswith(TRUNCATED)
    assert_markup_whole(value)


def test_a_cut_without_spaces_does_not_split_an_emoji_sequence() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    for offset in range(6):
        title = "x" * offset + family * 80
        shown = (render_embeds(answer(title=title))[0].title or "").removesuffix(TRUNCATED)
        assert shown.removeprefix("x" * offset).replace(family, "") == ""


# --- mentions ---


def test_mentions_are_shown_literally_and_ping_nobody() -> None:
    text = "@everyone <@123> <@&456> @here said so"
    embeds = render_embeds(answer(lines=[Line(text=text, cites=[1])]))
    assert embeds[0].description == f"{text} [1]"
    assert NO_MENTIONS.everyone is False
    assert NO_MENTIONS.users is False
    assert NO_MENTIONS.roles is False
    assert NO_MENTIONS.replied_user is False
    assert NO_MENTIONS.to_dict() == {"parse": []}, "Discord pings nothing it is not told to parse"


# --- random answers ---


WORDS = ["ceasefire", "Lashio", "TNLA", STAMP, "<t:1701075600>", "[7]", "🇲🇲", "e\u0301", "@everyone", "**bold**"]


def random_answer(rng: random.Random) -> Answer:
    def text(most: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, most)))

    def lines(count: int, most: int) -> list[Line]:
        return [Line(text=text(most), cites=rng.sample(range(1, 9), rng.randint(0, 3))) for _ in range(count)]

    return Answer(
        title=text(rng.choice([3, 80])) or "Title",
        lines=lines(rng.randint(0, 60), rng.choice([10, 400])),
        sections=[
            Section(title=text(rng.choice([3, 60])), lines=lines(rng.randint(0, 12), rng.choice([10, 300])))
            for _ in range(rng.choice([0, 3, 30, 260]))
        ],
        citations=[citation(n, title=text(rng.choice([5, 200])) or "t") for n in range(1, rng.randint(1, 40))],
        footer=rng.choice([None, text(5), text(600)]),
        page=1,
        pages=rng.choice([1, 7]),
    )


def test_random_answers_always_pass_and_mark_every_cut() -> None:
    rng = random.Random(20231027)
    for _ in range(150):
        subject = random_answer(rng)
        embeds = render_embeds(subject, colour=0xFFFFFF)
        assert_discord_accepts(embeds)
        shown = "\n".join(texts(embeds))
        expected = [subject.title, *(f"{line.text}" for s in subject.sections for line in s.lines)]
        expected += [line.text for line in subject.lines]
        if not all(part in shown for part in expected):
            assert any(marker in shown for marker in (TRUNCATED, " more line", "Not shown: "))


# --- console text ---


def test_plain_moments_become_iso_utc_whatever_the_style() -> None:
    assert plain_moments(f"at {STAMP}, <t:1701075600:R> or <t:1701075600>") == (
        "at 2023-11-27 09:00 UTC, 2023-11-27 09:00 UTC or 2023-11-27 09:00 UTC"
    )
    assert plain_moments("<t:99999999999999999999:f> stays") == "<t:99999999999999999999:f> stays"
    assert plain_moments("<t:abc> and <@123> untouched") == "<t:abc> and <@123> untouched"


def test_the_console_shows_everything_with_iso_times() -> None:
    long_line = "word " * 1000
    subject = answer(
        title="Northern Shan",
        lines=[Line(text=f"Offensive began {STAMP}.", cites=[1]), Line(text=long_line), Line(text="@everyone **now**")],
        sections=[Section(title=f"Section {n}", lines=[Line(text=f"Point {n}", cites=[1])]) for n in range(40)],
        footer="As of 1 Feb 2024",
        page=2,
        pages=5,
    )
    text = render_text(subject)
    assert text.startswith("Northern Shan\n=============\nOffensive began 2023-11-27 09:00 UTC. [1]\n")
    assert long_line in text
    assert "@everyone now" in text  # plain text: no Discord markup
    assert "<t:" not in text
    for n in range(40):
        assert f"\nSection {n}\n{'-' * len(f'Section {n}')}\nPoint {n} [1]\n" in text
    assert text.endswith(
        "\nSources\n-------\n"
        "[1] Wire, “Fighting in northern Shan”, 27 Oct 2023 <https://example.org/report/1> · grade B2 · fact #10\n"
        "\nAs of 1 Feb 2024 · Page 2/5"
    )


def test_the_console_and_discord_say_the_same_lines() -> None:
    subject = answer(lines=[Line(text="A claim", cites=[1, 2])], sections=[Section(title="S", lines=[Line(text="B")])])
    embed = render_embeds(subject)[0]
    text = render_text(subject)
    assert embed.description in text
    for field in embed.fields:
        assert field.value in text


def test_an_answer_is_rendered_once_however_often_it_is_sent(monkeypatch) -> None:
    made = []
    real = render_module._render_embeds
    monkeypatch.setattr(render_module, "_render_embeds", lambda *args: made.append(args) or real(*args))
    answer = Answer(title="Brief", lines=[Line(text="The alliance took the town.")])
    first = render_embeds(answer)
    first.pop()  # the list is the caller's to change
    again = render_embeds(answer)
    assert len(again) == 1
    assert len(made) == 1
    assert render_embeds(answer)[0] is again[0]
    assert render_embeds(answer, colour=0x3366CC)[0] is not again[0]  # another rendering, made once too
    assert len(made) == 2


def test_a_copy_with_changes_is_rendered_afresh() -> None:
    answer = Answer(title="Timeline", lines=[Line(text="An event")], pages=2)
    first = render_embeds(answer)
    second = answer.model_copy(update={"page": 2})
    assert "Page 1" in first[-1].footer.text
    assert "Page 2" in render_embeds(second)[-1].footer.text


def test_who_claims_a_line_survives_its_shortening() -> None:
    claim = "claimed by a spokesman for the MNDAA, a party to the fighting"
    long = "The alliance said it had overrun " + "outpost after outpost, " * 300 + "in northern Shan State."
    answer = Answer(
        title="Search",
        lines=[Line(text=long, cites=[1], facts=[5], claims=[claim]), Line(text="Short.", cites=[1], facts=[6])],
        citations=[Citation(number=1, source=source(1), grades=["B3"], fact_ids=[5, 6])],
    )
    [embed] = render_embeds(answer)
    assert_discord_accepts([embed])
    assert f"({claim}) [1]" in (embed.description or "")
    assert f"in northern Shan State. ({claim}) [1]" in render_text(answer)


def _fact(fact_id: int, claimant: str | None, side: str | None) -> FactRecord:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    return FactRecord(
        id=fact_id,
        topic_id=1,
        key=f"f{fact_id}",
        statement=f"Statement {fact_id}.",
        kind="event",
        actors=[],
        event=None,
        place=None,
        stakeholder=None,
        interest=None,
        as_of=date(2024, 1, 1),
        source=source(1),
        reliability="B",
        credibility=3,
        status="active",
        created_at=when,
        updated_at=when,
        claimant=claimant,
        claimant_side=side,
    )


def test_a_line_names_who_claims_what_it_states_and_only_that() -> None:
    cite = Citer()
    party, observer, plain = _fact(1, "the junta", "regime"), _fact(2, "the UN", "neutral"), _fact(3, None, None)
    stated = cite.line("Both said so.", party, observer, plain)
    assert stated.claims == ["claimed by the junta, a party to the fighting", "claimed by the UN"]
    behind = cite.line("**An event**", party, stated=False)  # names the event, does not state the claim
    assert behind.claims == []
    answer = cite.answer("Brief", [stated, behind])
    assert answer.lines[0].claims == stated.claims  # numbering the sources keeps them
