-- Erasing a body also removes its full-text row. SQLite's FTS5 table finds a row quickly
-- only by its rowid (its entry id column is not indexed), so erasing looked at every row
-- of it: 250–440 ms with 1,000,000 entries, holding the write lock that appends wait for.
-- Each body now keeps the rowid of its search row (NULL on PostgreSQL, which indexes
-- `entry_bodies` itself). Rows stored before this are filled in once, when the server
-- starts (crates/store/src/search.rs). Attachments are erased by entry.
ALTER TABLE entry_bodies ADD COLUMN search_rowid BIGINT;
CREATE INDEX attachments_by_entry ON attachments(entry_id);
