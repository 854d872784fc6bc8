"""The operator's command line as an operator meets it: import, export, backup, and one line for each mistake."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.console.run import briefbot, operator_env
from tests.unit.test_briefing import PACK

ROOT = Path(__file__).resolve().parents[2]


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    """The line the command ended with on standard error, after any log lines; never a traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_import_dry_run_then_import_export_and_backup(tmp_path):
    pack = tmp_path / "crisis.yaml"
    pack.write_text(PACK, encoding="utf-8")
    dry = briefbot(tmp_path, "import", "--dry-run", str(pack))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        f"{pack}: would add 4 actors, 4 places, 3 events, 7 facts",
        "dry run: nothing was written; import again without --dry-run to apply this",
    ]
    assert "loaded" not in dry.stderr and "(dry run, nothing written)" in dry.stderr
    empty = briefbot(tmp_path, "console", stdin="/about\n")
    assert "The store is empty" in empty.stdout

    done = briefbot(tmp_path, "import", str(pack))
    assert done.returncode == 0
    assert done.stdout == f"{pack}: added 4 actors, 4 places, 3 events, 7 facts\n"
    again = briefbot(tmp_path, "load", str(pack))
    assert again.stdout == f"{pack}: unchanged 4 actors, 4 places, 3 events, 7 facts\n"

    exported = tmp_path / "out.yaml"
    assert briefbot(tmp_path, "export", "-o", str(exported)).returncode == 0
    assert "key: f7" in exported.read_text(encoding="utf-8")
    assert "statement:" in briefbot(tmp_path, "export").stdout

    copy = tmp_path / "backup.db"
    backed = briefbot(tmp_path, "backup", str(copy))
    assert backed.returncode == 0, backed.stderr
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT count(*) FROM facts").fetchone()[0] == 7
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_bad_pack_prints_every_problem_and_loads_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(PACK.replace("reliability: B", "reliability: Z").replace("kind: state", "kind: planet"), "utf-8")
    result = briefbot(tmp_path, "import", str(bad))
    assert result.returncode == 1
    assert result.stderr.count("line ") >= 3
    assert "The store is empty" in briefbot(tmp_path, "console", stdin="/about\n").stdout


