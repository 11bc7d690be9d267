-- Up Migration
-- Integration health on the admin integrations list (docs/setup.md).
-- The last TEST of each stored API key: when, whether it passed, and the names of the permissions it
-- lacked (Lever's checklist words, e.g. "read stage"). Never the key or anything secret. Written only
-- when the stored key is tested, and deleted when PATCH /api/integrations/:id replaces the key.
CREATE TABLE integration_key_tests (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  service text NOT NULL CHECK (service IN ('lever', 'codesignal')),
  checked_at timestamptz NOT NULL,
  ok boolean NOT NULL,
  key_valid boolean NOT NULL,
  missing text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (integration_id, service)
);

-- The last delivery per integration and source: one index entry read per source, however many
-- deliveries of other sources came since.
CREATE INDEX webhook_deliveries_integration_source_received ON webhook_deliveries (integration_id, source, received_at DESC, id DESC);
-- The last accepted one: an integration refusing every delivery for days (a wrong signing token) does
-- not make the list walk through all its refusals.
CREATE INDEX webhook_deliveries_integration_source_accepted ON webhook_deliveries (integration_id, source, received_at DESC, id DESC) WHERE outcome = 'accepted';
-- Failures of the last 24 hours, counted from a small index of failures only.
CREATE INDEX webhook_deliveries_integration_failures ON webhook_deliveries (integration_id, received_at) WHERE outcome IN ('failed', 'rejected');

-- Down Migration
DROP INDEX webhook_deliveries_integration_failures;
DROP INDEX webhook_deliveries_integration_source_accepted;
DROP INDEX webhook_deliveries_integration_source_received;
DROP TABLE integration_key_tests;
