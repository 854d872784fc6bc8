-- The fact store. Every query a command runs is served by an index declared here.

CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    publisher TEXT,
    url TEXT,
    published TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('document', 'background')),
    note TEXT,
    -- One row per distinct source, so a citation number groups every fact from the same document.
    UNIQUE (title, publisher, url, published, kind, note)
);

CREATE TABLE actors (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    side TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (topic_id, slug)
);

CREATE TABLE affiliations (
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    other_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    PRIMARY KEY (actor_id, other_id, relation)
);
CREATE INDEX affiliations_other ON affiliations (other_id);

CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES places (id),
    UNIQUE (topic_id, slug)
);
CREATE INDEX places_parent ON places (parent_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    precision TEXT NOT NULL CHECK (precision IN ('day', 'month', 'year')),
    place_id INTEGER REFERENCES places (id),
    summary TEXT NOT NULL DEFAULT '',
    UNIQUE (topic_id, slug)
);
CREATE INDEX events_date ON events (topic_id, date, id);
CREATE INDEX events_place ON events (place_id, date);

CREATE TABLE event_actors (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (event_id, actor_id)
);
CREATE INDEX event_actors_actor ON event_actors (actor_id, event_id);

CREATE TABLE event_follows (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    follows_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, follows_id)
);
CREATE INDEX event_follows_reverse ON event_follows (follows_id, event_id);

-- Every name an actor, place or event goes by, canonical or alias, folded by bot.models.normalise.
CREATE TABLE names (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    entity TEXT NOT NULL CHECK (entity IN ('actor', 'place', 'event')),
    entity_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    norm TEXT NOT NULL,
    is_primary INTEGER NOT NULL DEFAULT 0,
    UNIQUE (topic_id, entity, entity_id, norm)
);
CREATE INDEX names_norm ON names (topic_id, entity, norm);
CREATE INDEX names_entity ON names (entity, entity_id);

-- Trigram index over folded names: typo-tolerant candidates for autocomplete without a table scan.
CREATE VIRTUAL TABLE names_trigram USING fts5 (norm, content = 'names', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER names_ai AFTER INSERT ON names BEGIN
    INSERT INTO names_trigram (rowid, norm) VALUES (new.id, new.norm);
END;
CREATE TRIGGER names_ad AFTER DELETE ON names BEGIN
    INSERT INTO names_trigram (names_trigram, rowid, norm) VALUES ('delete', old.id, old.norm);
END;

CREATE TABLE facts (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    key TEXT NOT NULL,
    statement TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_id INTEGER REFERENCES events (id),
    place_id INTEGER REFERENCES places (id),
    stakeholder_id INTEGER REFERENCES actors (id),
    interest TEXT,
    as_of TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    reliability TEXT NOT NULL CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F')),
    credibility INTEGER NOT NULL CHECK (credibility BETWEEN 1 AND 6),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retracted')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (topic_id, key)
);
CREATE INDEX facts_kind ON facts (topic_id, status, kind, as_of, id);
CREATE INDEX facts_stake ON facts (stakeholder_id, status, as_of);
CREATE INDEX facts_event ON facts (event_id, status, as_of);
CREATE INDEX facts_place ON facts (place_id, status, as_of);

CREATE TABLE fact_actors (
    fact_id INTEGER NOT NULL REFERENCES facts (id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    PRIMARY KEY (fact_id, actor_id)
);
CREATE INDEX fact_actors_actor ON fact_actors (actor_id, fact_id);

-- Full text over each fact's statement and the names of what it is about, so a query for an alias
-- ("Tatmadaw") finds facts that only say "the junta". Rows are written by the store with the fact.
CREATE VIRTUAL TABLE facts_fts USING fts5 (
    statement,
    entities,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Running totals, kept by triggers, so /about never counts a million rows.
CREATE TABLE counts (
    topic_id INTEGER NOT NULL,
    what TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (topic_id, what)
) WITHOUT ROWID;

CREATE TRIGGER facts_count_ai AFTER INSERT ON facts BEGIN
    INSERT INTO counts (topic_id, what, n) VALUES (new.topic_id, 'facts_' || new.status, 1)
        ON CONFLICT (topic_id, what) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER facts_count_au AFTER UPDATE OF status ON facts WHEN old.status <> new.status BEGIN
    UPDATE counts SET n = n - 1 WHERE topic_id = old.topic_id AND what = 'facts_' || old.status;
    INSERT INTO counts (topic_id, what, n) VALUES (new.topic_id, 'facts_' || new.status, 1)
        ON CONFLICT (topic_id, what) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER actors_count_ai AFTER INSERT ON actors BEGIN
    INSERT INTO counts (topic_id, what, n) VALUES (new.topic_id, 'actors', 1)
        ON CONFLICT (topic_id, what) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER places_count_ai AFTER INSERT ON places BEGIN
    INSERT INTO counts (topic_id, what, n) VALUES (new.topic_id, 'places', 1)
        ON CONFLICT (topic_id, what) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER events_count_ai AFTER INSERT ON events BEGIN
    INSERT INTO counts (topic_id, what, n) VALUES (new.topic_id, 'events', 1)
        ON CONFLICT (topic_id, what) DO UPDATE SET n = n + 1;
END;

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
