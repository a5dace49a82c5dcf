-- A smaller key for a relationship's entries by time: (relationship, time) only. Each
-- committed group of appends writes this index's pages at the tail of every relationship it
-- touches; the old key (three 36-character ids) fitted fewer entries to a page.
-- Timelines keep their order (time, then id): both databases read the index by time and
-- sort only the entries of one instant by id (SQLite's "right part of ORDER BY",
-- PostgreSQL's incremental sort). SQLite appends were faster in 5 of 6 interleaved
-- pairs of runs (BENCHMARKS.md).
DROP INDEX entries_by_relationship_time;
CREATE INDEX entries_by_relationship_time ON entries(relationship_id, at);
