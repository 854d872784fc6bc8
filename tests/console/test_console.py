"""The offline console, driven through standard input exactly as an operator would."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.console import COMMANDS, answer_line, help_text, parse_line, run_console
from bot.errors import UserError
from tests.console.run import briefbot
from tests.unit.test_briefing import PACK

ROOT = Path(__file__).resolve().parents[2]


def test_parse_line_splits_path_and_quoted_options():
    parsed = parse_line('/timeline actor:"Three Brotherhood Alliance" since:2023-10-01 page:2')
    assert parsed.command is COMMANDS["timeline"]
    assert parsed.options == {"actor": "Three Brotherhood Alliance", "since": "2023-10-01"}
    assert parsed.page == 2
    assert parse_line("/fact show id:3").command is COMMANDS["fact show"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("brief", "start with /"),
        ("/nope", "no command `/nope`"),
        ('/actor name:"unclosed', "quote values"),
        ("/actor name:a name:b", "given twice"),
        ("/timeline page:0", "`page`"),
    ],
)
def test_parse_line_errors_say_what_to_do(line, message):
    with pytest.raises(UserError, match=message):
        parse_line(line)


async def test_answers_match_the_briefing_service(briefing):
    text = await answer_line(briefing, "/actor name:Tatmadaw")
    assert text.startswith("Myanmar junta")
    assert "air superiority" in text
    assert "Sources" in text and "Wire" in text


async def test_bad_options_are_errors_not_tracebacks(briefing):
    assert (await answer_line(briefing, "/brief as_of:2023-02-30")).startswith("error: `as_of`")
    assert "unknown option" in await answer_line(briefing, "/brief colour:red")
    assert "Did you mean" in await answer_line(briefing, "/actor name:armee")
    assert "required" in (await answer_line(briefing, "/actor")).lower()


async def test_unknown_names_get_advice_for_a_terminal_not_for_discord(briefing):
    near = await answer_line(briefing, "/actor name:Brotherhod")
    assert near.startswith("error: No actor is called “Brotherhod”. Did you mean: Three Brotherhood Alliance")
    assert "**" not in near
    far = await answer_line(briefing, "/actor name:zzzzqqqq")
    assert far == (
        "error: No actor is called “zzzzqqqq”."
        " No name on record is close to it; /search finds facts by any word in them."
    )


async def test_option_errors_are_in_plain_words_not_pydantics(briefing):
    assert await answer_line(briefing, "/fact show id:abc") == "error: `id`: must be a whole number, such as 3"


async def test_run_console_reads_until_end_of_input(briefing):
    stdin = io.StringIO("# a comment\n\n/search query:trade\nhelp\n/fact show id:999\n")
    stdout = io.StringIO()
    await run_console(briefing, stdin, stdout)
    out = stdout.getvalue()
    assert "Hundreds of millions of dollars in trade were halted" in out
    assert "/timeline [actor:…]" in out
    assert "error: There is no fact #999." in out
    assert "briefbot>" not in out  # no prompt when input is not a terminal


def test_help_lists_every_command_and_option():
    text = help_text()
    for command in COMMANDS.values():
        assert f"/{command.path}" in text
        for name in command.query.model_fields:
            assert f"{name}:" in text


def test_briefbot_console_command_through_stdin(tmp_path):
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "crisis.yaml").write_text(PACK, encoding="utf-8")
    lines = '/brief\n/stakes\n/event name:"Operation 1027"\n/about\n'
    done = briefbot(tmp_path, "console", stdin=lines, PACKS_DIR=str(packs))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Test crisis" in out
    assert "What Beijing stands to gain or lose" in out
    assert "27 Oct 2023" in out
    assert "7 facts (0 retracted)" in out
    assert "offline (console)" in out
    assert (tmp_path / "store.db").exists()


def test_run_without_token_points_to_the_console(tmp_path):
    done = briefbot(tmp_path, "run", stdin="/about\n")
    assert done.returncode == 0
    assert "No Discord token" in done.stderr and "Reset Token" in done.stderr
    assert "The store is empty" in done.stdout


def test_bad_setting_stops_with_one_line(tmp_path):
    done = briefbot(tmp_path, "console", TIMEZONE="Mars/Olympus", GUILD_IDS="12,abc")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "TIMEZONE" in lines[0] and "GUILD_IDS" in lines[0]
