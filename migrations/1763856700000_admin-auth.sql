-- Up Migration
-- Admins of the set-up web UI, and their sessions (the table layout connect-pg-simple expects).

CREATE TABLE admin_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- stored lower-cased; log-in compares lower-cased
  email text NOT NULL UNIQUE,
  -- scrypt, self-describing: scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);

CREATE TABLE admin_sessions (
  sid varchar PRIMARY KEY,
  sess json NOT NULL,
  expire timestamp(6) NOT NULL
);
CREATE INDEX admin_sessions_expire ON admin_sessions (expire);

-- Down Migration
DROP TABLE admin_sessions;
DROP TABLE admin_users;
