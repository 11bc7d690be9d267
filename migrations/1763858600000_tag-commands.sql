-- Up Migration
-- Tag commands (README "Assessments"): a recruiter adds `CodeSignal: resend` (extend <n>d, retake,
-- cancel, retry) to an opportunity in Lever; the integration's tag-commands Schedule finds it, acts,
-- posts a note with the outcome and removes the tag. One row per command, so that it acts once however
-- often its activity is retried, the worker crashes or a Lever answer is lost.
--
-- What identifies a command: Lever documents no time at which a tag was added, and the opportunity's
-- `updatedAt` moves with every write (the service's own note and tag removal included), so neither can
-- key it. A command is one *occurrence* of the tag on the opportunity: from when the service first sees
-- it (confirmed by reading the opportunity) until the service has seen it gone after removing it
-- (`closed_at`). At most one open row per (integration, opportunity, tag): while it is open, the tag
-- is that same command (a lost answer, a crash, a retried activity resume it at the step it reached);
-- once closed, the same tag added again is a new command and gets a new row. `lever_updated_at` is the
-- opportunity's `updatedAt` when the command was first seen (the tag was added at or before it), kept
-- for the audit log. Identifiers and tag texts only: no candidate name or e-mail.
CREATE TABLE tag_commands (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  opportunity_id text NOT NULL,
  -- the Lever tag exactly as found (tags are case-sensitive)
  tag text NOT NULL,
  -- resend | extend | retake | cancel | retry | unknown (a look-alike that does not parse)
  command text NOT NULL,
  -- extend: how many days
  days integer NULL,
  lever_updated_at timestamptz NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  -- the assessment the action was sent to, and when: a repeat after a crash goes to the same one, as the
  -- same Temporal Update (its id is derived from this row), which Temporal runs once
  assessment_id text NULL,
  action_started_at timestamptz NULL,
  -- done | refused | not_understood | gone; null until the action's outcome is known
  outcome text NULL CHECK (outcome IN ('done', 'refused', 'not_understood', 'gone')),
  -- what the note says happened (why it was refused, what is understood)
  message text NULL,
  acted_at timestamptz NULL,
  note_posted_at timestamptz NULL,
  closed_at timestamptz NULL
);
CREATE UNIQUE INDEX tag_commands_open ON tag_commands (integration_id, opportunity_id, tag) WHERE closed_at IS NULL;
CREATE INDEX tag_commands_integration_open ON tag_commands (integration_id) WHERE closed_at IS NULL;
-- one audit entry per command, however often the activity that records it is retried
CREATE UNIQUE INDEX audit_log_tag_command ON audit_log (target) WHERE action LIKE 'tag command %';

-- Down Migration
DROP INDEX audit_log_tag_command;
DROP TABLE tag_commands;
