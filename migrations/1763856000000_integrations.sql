-- Up Migration
CREATE TABLE integrations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  lever_api_key text NOT NULL,
  lever_webhook_signing_tokens text[] NOT NULL DEFAULT '{}',
  codesignal_api_key text NOT NULL,
  codesignal_webhook_secret text,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE integrations;
