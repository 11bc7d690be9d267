-- Up Migration
-- A team of admins (README "Team and single sign-on"): each admin has a role — owner (everything, the team
-- included), admin (configures the integrations given to them) or viewer (reads the integrations given to
-- them) — and can be disabled. Admins who were there before roles existed had every right: they become
-- owners. An invited admin who signs in only through SSO has no password.
ALTER TABLE admin_users
  ADD COLUMN role text NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'admin', 'viewer')),
  ADD COLUMN disabled_at timestamptz,
  ALTER COLUMN password_hash DROP NOT NULL;

-- The integrations an admin or viewer is given (an owner has them all).
CREATE TABLE admin_user_integrations (
  admin_user_id uuid NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
  integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  PRIMARY KEY (admin_user_id, integration_id)
);
CREATE INDEX admin_user_integrations_integration ON admin_user_integrations (integration_id);

-- One-time invitations: only a SHA-256 of the link's random token is kept.
CREATE TABLE admin_invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- stored lower-cased
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
  integration_ids uuid[] NOT NULL DEFAULT '{}',
  token_hash bytea NOT NULL UNIQUE,
  invited_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX admin_invitations_email ON admin_invitations (email);

-- Down Migration
DROP TABLE admin_invitations;
DROP TABLE admin_user_integrations;
DELETE FROM admin_users WHERE password_hash IS NULL;
ALTER TABLE admin_users
  ALTER COLUMN password_hash SET NOT NULL,
  DROP COLUMN disabled_at,
  DROP COLUMN role;
