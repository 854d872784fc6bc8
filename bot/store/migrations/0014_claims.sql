-- Who claims a fact, and which languages a dossier accepts from reports.
--
-- `claimant` is the claimant as the report names it ("a spokesman for the MNDAA"); `claimant_actor_id` the
-- known actor that is, when there is one. Whether the claim is a party's is read from that actor's side at
-- answer time, so it follows the actor's record. Today's facts carry over with no claimant.
ALTER TABLE facts ADD COLUMN claimant TEXT;
ALTER TABLE facts ADD COLUMN claimant_actor_id INTEGER REFERENCES actors (id);

-- A candidate's language, shown on its review message when it is not English, why its day is the
-- article's own date when the sentence's day could not be known, and the side of the known actor claiming
-- it when proposed (a party's claim is shown as such, its grade capped, without a look-up per message).
ALTER TABLE intake_candidates ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE intake_candidates ADD COLUMN day_note TEXT;
ALTER TABLE intake_candidates ADD COLUMN claimant_side TEXT;

-- Language codes (ISO 639-1) separated by commas; a report in any other language is not proposed.
ALTER TABLE topics ADD COLUMN languages TEXT NOT NULL DEFAULT 'en';

-- A report in a language its topic does not accept is recorded as `skipped`, with the reason in `detail`.
-- SQLite cannot change a CHECK constraint in place, so the items are copied into a table that has it. The
-- candidates refer to items: their references are checked at commit (`defer_foreign_keys`), once every item
-- is back under its own id.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE intake_items_old AS SELECT * FROM intake_items;
DROP TABLE intake_items;
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
    status TEXT NOT NULL CHECK (status IN ('proposed', 'duplicate', 'failed', 'empty', 'skipped')),
    candidates INTEGER NOT NULL DEFAULT 0,
    detail TEXT,
    seen_at TEXT NOT NULL
);
INSERT INTO intake_items (id, feed_id, guid, url, canonical_url, text_hash, title, publisher, published, status,
    candidates, detail, seen_at)
SELECT id, feed_id, guid, url, canonical_url, text_hash, title, publisher, published, status, candidates, detail,
    seen_at
FROM intake_items_old;
DROP TABLE intake_items_old;
CREATE INDEX intake_items_guid ON intake_items (guid) WHERE guid IS NOT NULL;
CREATE INDEX intake_items_url ON intake_items (url) WHERE url IS NOT NULL;
CREATE INDEX intake_items_canonical ON intake_items (canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX intake_items_text ON intake_items (text_hash) WHERE text_hash IS NOT NULL;
