-- Each correction keeps the sequence number of the entry it corrects (its signed header
-- names that entry's hash), so a page can say an entry was corrected, and link both ways,
-- when the correction is on another page or in another conversation.
ALTER TABLE entries ADD COLUMN corrects_seq BIGINT;
UPDATE entries SET corrects_seq = (
    SELECT t.seq FROM entries t
    WHERE t.relationship_id = entries.relationship_id AND t.seq IS NOT NULL
      AND entries.header LIKE '%"corrects":"' || t.hash || '"%'
)
WHERE kind = 'correction';
CREATE INDEX entries_corrections ON entries(relationship_id, corrects_seq) WHERE kind = 'correction';
