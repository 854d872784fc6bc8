-- One review message per article (issue 21): an article's candidates are numbered in one message, each
-- decided on its own, instead of a message each.
--
-- `intake_reviews` is that message: one per article read (`key` 'item:<id>'), or one per fact proposed by
-- hand ('candidate:<id>'). Posting it is claimed first, as a digest run is: the claim is an UPDATE that
-- one process wins, holding a lease (`claimed_by`, `lease_until`) while it posts, so two processes never
-- post the same article twice, and one killed mid-post leaves it to whoever finds it once the lease ran out.
-- Candidates keep their number within it. A review channel that is gone or forbids the bot is recorded in
-- `intake_review_channels`: moderators are told once (`alerted`) and its reviews wait, tried again only at
-- `retry_at`, or sent to REVIEW_CHANNEL_ID when that names another channel; a post that works clears it.

CREATE TABLE intake_reviews (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    channel_id INTEGER,
    message_id INTEGER,
    claimed_by TEXT,
    lease_until TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX intake_reviews_unposted ON intake_reviews (id) WHERE message_id IS NULL;

ALTER TABLE intake_candidates ADD COLUMN review_id INTEGER REFERENCES intake_reviews (id);
ALTER TABLE intake_candidates ADD COLUMN number INTEGER;
CREATE INDEX intake_candidates_review ON intake_candidates (review_id, number);

CREATE TABLE intake_review_channels (
    channel_id INTEGER PRIMARY KEY,
    error TEXT NOT NULL,
    broken_since TEXT NOT NULL,
    retry_at TEXT NOT NULL,
    alerted INTEGER NOT NULL DEFAULT 0 CHECK (alerted IN (0, 1))
);
