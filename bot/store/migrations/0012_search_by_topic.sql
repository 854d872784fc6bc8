-- A third full-text column, `topic`, holds one token per row: `t` and the fact's topic id (`t12`). /search for
-- one topic matches `topic : t12 AND {statement entities} : (…)`, so FTS5 reads only that topic's rows: with
-- 100,000 facts over 20 topics, most rows the search read without it belonged to other topics and were
-- thrown away after the join. The question's own terms are confined to the two other columns, so a word
-- such as "t12" never matches a topic token.
--
-- One INSERT … SELECT in the index's own order (newest first, migration 0005) rebuilds it; on a store of
-- 100,000 facts this takes about 3 s, once.

CREATE VIRTUAL TABLE facts_fts_by_topic USING fts5 (
    statement,
    entities,
    topic,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

INSERT INTO facts_fts_by_topic (rowid, statement, entities, topic)
    SELECT x.rowid, x.statement, x.entities, 't' || f.topic_id
    FROM facts_fts x LEFT JOIN facts f ON f.id = -x.rowid
    ORDER BY x.rowid;

DROP TABLE facts_fts;

ALTER TABLE facts_fts_by_topic RENAME TO facts_fts;

INSERT INTO facts_fts (facts_fts) VALUES ('optimize');
