"""`briefbot source add` and `briefbot feed poll` from the operator's command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.console.run import briefbot
from tests.intake_data.server import GZERO_PAGE

PACKS = str(Path(__file__).resolve().parents[2] / "bot" / "seed_packs")
SEEDED = {"PACKS_DIR": PACKS, "DEFAULT_TOPIC": "operation-1027"}


def test_an_article_file_is_queued_for_review_once(tmp_path):
    page = tmp_path / "gzero.html"
    page.write_text(GZERO_PAGE, encoding="utf-8")
    first = briefbot(tmp_path, "source", "add", str(page), "--reliability", "B", **SEEDED)
    assert first.returncode == 0, first.stderr
    assert "A rebel alliance makes Myanmar’s junta sweat:" in first.stdout and "queued for review" in first.stdout
    again = briefbot(tmp_path, "source", "add", str(page), **SEEDED)
    assert again.returncode == 0 and "read before" in again.stdout
    with sqlite3.connect(tmp_path / "store.db") as db:
        rows = db.execute("SELECT fields FROM intake_candidates WHERE message_id IS NULL").fetchall()
    assert len(rows) >= 6 and not [r for r in rows if "Microsoft" in r[0] or "Walmart" in r[0]]


def test_feed_poll_with_nothing_followed_and_a_bad_target(tmp_path):
    none = briefbot(tmp_path, "feed", "poll", **SEEDED)
    assert none.returncode == 0 and "no active feed" in none.stdout
    missing = briefbot(tmp_path, "feed", "poll", "--id", "9", **SEEDED)
    assert missing.returncode == 1 and "There is no feed #9" in missing.stderr
    bad = briefbot(tmp_path, "source", "add", str(tmp_path / "nothing.txt"), **SEEDED)
    assert bad.returncode == 1 and "neither an http(s) URL nor a file" in bad.stderr
