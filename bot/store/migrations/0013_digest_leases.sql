-- Which process is posting a run, and until when it holds it, so that several processes share one ledger.
--
-- The claim (INSERT … ON CONFLICT DO NOTHING) decides which process starts a run. A run left `sending` is
-- finished by whoever finds it, but only once its lease has run out: the process posting it renews the
-- lease every few seconds while it lives, so another process (a second one given the same shards by
-- mistake, or the scheduler of this one after a restart) takes a run over only from a process that
-- stopped. `claimed_by` names a process start, not a machine or a shard, so a restarted process waits out
-- its predecessor's lease like anyone else. Runs recorded before this have no lease: free to take.

ALTER TABLE digest_deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE digest_deliveries ADD COLUMN lease_until TEXT;
