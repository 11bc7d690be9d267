-- Up Migration
-- Dry run of a new configuration (README "Dry run"): an integration's draft settings, run in shadow,
-- and what the draft would have done. Decisions name the opportunity by id only (names stay sealed in
-- candidate_directory); promoting or discarding the draft deletes its decisions with it.
CREATE TABLE settings_drafts (
  integration_id uuid PRIMARY KEY REFERENCES integrations(id) ON DELETE CASCADE,
  settings jsonb NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE dry_run_decisions (
  id bigserial PRIMARY KEY,
  integration_id uuid NOT NULL REFERENCES settings_drafts(integration_id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  opportunity_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('stage_entry', 'result')),
  decision text NOT NULL,
  -- one row per (event, decision): an activity retried records nothing twice
  dedupe_key text NOT NULL,
  UNIQUE (integration_id, dedupe_key)
);
CREATE INDEX dry_run_decisions_integration_at ON dry_run_decisions (integration_id, at DESC);

-- Down Migration
DROP TABLE dry_run_decisions;
DROP TABLE settings_drafts;
