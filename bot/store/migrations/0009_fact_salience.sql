-- What a pack author knows better than the data: that a fact is one of the story's key judgements (the
-- bottom line `/brief` opens with), a headline (it leads wherever it appears), or colour (it comes last).
-- Unmarked facts (NULL) are ordered by what the data says: kind, consequence, grade, recency.

ALTER TABLE facts ADD COLUMN salience TEXT CHECK (salience IN ('key-judgement', 'headline', 'colour'));

-- Marked facts are few; this finds them without reading a topic's other facts.
CREATE INDEX facts_marked ON facts (topic_id, status, as_of) WHERE salience IS NOT NULL;
