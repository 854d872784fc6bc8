-- SQLite's 0016_dossier_growth on PostgreSQL (the reasons are written there). To be renumbered 0019 once
-- 0014-0018 of the other branches land.
CREATE TABLE rejected_names (
    topic_id BIGINT NOT NULL REFERENCES topics (id),
    norm TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    rejected_by BIGINT,
    rejected_by_name TEXT NOT NULL,
    rejected_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (topic_id, norm)
);

CREATE TABLE candidate_growth (
    topic_id BIGINT NOT NULL REFERENCES topics (id),
    sentence_key TEXT COLLATE "C" NOT NULL,
    proposals TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (topic_id, sentence_key)
);
