-- Up Migration
-- The sourcing contract (docs/sync.md): CodeSignal's sourcing side calls the service with a
-- per-integration token (only its SHA-256 is kept: the token is 256 random bits, shown once), and the
-- service sends the status feed to a URL per integration, signed with a secret sealed like the others.
ALTER TABLE integrations
  ADD COLUMN sourcing_token_sha256 bytea UNIQUE,
  ADD COLUMN sourcing_token_created_at timestamptz,
  ADD COLUMN sourcing_feed_url text,
  ADD COLUMN sourcing_feed_secret text;

-- Activity shows calls of the sourcing API (`sourcing`) and status feed deliveries sent (`feed`) next to webhooks.
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_source_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_source_check CHECK (source IN ('lever', 'codesignal', 'sourcing', 'feed'));

-- Down Migration
DELETE FROM webhook_deliveries WHERE source IN ('sourcing', 'feed');
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_source_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_source_check CHECK (source IN ('lever', 'codesignal'));
ALTER TABLE integrations
  DROP COLUMN sourcing_token_sha256,
  DROP COLUMN sourcing_token_created_at,
  DROP COLUMN sourcing_feed_url,
  DROP COLUMN sourcing_feed_secret;
