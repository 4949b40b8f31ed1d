-- Up Migration
-- Since when an endpoint's deliveries keep failing (cleared by a success): five days of it disable the endpoint.
ALTER TABLE webhooks ADD COLUMN failing_since timestamptz;

-- Down Migration
ALTER TABLE webhooks DROP COLUMN failing_since;
