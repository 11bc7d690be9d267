-- Up Migration
-- Shared request budget per Lever integration, used by rate-limiter-flexible's RateLimiterPostgres
-- (src/lever/rate-limiter.ts); columns are exactly what that library reads and writes. UNLOGGED: the
-- counters live for one second, so skipping the WAL costs nothing worth keeping after a crash.
CREATE UNLOGGED TABLE lever_rate_limit (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- Down Migration
DROP TABLE lever_rate_limit;
