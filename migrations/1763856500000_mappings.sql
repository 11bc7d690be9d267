-- Up Migration
-- Per-integration mappings between CodeSignal and Lever (docs/sync.md). The primary keys make each
-- direction a function: one Lever user per CodeSignal user, one status per Lever stage or archive
-- reason, one Lever target per status. `position` keeps the order entries were written in (each
-- API's order, e.g. Lever's pipeline order, for auto-filled ones).

-- One row per integration whose mappings were set: who set them last and what was left unmapped.
CREATE TABLE mapping_sets (
  integration_id uuid PRIMARY KEY REFERENCES integrations(id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('auto', 'admin')),
  -- names, e-mails and stage texts seen when the mapping was written, and the unmapped entries then
  review jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Who a CodeSignal user is in Lever: imports they request are created as (perform_as) that user.
CREATE TABLE user_mappings (
  integration_id uuid NOT NULL REFERENCES mapping_sets(integration_id) ON DELETE CASCADE,
  codesignal_user_id text NOT NULL,
  lever_user_id text NOT NULL,
  rule text,
  position integer NOT NULL,
  PRIMARY KEY (integration_id, codesignal_user_id)
);

-- Lever → CodeSignal: the status a candidate gets when the opportunity enters a stage.
CREATE TABLE stage_mappings (
  integration_id uuid NOT NULL REFERENCES mapping_sets(integration_id) ON DELETE CASCADE,
  lever_stage_id text NOT NULL,
  codesignal_status text NOT NULL,
  rule text,
  position integer NOT NULL,
  PRIMARY KEY (integration_id, lever_stage_id)
);

-- Lever → CodeSignal: the status a candidate gets when the opportunity is archived with a reason (hired or not).
CREATE TABLE archive_reason_mappings (
  integration_id uuid NOT NULL REFERENCES mapping_sets(integration_id) ON DELETE CASCADE,
  lever_archive_reason_id text NOT NULL,
  codesignal_status text NOT NULL,
  rule text,
  position integer NOT NULL,
  PRIMARY KEY (integration_id, lever_archive_reason_id)
);

-- CodeSignal → Lever: the stage to move to, or the reason to archive with, when the status changes.
CREATE TABLE status_mappings (
  integration_id uuid NOT NULL REFERENCES mapping_sets(integration_id) ON DELETE CASCADE,
  codesignal_status text NOT NULL,
  lever_stage_id text,
  lever_archive_reason_id text,
  rule text,
  position integer NOT NULL,
  PRIMARY KEY (integration_id, codesignal_status),
  CHECK ((lever_stage_id IS NULL) <> (lever_archive_reason_id IS NULL))
);

-- Which Lever opportunity a CodeSignal sourcing candidate was imported as; the status sync follows it.
CREATE TABLE candidate_links (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  codesignal_candidate_id text NOT NULL,
  lever_opportunity_id text NOT NULL,
  lever_contact_id text,
  candidate_email text,
  -- created: this import made the opportunity; linked: an active opportunity for the e-mail already existed
  outcome text NOT NULL CHECK (outcome IN ('created', 'linked')),
  requested_by_codesignal_user_id text,
  created_by_lever_user_id text NOT NULL,
  creator_fallback boolean NOT NULL DEFAULT false,
  -- Lever matched the e-mail to an existing contact when creating (a new opportunity on that contact)
  contact_deduped boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, codesignal_candidate_id)
);
CREATE INDEX candidate_links_by_opportunity ON candidate_links (integration_id, lever_opportunity_id);

-- Short leases serializing the imports of one person (integration + lower-cased e-mail): the Lever
-- lookup and create run under one, and no database connection is held across Lever calls.
CREATE TABLE import_claims (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  person_key text NOT NULL,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (integration_id, person_key)
);

-- Down Migration
DROP TABLE import_claims;
DROP TABLE candidate_links;
DROP TABLE status_mappings;
DROP TABLE archive_reason_mappings;
DROP TABLE stage_mappings;
DROP TABLE user_mappings;
DROP TABLE mapping_sets;
