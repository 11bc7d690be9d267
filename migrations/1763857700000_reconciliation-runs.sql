-- Up Migration
-- The reconciliation sweeps (README "Reconciliation"): one row per run of an integration's sweep
-- workflow (its Temporal Schedule `reconciliation/<integrationId>`, or a run started directly), with
-- what it found and repaired, for Activity. Identifiers and counts only: no candidate name or e-mail.
-- `lever_until` is also where the Lever sweep remembers how far it got: the next sweep lists the
-- opportunities Lever shows updated since the last completed sweep's `lever_until` (minus a margin).
-- It lives here rather than in the Schedule's workflow input because a Schedule starts every run with
-- the same arguments; a row written when a sweep completes survives a paused or re-created Schedule.
CREATE TABLE reconciliation_runs (
  id bigserial PRIMARY KEY,
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz NULL,
  outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'completed', 'partial', 'failed', 'disabled')),
  -- the Lever sweep's window: opportunities updated at or after lever_since were listed; null until it ran
  lever_since timestamptz NULL,
  -- set only when the Lever sweep completed without an error: the next sweep's starting point
  lever_until timestamptz NULL,
  repairs integer NOT NULL DEFAULT 0,
  -- finished sessions or interviews whose CodeSignal webhook never arrived were found
  codesignal_webhook_silent boolean NOT NULL DEFAULT false,
  -- counts and repaired identifiers per sweep (ReconciliationFindings)
  findings jsonb NOT NULL DEFAULT '{}',
  errors text[] NOT NULL DEFAULT '{}',
  UNIQUE (workflow_id, run_id)
);
-- Activity lists an integration's runs newest first; the next sweep reads the last completed window.
CREATE INDEX reconciliation_runs_integration_started ON reconciliation_runs (integration_id, started_at DESC);
CREATE INDEX reconciliation_runs_integration_until ON reconciliation_runs (integration_id, lever_until DESC) WHERE lever_until IS NOT NULL;

-- Down Migration
DROP TABLE reconciliation_runs;
