-- A pack's thesaurus: terms that mean nearly the same in its topic ("outgun", "better armed"), so that /search
-- reaches a fact worded otherwise than the question. Terms sharing `grp` are one group; a question that says
-- one of them is also looking for the others. Written by the pack writer, read whole by the search (a few
-- hundred rows per topic at most), in the pack's order. `norm` is the term folded by bot.models.normalise.

CREATE TABLE related_terms (
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    grp INTEGER NOT NULL,
    position INTEGER NOT NULL,
    term TEXT NOT NULL,
    norm TEXT NOT NULL,
    PRIMARY KEY (topic_id, grp, position)
) WITHOUT ROWID;
