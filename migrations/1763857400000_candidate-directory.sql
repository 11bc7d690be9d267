-- Up Migration
-- The per-candidate timeline's search (README "Candidate timeline"): one row per Lever opportunity the
-- service has read, written by the activity that confirms a Lever event (it reads the opportunity
-- anyway) and by "Re-sync now". The name and the e-mails are sealed with the secrets-at-rest key
-- (SecretBox, bound to the row and column); e-mails are findable only exactly, by a keyed hash (HMAC)
-- of each normalized address. No name or e-mail is stored in plain text.
CREATE TABLE candidate_directory (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  opportunity_id text NOT NULL,
  name_sealed text NOT NULL,
  emails_sealed text NOT NULL,
  email_hashes text[] NOT NULL DEFAULT '{}',
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, opportunity_id)
);
-- name search opens the most recently seen rows of an integration (bounded)
CREATE INDEX candidate_directory_recent ON candidate_directory (integration_id, last_seen_at DESC);
CREATE INDEX candidate_directory_email_hashes ON candidate_directory USING gin (email_hashes);
-- the timeline reads one opportunity's deliveries
CREATE INDEX webhook_deliveries_opportunity ON webhook_deliveries (integration_id, opportunity_id, received_at DESC);

-- Down Migration
DROP INDEX webhook_deliveries_opportunity;
DROP TABLE candidate_directory;
