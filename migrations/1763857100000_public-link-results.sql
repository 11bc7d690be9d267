-- Up Migration
-- Public-link results (docs/public-links.md): candidates who take a CodeSignal test through a shareable
-- public link are found by a scan of the watched tests' sessions and their results reach Lever.

-- One row per integration; no row means "never configured" and reads as the defaults (disabled).
CREATE TABLE public_link_settings (
  integration_id uuid PRIMARY KEY REFERENCES integrations(id) ON DELETE CASCADE,
  enabled boolean NOT NULL DEFAULT false,
  -- CodeSignal company test ids whose sessions are scanned
  test_ids text[] NOT NULL DEFAULT '{}',
  interval_minutes integer NOT NULL DEFAULT 15 CHECK (interval_minutes >= 5),
  -- only sessions finished within this many days are considered
  look_back_days integer NOT NULL DEFAULT 7 CHECK (look_back_days >= 1),
  on_match text NOT NULL DEFAULT 'post' CHECK (on_match IN ('post', 'confirm')),
  on_no_match text NOT NULL DEFAULT 'confirm' CHECK (on_no_match IN ('import', 'confirm', 'ignore')),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every public-link session the scan took up, once: the primary key is the at-most-once guarantee
-- (a session with a row is never taken up again, except a `processing` one whose workflow is resumed).
-- The candidate's name and e-mail are kept so an admin can decide a pending one (as candidate_links
-- keeps the e-mail of an import).
CREATE TABLE public_link_sessions (
  integration_id uuid NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  session_id text NOT NULL,
  test_id text NOT NULL,
  test_title text,
  finished_at timestamptz,
  candidate_name text,
  candidate_email text,
  score integer,
  max_score integer,
  -- processing: its workflow is posting or importing; pending: waits for an admin; failed: the workflow
  -- stopped on an error (an admin may decide again); the rest are final
  state text NOT NULL CHECK (state IN ('processing', 'pending', 'posted', 'imported', 'dismissed', 'ignored', 'failed')),
  action text CHECK (action IN ('post', 'import')),
  -- where the result goes (post: the matched or chosen opportunity; import: the New Lead, once created)
  opportunity_id text,
  -- the active Lever opportunities with the test taker's e-mail when the session was found, and why it matched as it did
  match_opportunity_ids text[] NOT NULL DEFAULT '{}',
  match_reason text NOT NULL CHECK (match_reason IN ('single', 'none', 'ambiguous', 'no-email')),
  decided_by text CHECK (decided_by IN ('auto', 'admin')),
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, session_id)
);
-- the admin list: by state, newest finish first
CREATE INDEX public_link_sessions_state ON public_link_sessions (integration_id, state, finished_at DESC);

-- Down Migration
DROP TABLE public_link_sessions;
DROP TABLE public_link_settings;
