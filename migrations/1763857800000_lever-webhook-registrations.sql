-- Up Migration
-- Lever webhook subscriptions the service made itself through Lever's webhooks API (lever-api.md §2.7;
-- src/integrations/webhook-registration/). The signing token each create answered is stored with the
-- integration's other signing tokens (integrations.lever_webhook_signing_tokens, sealed), where the
-- ingress reads them; here only its SHA-256, to tell which stored token belongs to which subscription
-- when one is removed or replaced. Never the token itself.
CREATE TABLE lever_webhook_registrations (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  webhook_id text NOT NULL,
  event text NOT NULL,
  url text NOT NULL,
  token_sha256 bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, webhook_id)
);

-- Down Migration
DROP TABLE lever_webhook_registrations;
