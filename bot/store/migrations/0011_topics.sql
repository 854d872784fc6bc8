-- Several dossiers in one deployment: topics that can be retired, a change counter per topic, the topic in
-- force per server and per channel, feeds that belong to a topic, and the record of what moderators did
-- to topics.

-- A retired topic keeps its record and still answers when named, but autocomplete no longer offers it.
ALTER TABLE topics ADD COLUMN retired_at TEXT;

-- One counter per topic, bumped in the same transaction as any write to the topic's records, by whichever
-- process writes: the answer cache keeps a topic's answers until its own counter moves, so a write to one
-- dossier leaves the others' cached answers alone. Tables without a topic (links between records, the
-- full-text rows) are only ever written together with a record of the topic they belong to.
CREATE TABLE topic_versions (
    topic_id INTEGER PRIMARY KEY REFERENCES topics (id) ON DELETE CASCADE,
    version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO topic_versions (topic_id, version) SELECT id, 1 FROM topics;

CREATE TRIGGER topics_version_ai AFTER INSERT ON topics BEGIN
    INSERT INTO topic_versions (topic_id, version) VALUES (new.id, 1)
        ON CONFLICT (topic_id) DO UPDATE SET version = version + 1;
END;
-- A writer upserts its topic's row each time it starts: only a real change counts.
CREATE TRIGGER topics_version_au AFTER UPDATE ON topics
    WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary OR old.retired_at IS NOT new.retired_at BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = new.id;
END;

CREATE TRIGGER facts_version_ai AFTER INSERT ON facts BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER facts_version_au AFTER UPDATE ON facts BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id IN (old.topic_id, new.topic_id);
END;
CREATE TRIGGER facts_version_ad AFTER DELETE ON facts BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = old.topic_id;
END;

CREATE TRIGGER actors_version_ai AFTER INSERT ON actors BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER actors_version_au AFTER UPDATE ON actors BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id IN (old.topic_id, new.topic_id);
END;
CREATE TRIGGER actors_version_ad AFTER DELETE ON actors BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = old.topic_id;
END;

CREATE TRIGGER places_version_ai AFTER INSERT ON places BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER places_version_au AFTER UPDATE ON places BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id IN (old.topic_id, new.topic_id);
END;
CREATE TRIGGER places_version_ad AFTER DELETE ON places BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = old.topic_id;
END;

CREATE TRIGGER events_version_ai AFTER INSERT ON events BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER events_version_au AFTER UPDATE ON events BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id IN (old.topic_id, new.topic_id);
END;
CREATE TRIGGER events_version_ad AFTER DELETE ON events BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = old.topic_id;
END;

CREATE TRIGGER names_version_ai AFTER INSERT ON names BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER names_version_ad AFTER DELETE ON names BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = old.topic_id;
END;

CREATE TRIGGER related_terms_version_ai AFTER INSERT ON related_terms BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER related_terms_version_ad AFTER DELETE ON related_terms BEGIN
    UPDATE topic_versions SET version = version + 1 WHERE topic_id = old.topic_id;
END;

-- The topic in force: a server's default (channel_id 0) and a channel's, which wins over the server's.
CREATE TABLE topic_defaults (
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL DEFAULT 0,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    PRIMARY KEY (guild_id, channel_id)
) WITHOUT ROWID;

-- What moderators did to topics (add, edit, retire, restore, remove, use), who and when, before and after:
-- the fact record (`changes`) only knows facts, actors, places and events.
CREATE TABLE topic_changes (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    topic_slug TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('add', 'edit', 'retire', 'restore', 'remove', 'use')),
    guild_id INTEGER,
    channel_id INTEGER,
    user_id INTEGER,
    user_name TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX topic_changes_slug ON topic_changes (topic_slug, id);

-- A feed's candidates belong to a topic; NULL is the deployment's DEFAULT_TOPIC (feeds followed before
-- there were several).
ALTER TABLE intake_feeds ADD COLUMN topic_id INTEGER REFERENCES topics (id);
