-- Up Migration
-- What each webhook delivery to a known integration was answered, for the operations UI's Activity
-- page. Only outcomes and identifiers: no names, e-mails, bodies, signatures or tokens. Rows older
-- than WEBHOOK_LOG_RETENTION_DAYS are deleted by the API process.
CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('lever', 'codesignal')),
  -- the sender's event type; null when the body could not be read
  event text,
  received_at timestamptz NOT NULL DEFAULT now(),
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'ignored', 'rejected', 'failed')),
  http_status integer NOT NULL,
  -- what the sender was told when not accepted, e.g. "invalid_signature: signature … does not match …"
  reason text,
  opportunity_id text,
  workflow_id text
);
CREATE INDEX webhook_deliveries_integration_received ON webhook_deliveries (integration_id, received_at DESC);
-- Pruning deletes by age across integrations; rows arrive in time order, so a BRIN index stays tiny.
CREATE INDEX webhook_deliveries_received_brin ON webhook_deliveries USING brin (received_at);

-- Down Migration
DROP TABLE webhook_deliveries;
