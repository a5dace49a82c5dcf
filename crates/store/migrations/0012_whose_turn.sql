-- Whose turn it is in each conversation, again from the entries: the latest (not the last
-- stored) of each side's messages, attachments, corrections and thread changes; private notes
-- and logged events (often dated in the past) are nobody's turn, and mail the person
-- imported and had received is the vendor's.
UPDATE threads SET
    last_customer_at = (
        SELECT MAX(e.at) FROM entries e LEFT JOIN entry_bodies b ON b.entry_id = e.id
        WHERE e.thread_id = threads.id AND e.side = 'customer' AND e.kind NOT IN ('note', 'event')
          AND COALESCE(b.body, '') NOT LIKE '%"direction":"received"%'
          -- imported mail since erased: which way it went is gone with its body
          AND NOT (e.source_ref IS NOT NULL AND e.source_ref NOT LIKE 'idem:%' AND b.body IS NULL)
    ),
    last_vendor_at = (
        SELECT MAX(e.at) FROM entries e LEFT JOIN entry_bodies b ON b.entry_id = e.id
        WHERE e.thread_id = threads.id AND e.kind NOT IN ('note', 'event')
          AND (e.side = 'vendor' OR COALESCE(b.body, '') LIKE '%"direction":"received"%')
    );
