-- A smaller key for a relationship's entries by time: (relationship, time) only. Each
-- committed group of appends writes this index's pages at the tail of every relationship it
-- touches, and its old key (three 36-character ids) filled and split them twice as often.
-- Timelines keep their order (time, then id): both databases read the index by time and
-- sort only the entries of one instant by id (SQLite's "right part of ORDER BY",
-- PostgreSQL's incremental sort). Appends on SQLite: +10 to +14 % (BENCHMARKS.md).
DROP INDEX entries_by_relationship_time;
CREATE INDEX entries_by_relationship_time ON entries(relationship_id, at);
