-- When the organization last wrote to the customer in each conversation (messages, events,
-- corrections; not its private notes), so its inbox can tell a customer still waiting for an
-- answer from one already answered.
ALTER TABLE threads ADD COLUMN last_vendor_at BIGINT;
UPDATE threads SET last_vendor_at = (
    SELECT MAX(e.at) FROM entries e
    WHERE e.thread_id = threads.id AND e.side = 'vendor' AND e.kind <> 'note'
);
