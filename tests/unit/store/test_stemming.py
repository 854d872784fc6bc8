"""The re-ranker's tokens and stems (bot.store.stemming) are the full-text index's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store.stemming import stem, stems, tokens

REPO = Path(__file__).resolve().parents[3]


def index_terms(conn: sqlite3.Connection, text: str) -> list[str]:
    conn.execute("DELETE FROM t")
    conn.execute("INSERT INTO t VALUES (?)", (text,))
    return [r[0] for r in conn.execute("SELECT term FROM v ORDER BY offset")]


def test_stems_are_those_of_the_porter_tokenizer_for_every_word_of_the_seed_pack() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
    text = (REPO / "bot" / "seed_packs" / "operation-1027.yaml").read_text(encoding="utf-8")
    words = sorted(set(tokens(text))) + "caresses ponies hopping filing generalization oscillators".split()
    differ = [(w, index_terms(conn, w), stems(w)) for w in words if index_terms(conn, w) != stems(w)]
    assert differ == []
    assert len(words) > 500


def test_tokens_fold_case_accents_and_punctuation() -> None:
    assert tokens("People's Défense—Forces, 1027!") == ["people", "s", "defense", "forces", "1027"]
    assert stem("offensives") == stem("offensive") == "offens"
    assert stem("ab") == "ab"
