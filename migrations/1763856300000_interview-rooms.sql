-- Up Migration
-- Which interview workflow a CodeSignal live interview belongs to: its webhooks carry no externalId.
CREATE TABLE interview_rooms (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  room_id text NOT NULL,
  opportunity_id text NOT NULL,
  interview_id text NOT NULL,
  workflow_id text NOT NULL,
  candidate_email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, room_id),
  UNIQUE (workflow_id)
);

-- Down Migration
DROP TABLE interview_rooms;
