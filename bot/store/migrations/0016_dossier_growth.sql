-- The dossier grows from reports (issue 24). Numbered 0016 while main has 0015; to become 0019 when 0016-0018 (watch, rank, sources) land.
-- A name a moderator turned down for a topic is never offered again for it.
CREATE TABLE rejected_names (
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    norm TEXT NOT NULL,
    name TEXT NOT NULL,
    rejected_by INTEGER,
    rejected_by_name TEXT NOT NULL,
    rejected_at TEXT NOT NULL,
    PRIMARY KEY (topic_id, norm)
);

-- What a candidate sentence proposes beyond its fact (new names, an event or the event on record it fits,
-- a stake), as JSON; keyed like candidates by (topic, sentence key), so it lives as long as the candidate.
CREATE TABLE candidate_growth (
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    sentence_key TEXT NOT NULL,
    proposals TEXT NOT NULL,
    PRIMARY KEY (topic_id, sentence_key)
);
