-- Scheduled digests: which channel gets what and when, and a ledger of every run so that each is posted once.

CREATE TABLE digest_subscriptions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('recurring', 'milestone')),
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    -- IANA name: run times are wall-clock times there, so a 09:00 digest stays at 09:00 across DST.
    timezone TEXT NOT NULL,
    -- Recurring: the schedule in its normal form ("daily 09:00", "weekly mon 09:00", or five-field cron).
    schedule TEXT,
    quiet INTEGER NOT NULL DEFAULT 0 CHECK (quiet IN (0, 1)),
    -- Milestone: the event, how long after it ("1 month"), and the moment the digest is due (UTC).
    event_id INTEGER REFERENCES events (id),
    after_spec TEXT,
    due_at TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'done', 'removed')),
    status_reason TEXT,
    -- Runs before this moment are never caught up: set at creation and again on every resume.
    active_since TEXT NOT NULL,
    -- The last entry of `changes` the previous digest reported; the next one reports what came after it.
    last_change_id INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((kind = 'recurring') = (schedule IS NOT NULL)),
    CHECK ((kind = 'milestone') = (event_id IS NOT NULL AND after_spec IS NOT NULL AND due_at IS NOT NULL))
);
CREATE INDEX digest_subscriptions_guild ON digest_subscriptions (guild_id, status, channel_id, id);
CREATE INDEX digest_subscriptions_status ON digest_subscriptions (status, id);

-- One row per (subscription, scheduled time), written before anything is posted. `parts` freezes what
-- will be posted, so a retry posts the same messages with the same nonces and Discord returns the first.
CREATE TABLE digest_deliveries (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES digest_subscriptions (id),
    scheduled_for TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'silent', 'skipped', 'failed')),
    late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    manual INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
    nonce TEXT NOT NULL,
    through_change_id INTEGER NOT NULL DEFAULT 0,
    parts TEXT NOT NULL DEFAULT '[]',
    message_ids TEXT NOT NULL DEFAULT '[]',
    detail TEXT,
    recorded_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (subscription_id, scheduled_for)
);
-- Deliveries cut off mid-send, found at every start without reading the whole ledger.
CREATE INDEX digest_deliveries_sending ON digest_deliveries (subscription_id) WHERE status = 'sending';