def test_packs_imported_together_load_together_or_not_at_all(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(PACK, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(PACK.replace("slug: crisis", "slug: other").replace("reliability: B", "reliability: Z"), "utf-8")
    result = briefbot(tmp_path, "import", str(good), str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{bad}: " in result.stderr and "line " in result.stderr and "must be one of 'A', 'B'" in result.stderr
    assert last_line(result) == (
        f"error: {bad} cannot be loaded; nothing was written (packs given together load together or not at all)"
    )
    assert "The store is empty" in briefbot(tmp_path, "console", stdin="/about\n").stdout

    other = tmp_path / "other.yaml"
    other.write_text(PACK.replace("slug: crisis", "slug: other"), "utf-8")
    both = briefbot(tmp_path, "import", str(good), str(other))
    assert both.returncode == 0, both.stderr
    assert both.stdout.splitlines() == [
        f"{good}: added 4 actors, 4 places, 3 events, 7 facts",
        f"{other}: added 4 actors, 4 places, 3 events, 7 facts",
    ]


def test_a_bad_pack_in_packs_dir_on_first_start_is_one_line(tmp_path):
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "crisis.yaml").write_text(PACK.replace("reliability: B", "reliability: Z"), "utf-8")
    result = briefbot(tmp_path, "console", stdin="/brief\n", PACKS_DIR=str(packs))
    assert result.returncode == 2
    assert last_line(result) == (
        f"error: bad configuration: PACKS_DIR: {packs}/crisis.yaml cannot be loaded; nothing was written;"
        f" `briefbot import --dry-run {packs}/crisis.yaml` lists the problems"
    )


def test_export_of_an_unknown_topic_is_one_line(tmp_path):
    result = briefbot(tmp_path, "export", "--topic", "nothing")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "error: There is no topic `nothing`."


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("GUILD_IDS", "-5", "'-5' is not a Discord id"),
        ("MODERATOR_ROLE_IDS", "12 abc", "'abc' is not a Discord id"),
        ("ALERT_CHANNEL_ID", "0", "'0' is not a Discord id"),
        ("PACKS_DIR", "/nonexistent", "/nonexistent is not a folder"),
        ("TIMEZONE", "Mars/Olympus", "not a time zone I know"),
        ("DIGEST_GRACE_MINUTES", "soon", "must be a whole number"),
        ("SHARD_COUNT", "0", "must be at least 1"),
        ("SHARD_IDS", "0", "needs SHARD_COUNT"),
        ("SHARD_IDS", "2 SHARD_COUNT=2", "2 is not a shard of SHARD_COUNT=2: shards are numbered 0 to 1"),
        ("SHARD_IDS", "1,1 SHARD_COUNT=2", "names a shard twice"),
        ("SHARD_IDS", "one SHARD_COUNT=2", "'one' is not a shard id"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_before_anything_runs(tmp_path, setting, value, says):
    value, *more = value.split(" SHARD_COUNT=")
    extra = {"SHARD_COUNT": more[0]} if more else {}
    result = briefbot(tmp_path, "console", stdin="/about\n", **{setting: value}, **extra)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: bad configuration: {setting}: ")
    assert says in line


def test_a_time_zone_in_any_case_is_accepted(tmp_path):
    result = briefbot(tmp_path, "console", stdin="/about\n", TIMEZONE="utc")
    assert result.returncode == 0, result.stderr


def test_a_backup_to_a_folder_or_a_missing_folder_is_one_line_and_writes_nothing(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    into_folder = briefbot(tmp_path, "backup", str(folder))
    assert into_folder.returncode == 1
    assert (
        last_line(into_folder)
        == f"error: {folder} is a folder; name the file to write, such as {folder}/briefbot-backup.db"
    )
    assert not (tmp_path / "backups.partial").exists()
    assert list(folder.iterdir()) == []

    nowhere = briefbot(tmp_path, "backup", "/nonexistent/dir/x.db")
    assert nowhere.returncode == 1
    assert last_line(nowhere) == "error: the folder /nonexistent/dir does not exist; create it first or name another"

    itself = briefbot(tmp_path, "backup", str(tmp_path / "store.db"))
    assert itself.returncode == 1 and "is the live database itself" in last_line(itself)


@pytest.mark.parametrize("command", [("console",), ("import", "pack.yaml"), ("backup", "copy.db")])
def test_a_database_path_that_cannot_be_opened_is_one_line_naming_it(tmp_path, command):
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("these are notes, not a database\n", encoding="utf-8")
    for path, says in [(not_a_database, "file is not a database"), (tmp_path, "is a folder")]:
        result = briefbot(tmp_path, *command, DATABASE_PATH=str(path))
        assert result.returncode == 2
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: bad configuration: DATABASE_PATH: ") and says in line
    assert not_a_database.read_text(encoding="utf-8") == "these are notes, not a database\n"


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("DEFAULT_TOPIC", "nope", "DEFAULT_TOPIC: the store has no topic 'nope'; it has crisis"),
        ("DEFAULT_STAKEHOLDER", "Nobody", "DEFAULT_STAKEHOLDER: no actor with stakes is called 'Nobody' in 'crisis'"),
    ],
)
@pytest.mark.parametrize(
    "command", [("console",), ("digest", "preview", "--event", "Operation 1027", "--after", "30d")]
)
def test_a_default_the_store_does_not_hold_stops_at_start_with_the_closest_values(
    tmp_path, setting, value, says, command
):
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "crisis.yaml").write_text(PACK, encoding="utf-8")
    result = briefbot(tmp_path, *command, stdin="/brief\n", PACKS_DIR=str(packs), **{setting: value})
    assert result.returncode == 2
    assert result.stdout == ""
    assert last_line(result) == f"error: bad configuration: {says}" + (
        "" if setting == "DEFAULT_TOPIC" else "; those with stakes are, closest first: Beijing"
    )


@pytest.mark.parametrize("command", [("run",), ("sync",), ("digest", "run-due")])
def test_discord_out_of_reach_is_one_line_not_a_traceback(tmp_path, command):
    with socket.socket() as probe:  # a loopback port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = f"http://127.0.0.1:{port}/api/v10"
    result = briefbot(tmp_path, *command, DISCORD_TOKEN="not-a-real-token", DISCORD_API_BASE=api)
    assert result.returncode == 1
    assert "voice" not in result.stderr
    assert last_line(result) == (
        f"error: cannot reach Discord (127.0.0.1:{port}: connection refused);"
        " check the network connection and DISCORD_API_BASE, then start again"
    )


@pytest.mark.parametrize(
    "command",
    [("export",), ("digest", "preview", "--event", "Operation 1027", "--after", "30d"), ("console",)],
)
def test_a_reader_that_leaves_early_ends_the_command_quietly(tmp_path, command):
    pack = tmp_path / "crisis.yaml"
    pack.write_text(PACK, encoding="utf-8")
    assert briefbot(tmp_path, "import", str(pack)).returncode == 0
    # As `briefbot export | head -3`, with the reader gone before the first line is written.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *command],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=operator_env(tmp_path),
        cwd=tmp_path,
    )
    process.stdout.close()
    _, err = process.communicate(b"/brief\n" * 20, timeout=60)
    assert process.returncode == 141, err.decode()
    assert b"Traceback" not in err and b"Error" not in err, err.decode()


def test_dev_py_writes_where_the_operator_stands_not_into_the_checkout(tmp_path):
    pack = tmp_path / "crisis.yaml"
    pack.write_text(PACK, encoding="utf-8")
    assert briefbot(tmp_path, "import", str(pack)).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "bot", "export", "-o", "exported.yaml"],
        cwd=elsewhere,
        env=operator_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "key: f7" in (elsewhere / "exported.yaml").read_text(encoding="utf-8")
    assert not (ROOT / "exported.yaml").exists()


def dev_py(*args: str) -> subprocess.CompletedProcess[str]:
    """`python3 dev.py ARGS` as a developer types it, from the checkout."""
    return subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_dev_py_names_an_unknown_command_before_its_usage():
    done = dev_py("bogus")
    assert done.returncode == 2
    first, usage = done.stderr.split("\n", 1)
    assert first == "dev.py: unknown command: bogus"
    assert "python3 dev.py test [pytest args]    # ruff check, ruff format --check, mypy, then" in usage
    assert "not yet part of" not in usage


def test_dev_py_without_a_command_shows_the_usage_alone():
    done = dev_py()
    assert done.returncode == 2
    assert "unknown command" not in done.stderr
    assert done.stderr.startswith("Set up and run briefbot")
