-- Intake: feeds followed, items seen (so none is proposed twice), and candidate facts awaiting review.

CREATE TABLE intake_feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    -- The Admiralty reliability its candidates start with.
    reliability TEXT NOT NULL CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F')),
    -- Where its candidates go for review (NULL: REVIEW_CHANNEL_ID).
    channel_id INTEGER,
    guild_id INTEGER,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'removed')),
    -- HTTP validators from the last full answer, sent back so an unchanged feed costs a 304.
    etag TEXT,
    last_modified TEXT,
    items_now INTEGER NOT NULL DEFAULT 0,
    last_polled_at TEXT,
    last_ok_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    -- Consecutive failures, since when, and whether moderators were told (after a day of them).
    failures INTEGER NOT NULL DEFAULT 0,
    failing_since TEXT,
    alerted INTEGER NOT NULL DEFAULT 0 CHECK (alerted IN (0, 1)),
    -- A failing feed is backed off: it is not polled again before this moment.
    next_poll_at TEXT,
    added_by INTEGER,
    added_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX intake_feeds_status ON intake_feeds (status, id);

-- Every item or article read, whether it gave candidates or not: an item is recognised again by its
-- guid, its link, its canonical URL or its text, across feeds and restarts.
CREATE TABLE intake_items (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER REFERENCES intake_feeds (id),
    guid TEXT,
    url TEXT,
    canonical_url TEXT,
    text_hash TEXT,
    title TEXT NOT NULL,
    publisher TEXT,
    published TEXT,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'duplicate', 'failed', 'empty')),
    candidates INTEGER NOT NULL DEFAULT 0,
    detail TEXT,
    seen_at TEXT NOT NULL
);
CREATE INDEX intake_items_guid ON intake_items (guid) WHERE guid IS NOT NULL;
CREATE INDEX intake_items_url ON intake_items (url) WHERE url IS NOT NULL;
CREATE INDEX intake_items_canonical ON intake_items (canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX intake_items_text ON intake_items (text_hash) WHERE text_hash IS NOT NULL;

-- A candidate fact: the fact form's fields as JSON, its review message, and the decision on it.
-- `sentence_key` (topic and folded statement) is unique, so a sentence decided once, either way, is
-- never proposed again.
CREATE TABLE intake_candidates (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    item_id INTEGER REFERENCES intake_items (id),
    sentence_key TEXT NOT NULL,
    fields TEXT NOT NULL,
    -- What the sentence names: [{"entity", "slug", "name"}], shown in review.
    links TEXT NOT NULL DEFAULT '[]',
    duplicate_of INTEGER,
    channel_id INTEGER,
    message_id INTEGER,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'deciding', 'approved', 'rejected')),
    proposed_by INTEGER,
    proposed_by_name TEXT,
    decided_by INTEGER,
    decided_by_name TEXT,
    decided_at TEXT,
    fact_id INTEGER REFERENCES facts (id),
    created_at TEXT NOT NULL,
    UNIQUE (topic_id, sentence_key)
);
-- Candidates not yet posted for review, found at every round without reading the rest.
CREATE INDEX intake_candidates_unposted ON intake_candidates (id) WHERE message_id IS NULL AND status = 'pending';
CREATE INDEX intake_candidates_item ON intake_candidates (item_id);
