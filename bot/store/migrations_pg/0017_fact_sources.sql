-- A fact has one or more sources: every outlet that reported the claim, each with its own reliability grade,
-- the claim in its words and whether it withdrew it. `facts.source_id` stays the first of them, which every
-- citation and index already reads; the other sources are read from here. Today's facts carry over as
-- one-source facts, graded as they were.
--
-- `credibility` is how credible the claim from this source alone was judged: the fact falls back to it when
-- the sources that corroborated it are retracted. `facts.credibility_by_hand` is a grade a moderator set,
-- on record, which corroboration leaves as it is.

CREATE TABLE fact_sources (
    fact_id BIGINT NOT NULL REFERENCES facts (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    source_id BIGINT NOT NULL REFERENCES sources (id),
    reliability TEXT COLLATE "C" NOT NULL CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F')),
    credibility BIGINT CHECK (credibility BETWEEN 1 AND 6),
    says TEXT COLLATE "C",
    retracted BIGINT NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
    PRIMARY KEY (fact_id, position)
);
CREATE INDEX fact_sources_source ON fact_sources (source_id);

INSERT INTO fact_sources (fact_id, position, source_id, reliability, credibility, says, retracted)
SELECT id, 0, source_id, reliability, credibility, NULL, 0 FROM facts;

ALTER TABLE facts ADD COLUMN credibility_by_hand BIGINT CHECK (credibility_by_hand BETWEEN 1 AND 6);

-- Further reports of a pending candidate's claim, from other outlets: [{"fields", "links", "item_url"}], each
-- a candidate of its own in all but name. Approving the candidate adds them as the fact's further sources;
-- a moderator can split one off into a candidate of its own.
ALTER TABLE intake_candidates ADD COLUMN also TEXT COLLATE "C" NOT NULL DEFAULT '[]';
