-- Each side keeps its own follow-up date on a thread ("chase if no reply by Friday"), and
-- sees only its own. Before, one date was shared: an agent's reminder replaced, or cleared,
-- the customer's, and the customer's due list lost it.
ALTER TABLE threads ADD COLUMN customer_follow_up_on TEXT;
ALTER TABLE threads ADD COLUMN vendor_follow_up_on TEXT;
UPDATE threads SET customer_follow_up_on = follow_up_on WHERE follow_up_side = 'customer';
UPDATE threads SET vendor_follow_up_on = follow_up_on WHERE follow_up_side = 'vendor';
DROP INDEX threads_by_follow_up;
ALTER TABLE threads DROP COLUMN follow_up_on;
ALTER TABLE threads DROP COLUMN follow_up_side;
CREATE INDEX threads_by_customer_follow_up ON threads(customer_follow_up_on) WHERE customer_follow_up_on IS NOT NULL;
