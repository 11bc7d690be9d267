-- Up Migration
-- Crypto-shredding (README "Erasure"): every Temporal payload of a candidate's workflows (candidate,
-- assessment, interview; a sourced candidate's import) is encrypted with that candidate's own data key.
-- The key is random, stored here wrapped (sealed) under ENCRYPTION_KEY; erasing the candidate sets
-- wrapped_key to NULL, after which the ciphertext that Temporal keeps until its retention ends cannot
-- be opened by anyone. The row stays, so the codec can answer "erased" rather than "unknown key".
-- subject_ref is SHA-256 of the subject ("<integration id>/<opportunity id>" or
-- "import/<integration id>/<CodeSignal candidate id>"): no id is readable from this table.
CREATE TABLE candidate_data_keys (
  id uuid PRIMARY KEY,
  subject_ref text NOT NULL UNIQUE,
  -- the 32-byte key, sealed with the 'candidate-data-keys' key (context candidate_data_keys/<id>)
  wrapped_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at timestamptz,
  CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);

-- Erasure receipts are written by the service itself (the erasure workflow), not by an admin.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check CHECK (actor_kind IN ('session', 'token', 'anonymous', 'service'));
-- one receipt per erasure, however often its activity is retried
CREATE UNIQUE INDEX audit_log_erasure_receipt ON audit_log (target) WHERE action = 'candidate.erased';

-- Down Migration
DROP INDEX audit_log_erasure_receipt;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check CHECK (actor_kind IN ('session', 'token', 'anonymous'));
DROP TABLE candidate_data_keys;
