-- Up Migration
-- Shared CodeSignal request budget per integration and GraphQL root field, used by rate-limiter-flexible's
-- RateLimiterPostgres (src/codesignal/rate-limiter.ts); columns are exactly what that library reads and
-- writes, as in lever_rate_limit. Its own table: the keys of another API's budget, named for what they
-- count. UNLOGGED: the counters live for a fraction of a second.
CREATE UNLOGGED TABLE codesignal_rate_limit (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- Down Migration
DROP TABLE codesignal_rate_limit;
