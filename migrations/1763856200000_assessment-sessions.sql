-- Up Migration
-- Which assessment workflow a CodeSignal test session belongs to, for webhooks that arrive
-- without our externalId (e.g. after a reactivation, which CodeSignal may not carry it over).
CREATE TABLE assessment_sessions (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  session_id text NOT NULL,
  opportunity_id text NOT NULL,
  assessment_id text NOT NULL,
  workflow_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, session_id)
);

-- Down Migration
DROP TABLE assessment_sessions;
