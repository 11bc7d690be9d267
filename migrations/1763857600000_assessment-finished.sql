-- Up Migration
-- When a session stopped waiting on a CodeSignal result (docs/observability.md,
-- `lcs_candidates_waiting_on_result`). Set by the assessment activities (sessions-repository.ts): the
-- terminal note of an assessment (result, not verified, expired, declined, cancelled, failed) finishes all
-- its sessions; recording a retake's or a reactivation's new session finishes the session it replaces.
-- NULL: still waiting.
ALTER TABLE assessment_sessions ADD COLUMN finished_at timestamptz NULL;

-- Sessions recorded before this column existed. PostgreSQL kept no end of an assessment, so:
-- 1. an accepted finishing CodeSignal delivery for the workflow (the rule the gauge's earlier estimate
--    used; deliveries are kept WEBHOOK_LOG_RETENTION_DAYS) finishes its sessions when it arrived;
UPDATE assessment_sessions s
SET finished_at = d.received_at
FROM (
  SELECT integration_id, workflow_id, min(received_at) AS received_at
  FROM webhook_deliveries
  WHERE source = 'codesignal' AND outcome = 'accepted' AND workflow_id IS NOT NULL
    AND event IN ('companyTestSessionFinished', 'preScreenResultVerified', 'preScreenResultNotVerified', 'preScreenExpired', 'preScreenCandidateDeclined')
  GROUP BY integration_id, workflow_id
) d
WHERE s.finished_at IS NULL AND d.integration_id = s.integration_id AND d.workflow_id = s.workflow_id;

-- 2. a session replaced by a later one recorded for the same workflow (a retake CodeSignal granted)
--    finished when the later one was recorded;
UPDATE assessment_sessions s
SET finished_at = later.created_at
FROM (
  SELECT integration_id, workflow_id, session_id,
         lead(created_at) OVER (PARTITION BY integration_id, workflow_id ORDER BY created_at, session_id) AS created_at
  FROM assessment_sessions
) later
WHERE s.finished_at IS NULL AND later.created_at IS NOT NULL
  AND later.integration_id = s.integration_id AND later.session_id = s.session_id;

-- 3. a session older than the longest expiry its integration gives an invitation (its current
--    `assessments.expiryDays`, default 14, at most 180) plus 7 days for a late result or a proctoring
--    verification has expired or ended: finished then. An invitation a recruiter extended past that is
--    the exception this rule gets wrong (it is no longer counted).
UPDATE assessment_sessions s
SET finished_at = s.created_at + make_interval(days => i.expiry_days + 7)
FROM (
  SELECT id,
         CASE WHEN jsonb_typeof(settings -> 'assessments' -> 'expiryDays') = 'number'
              THEN least(180, greatest(1, ceil((settings -> 'assessments' ->> 'expiryDays')::numeric)::int))
              ELSE 14 END AS expiry_days
  FROM integrations
) i
WHERE s.finished_at IS NULL AND i.id = s.integration_id
  AND s.created_at < now() - make_interval(days => i.expiry_days + 7);

-- The gauge counts the waiting workflows of each integration; the activities finish a workflow's or a
-- session's waiting rows. Only waiting rows are indexed: few, however long the table grows.
CREATE INDEX assessment_sessions_waiting ON assessment_sessions (integration_id, workflow_id, created_at) WHERE finished_at IS NULL;

-- Down Migration
DROP INDEX assessment_sessions_waiting;
ALTER TABLE assessment_sessions DROP COLUMN finished_at;
