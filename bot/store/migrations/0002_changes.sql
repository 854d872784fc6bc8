-- The record of every write: who, when, what, and the record before and after, written in the same
-- transaction as the change itself. Fact history and "what changed since the last digest" read it.

CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    entity TEXT NOT NULL CHECK (entity IN ('fact', 'actor', 'place', 'event')),
    entity_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('add', 'edit', 'retract', 'restore')),
    -- The Discord user behind the change; NULL user_id for the operator's command line.
    user_id INTEGER,
    user_name TEXT NOT NULL,
    reason TEXT,
    -- JSON snapshots of the record (its pack form); NULL before an add.
    before TEXT,
    after TEXT NOT NULL
);
CREATE INDEX changes_entity ON changes (entity, entity_id, id);
CREATE INDEX changes_topic ON changes (topic_id, id);
