-- Reconciling a run cut off by a crash with its channel, instead of guessing.
--
-- `attempted_at` is when the part after the last recorded one was first sent (NULL: it never was), so a
-- restart knows whether that part's fate is unknown and, if so, from when to look for it in the channel.
-- `attention` marks a run whose fate could not be settled (the channel's history cannot be read): it
-- waits for a moderator, who is told, and `/digest send` finishes it. SQLite cannot change a CHECK
-- constraint in place, so the ledger is copied into a table that has both.

CREATE TABLE digest_deliveries_new (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES digest_subscriptions (id),
    scheduled_for TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'silent', 'skipped', 'failed', 'attention')),
    late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    manual INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
    nonce TEXT NOT NULL,
    through_change_id INTEGER NOT NULL DEFAULT 0,
    parts TEXT NOT NULL DEFAULT '[]',
    message_ids TEXT NOT NULL DEFAULT '[]',
    attempted_at TEXT,
    detail TEXT,
    recorded_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (subscription_id, scheduled_for)
);

-- A run cut off under the old rules may have had its next part sent: it is looked up, not assumed unsent.
INSERT INTO digest_deliveries_new (id, subscription_id, scheduled_for, status, late, manual, nonce,
    through_change_id, parts, message_ids, attempted_at, detail, recorded_at, updated_at)
SELECT id, subscription_id, scheduled_for, status, late, manual, nonce, through_change_id, parts, message_ids,
    CASE WHEN status = 'sending' THEN updated_at END, detail, recorded_at, updated_at
FROM digest_deliveries;

DROP TABLE digest_deliveries;
ALTER TABLE digest_deliveries_new RENAME TO digest_deliveries;

-- Runs cut off mid-send, found at every start without reading the whole ledger.
CREATE INDEX digest_deliveries_sending ON digest_deliveries (subscription_id) WHERE status = 'sending';
-- Runs waiting for a moderator, shown by `/digest list` and finished by `/digest send`.
CREATE INDEX digest_deliveries_attention ON digest_deliveries (subscription_id) WHERE status = 'attention';
