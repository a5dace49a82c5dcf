-- Timelines read newest-first by index range: the person is copied onto each entry (it never
-- changes), and entries are indexed by (person, time, id) and (relationship, time, id).
ALTER TABLE entries ADD COLUMN person_id TEXT;
UPDATE entries SET person_id = (SELECT r.person_id FROM relationships r WHERE r.id = entries.relationship_id);
CREATE INDEX entries_by_person_time ON entries(person_id, at, id);
CREATE INDEX entries_by_relationship_time ON entries(relationship_id, at, id);
DROP INDEX entries_by_relationship;
