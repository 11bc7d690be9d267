-- Up Migration
-- The adaptive Lever rate of each integration (src/lever/rate-limiter.ts), one row per integration shared
-- by every worker and API process: the rate Lever currently lets through (AIMD: ×0.7 on a 429; per quiet
-- second +0.1/s back up to the rate of the last decrease, beyond it +0.5/s or ×1.25, up to the ceiling
-- LEVER_REQUESTS_PER_SECOND)
-- and the pacing state of its grants (GCRA: `tat`, the theoretical arrival time of the next request).
-- Times are milliseconds since the epoch on PostgreSQL's clock, so worker clocks never disagree.
-- UNLOGGED: after a crash the rate starts again at the ceiling and the first 429 brings it down.
-- `integration_id` has no foreign key: a key typed for an integration (its TEST) is paced under its id.
CREATE UNLOGGED TABLE lever_adaptive_rate (
  integration_id text PRIMARY KEY,
  -- requests per second granted now
  rate double precision NOT NULL CHECK (rate > 0),
  -- GCRA: when the next request is due; a grant is allowed while tat - now is within the tolerance
  tat double precision NOT NULL DEFAULT 0,
  -- Retry-After: no grant before this
  blocked_until double precision NOT NULL DEFAULT 0,
  -- the rate at the last decrease: increases are small below it, where Lever said no last time
  limited_rate double precision,
  -- the last 429 or rate change: an increase needs this much quiet first
  quiet_since double precision NOT NULL DEFAULT 0,
  -- at most one decrease per Retry-After period: the 429s of requests already in flight count once
  decrease_hold_until double precision NOT NULL DEFAULT 0
);

-- Down Migration
DROP TABLE lever_adaptive_rate;
