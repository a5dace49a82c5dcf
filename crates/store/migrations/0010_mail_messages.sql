-- The Message-IDs of a person's imported mail and the conversation each went into, so a
-- reply imported later (another .eml file, another mbox) joins the conversation it answers.
CREATE TABLE mail_messages (
    person_id TEXT NOT NULL REFERENCES users(id),
    message_id TEXT NOT NULL,
    thread_id TEXT NOT NULL REFERENCES threads(id),
    entry_id TEXT NOT NULL REFERENCES entries(id),
    PRIMARY KEY (person_id, message_id)
);
CREATE INDEX mail_messages_by_entry ON mail_messages(entry_id);
-- Mail imported before this migration is read into it once, when the server starts
-- (the bodies are JSON, read differently by each database).
CREATE TABLE mail_messages_backfill (pending INTEGER NOT NULL);
INSERT INTO mail_messages_backfill (pending) VALUES (1);
