-- Up Migration
-- Replay protection for Lever webhooks (lever-api.md §2.3): Lever signs only `token + triggeredAt`,
-- not the body, so the ingress remembers each signed delivery's token with a SHA-256 hash of the raw
-- body for as long as a delivery with that triggeredAt is accepted (LEVER_WEBHOOK_MAX_AGE_SECONDS).
-- The same token with the same body again is a duplicate (2xx, no effect); with another body it is a
-- replay and refused (401). No bodies, signatures or personal data are kept. Rows are deleted by the
-- API process once expired, with the webhook delivery log's pruning.
CREATE TABLE lever_delivery_tokens (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  -- Lever's per-delivery nonce (a random 48-char string; worthless without the signing token)
  token text NOT NULL,
  body_sha256 bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- triggeredAt + the accepted age: after this no delivery with the token is accepted anyway
  expires_at timestamptz NOT NULL,
  -- a 2xx was sent for it: the same body again is a duplicate; until then (503, 400, in flight) it is acted on again
  answered boolean NOT NULL DEFAULT false,
  PRIMARY KEY (integration_id, token)
);
-- Pruning deletes by expiry across integrations; rows arrive roughly in expiry order, so BRIN stays tiny.
CREATE INDEX lever_delivery_tokens_expires_brin ON lever_delivery_tokens USING brin (expires_at);

-- Activity shows the two new outcomes: `duplicate` (a token answered before, same body) and `refused`
-- (accepted by the ingress, then contradicted by Lever when the candidate workflow checked it).
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_outcome_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_outcome_check
  CHECK (outcome IN ('accepted', 'ignored', 'rejected', 'failed', 'duplicate', 'refused'));
-- The candidate workflow's event key (Lever's `id`, else event + opportunity + triggeredAt + target), so
-- the workflow's verdict on an event can be written on the row of the delivery that brought it.
ALTER TABLE webhook_deliveries ADD COLUMN event_key text;
CREATE INDEX webhook_deliveries_event_key ON webhook_deliveries (integration_id, opportunity_id, event_key) WHERE event_key IS NOT NULL;

-- Down Migration
DROP INDEX webhook_deliveries_event_key;
ALTER TABLE webhook_deliveries DROP COLUMN event_key;
DELETE FROM webhook_deliveries WHERE outcome IN ('duplicate', 'refused');
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_outcome_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_outcome_check
  CHECK (outcome IN ('accepted', 'ignored', 'rejected', 'failed'));
DROP TABLE lever_delivery_tokens;
