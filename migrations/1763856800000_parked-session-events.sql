-- Up Migration
-- CodeSignal test-session events whose session no assessment workflow has recorded yet, e.g. the
-- first events of a reactivated (retake) session that arrive before the reactivation's answer. The
-- workflow that records the session takes them (src/db/assessment-sessions.ts); the ingress and the
-- recording serialize on an advisory lock per session, so none falls between the two. Only what
-- routing needs is kept: no names, e-mails, externalIds or bodies. Rows are never updated; they are
-- deleted by age by the API process (kept after being taken, so a retried recording gets them again).
CREATE TABLE parked_session_events (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  session_id text NOT NULL,
  event text NOT NULL,
  -- CodeSignal's triggeredOn (ms epoch; 0 when absent); with the event it tells a redelivery from a new event
  triggered_on bigint NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, session_id, event, triggered_on)
);
-- Pruning deletes by age across integrations; rows arrive in time order, so a BRIN index stays tiny.
CREATE INDEX parked_session_events_received_brin ON parked_session_events USING brin (received_at);

-- Down Migration
DROP TABLE parked_session_events;
