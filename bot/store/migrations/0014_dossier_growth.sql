-- The dossier grows from reports (issue 24). To be numbered 0019 once 0014-0018 of the other branches land.
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
