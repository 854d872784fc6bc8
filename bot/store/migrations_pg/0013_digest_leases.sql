-- Which process is posting a run, and until when it holds it: SQLite's 0013, on PostgreSQL (the reasons
-- are written there). Times are ISO-8601 UTC text, as everywhere in the ledger, so text order is time order.

ALTER TABLE digest_deliveries ADD COLUMN claimed_by TEXT COLLATE "C";
ALTER TABLE digest_deliveries ADD COLUMN lease_until TEXT COLLATE "C";
