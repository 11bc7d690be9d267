-- Up Migration
-- The webhook inbox (README "Webhook inbox and replay"): the raw body of each Lever and CodeSignal
-- delivery recorded in webhook_deliveries, and the headers its verification needs (CodeSignal's
-- X-CodeSignal-Signature; Lever signs inside the body), so an admin can replay it through the same
-- verification and de-duplication as a live delivery. Both are sealed with the secrets-at-rest key
-- (SecretBox, AES-256-GCM) bound to the delivery row, so nothing here is readable without the key
-- and a sealed body moved to another row does not open. Rows go with their delivery: the delivery
-- log's retention (WEBHOOK_LOG_RETENTION_DAYS) deletes them through the cascade.
CREATE TABLE webhook_delivery_bodies (
  delivery_id bigint PRIMARY KEY REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  -- the raw request body bytes, base64, sealed (context webhook_delivery_bodies/<delivery id>/body)
  body_sealed text NOT NULL,
  -- a JSON object of the verification headers, sealed (…/headers); null when none was sent or needed
  headers_sealed text
);

-- A replay is recorded as a delivery of its own, naming the delivery it replayed (the one whose body
-- it sent). A replayed delivery pruned before its replays leaves them without the link.
ALTER TABLE webhook_deliveries ADD COLUMN replay_of bigint REFERENCES webhook_deliveries(id) ON DELETE SET NULL;
CREATE INDEX webhook_deliveries_replay_of ON webhook_deliveries (replay_of) WHERE replay_of IS NOT NULL;

-- Down Migration
DROP INDEX webhook_deliveries_replay_of;
ALTER TABLE webhook_deliveries DROP COLUMN replay_of;
DROP TABLE webhook_delivery_bodies;
