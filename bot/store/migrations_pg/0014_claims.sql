-- Who claims a fact, and which languages a dossier accepts: SQLite's 0014, on PostgreSQL (the reasons are
-- written there).

ALTER TABLE facts ADD COLUMN claimant TEXT COLLATE "C";
ALTER TABLE facts ADD COLUMN claimant_actor_id BIGINT REFERENCES actors (id);

ALTER TABLE intake_candidates ADD COLUMN language TEXT COLLATE "C" NOT NULL DEFAULT 'en';
ALTER TABLE intake_candidates ADD COLUMN day_note TEXT COLLATE "C";
ALTER TABLE intake_candidates ADD COLUMN claimant_side TEXT COLLATE "C";

ALTER TABLE topics ADD COLUMN languages TEXT COLLATE "C" NOT NULL DEFAULT 'en';

ALTER TABLE intake_items DROP CONSTRAINT intake_items_status_check;
ALTER TABLE intake_items ADD CONSTRAINT intake_items_status_check
    CHECK (status IN ('proposed', 'duplicate', 'failed', 'empty', 'skipped'));
