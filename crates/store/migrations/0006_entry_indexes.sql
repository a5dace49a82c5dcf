-- One index fewer on entries: each index on (relationship or thread, time) costs a page
-- written per relationship per committed group of appends. A thread's entries are read
-- within its relationship, so the relationship index carries the thread instead of
-- entries having an index of their own by thread.
DROP INDEX entries_by_thread;
DROP INDEX entries_by_relationship_time;
CREATE INDEX entries_by_relationship_time ON entries(relationship_id, at, id, thread_id);
