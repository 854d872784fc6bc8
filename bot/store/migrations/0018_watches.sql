-- Watch lists (issue 26): members ask to be told when a reviewed fact about something lands.
--
-- An inbox is where one watcher is told: a member's direct messages (`dm`, the member's id) or a channel
-- (`channel`, its id), within one server. Matches wait in `watch_outbox`, written in the same transaction
-- that makes the fact active, and are announced together, at most one message per inbox per
-- WATCH_BATCH_MINUTES: `first_pending_at` is when the oldest waiting match was queued, `last_sent_at` when
-- the inbox was last told, and an inbox is due once both are a batch window old.
CREATE TABLE watch_inboxes (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('dm', 'channel')),
    target_id INTEGER NOT NULL,
    first_pending_at TEXT,
    last_sent_at TEXT,
    UNIQUE (guild_id, kind, target_id)
);
CREATE INDEX watch_inboxes_pending ON watch_inboxes (first_pending_at) WHERE first_pending_at IS NOT NULL;

-- One watch: an actor, a place (its places within count), an event, or words, in one topic.
CREATE TABLE watches (
    id INTEGER PRIMARY KEY,
    inbox_id INTEGER NOT NULL REFERENCES watch_inboxes (id),
    guild_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    kind TEXT NOT NULL CHECK (kind IN ('actor', 'place', 'event', 'words')),
    target_id INTEGER,
    words TEXT,
    label TEXT NOT NULL,
    -- How many distinct stems a words watch has: a fact matches when it holds all of them.
    term_count INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    status_reason TEXT,
    created_at TEXT NOT NULL,
    last_told_at TEXT,
    CHECK ((kind = 'words') = (target_id IS NULL)),
    CHECK ((kind = 'words') = (words IS NOT NULL))
);
CREATE INDEX watches_member ON watches (guild_id, member_id, id);
-- Matching reads only active watches on the fact's actors, places and event: one index range each.
CREATE INDEX watches_target ON watches (topic_id, kind, target_id) WHERE status = 'active';
CREATE INDEX watches_inbox ON watches (inbox_id, status);

-- The stems of a words watch, folded and stemmed as the search index holds them.
CREATE TABLE watch_terms (
    stem TEXT NOT NULL,
    watch_id INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    PRIMARY KEY (stem, watch_id)
);
CREATE INDEX watch_terms_watch ON watch_terms (watch_id);

-- Matches not announced yet. A retraction deletes its fact's rows in its own transaction, so a retracted
-- fact is never announced afterwards.
CREATE TABLE watch_outbox (
    id INTEGER PRIMARY KEY,
    inbox_id INTEGER NOT NULL REFERENCES watch_inboxes (id),
    watch_id INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    fact_id INTEGER NOT NULL REFERENCES facts (id),
    queued_at TEXT NOT NULL,
    UNIQUE (watch_id, fact_id)
);
CREATE INDEX watch_outbox_inbox ON watch_outbox (inbox_id, id);
CREATE INDEX watch_outbox_fact ON watch_outbox (fact_id);

-- The ledger, as digests keep one: a message is claimed (its matches taken out of the outbox and the
-- message frozen) in one transaction before it is sent, held by a lease, and posted with a nonce.
CREATE TABLE watch_announcements (
    id INTEGER PRIMARY KEY,
    inbox_id INTEGER NOT NULL REFERENCES watch_inboxes (id),
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'unknown')),
    nonce TEXT NOT NULL UNIQUE,
    message TEXT NOT NULL,
    watch_ids TEXT NOT NULL,
    fact_ids TEXT NOT NULL,
    channel_id INTEGER,
    message_id INTEGER,
    attempted_at TEXT,
    claimed_by TEXT,
    lease_until TEXT,
    detail TEXT,
    recorded_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX watch_announcements_sending ON watch_announcements (inbox_id) WHERE status = 'sending';

-- Each member's DM channel, opened once and reused: Discord refuses a bot that opens DMs too fast.
CREATE TABLE watch_dm_channels (
    user_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    opened_at TEXT NOT NULL
);

-- What a member is told, ephemerally, the next time they use a command (their DMs are closed).
CREATE TABLE watch_notices (
    guild_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);
