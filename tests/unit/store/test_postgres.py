"""The PostgreSQL translation of the store's SQL, and its full-text lexemes (engine.postgres), without a server."""

from __future__ import annotations

import pytest

from bot.store.engine.base import shown
from bot.store.engine.postgres import fts_to_tsquery, terms_vector, translate

IDS = frozenset({"facts", "names"})


def test_placeholders_are_numbered_outside_string_literals_only() -> None:
    sql = "SELECT 'why?', \"odd?\" FROM t WHERE a = ? AND b = ? AND c = 'it''s ?'"
    assert translate(sql, IDS).sql == "SELECT 'why?', \"odd?\" FROM t WHERE a = $1 AND b = $2 AND c = 'it''s ?'"
    assert translate("SELECT x FROM t WHERE a = ?1 OR b = ?1 LIMIT ?2", IDS).sql == (
        "SELECT x FROM t WHERE a = $1 OR b = $1 LIMIT $2"
    )


def test_sqlite_only_forms_become_postgresqls() -> None:
    assert translate("SELECT id FROM s WHERE a IS ? AND b IS NOT ?", IDS).sql == (
        "SELECT id FROM s WHERE a IS NOT DISTINCT FROM $1 AND b IS DISTINCT FROM $2"
    )
    assert translate("SELECT id FROM f WHERE id NOT IN () AND k IN ()", IDS).sql == (
        "SELECT id FROM f WHERE id <> ALL ('{}') AND k = ANY ('{}')"
    )
    ignored = translate("INSERT OR IGNORE INTO names (norm) VALUES (?)", IDS)
    assert ignored.sql == "INSERT INTO names (norm) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id"
    assert ignored.returns_id and ignored.returns_rows


def test_only_inserts_into_tables_with_an_id_return_it() -> None:
    assert not translate("INSERT INTO meta (key) VALUES (?)", IDS).returns_rows
    assert not translate("UPDATE facts SET kind = ? WHERE id = ?", IDS).returns_rows
    assert translate("WITH x AS (SELECT 1) SELECT * FROM x", IDS).returns_rows


def test_fts_expressions_become_tsqueries_over_sqlites_own_tokens() -> None:
    expression = 'topic : t12 AND {statement entities} : (("junta" OR "Tatmadaw") AND "launched offensives"*)'
    assert fts_to_tsquery(expression) == (
        "'t12':A & ( ( ('junta':D) | ('tatmadaw':D) ) & ('launch':D <-> 'offens':*D) )"
    )
    assert fts_to_tsquery('{statement entities} : ("it""s")') == "( ('it':D <-> 's':D) )"
    assert fts_to_tsquery('{statement entities} : ("—")') == "( ('-':D) )"
    with pytest.raises(ValueError, match="not an expression"):
        fts_to_tsquery("statement : junta")


def test_a_rows_vector_keeps_columns_apart_and_the_topic_in_its_own_weight() -> None:
    # "army" ends the statement and "three" starts the names: a gap, so no phrase spans the two columns.
    assert terms_vector("The army advanced", "Three Brotherhood ; Army", "t3") == (
        "'the':1 'armi':2,7 'advanc':3 'three':5 'brotherhood':6 't3':9A"
    )


def test_a_urls_password_is_never_shown() -> None:
    assert shown("postgresql://bot:hunter2@db/briefbot") == "postgresql://bot:***@db/briefbot"
    assert shown("postgresql://bot@db/briefbot") == "postgresql://bot@db/briefbot"
