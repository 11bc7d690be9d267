/** Per-company fault injection for the GraphQL endpoint (never for the control API). */
export interface FaultConfig {
  /** Share of requests answered with HTTP 500 or 503 before anything runs. */
  errorRate: number;
  /** Share of requests throttled on top of the real rate limit. */
  rateLimitRate: number;
  /** Delay added to every request, in ms. */
  latencyMs: number;
  /** Share of mutations that are applied and then answered by destroying the socket. */
  dropAfterCommitRate: number;
  /** The next n requests fail with `failStatus`. */
  failNext: number;
  /** The next n requests are throttled. */
  rateLimitNext: number;
  /** The next n mutations commit, then the socket is destroyed. */
  dropNext: number;
  failStatus: 500 | 503;
  /** Seed of the PRNG behind the rates; setting it restarts the sequence. */
  seed: number;
}

export const DEFAULT_FAULTS: FaultConfig = {
  errorRate: 0,
  rateLimitRate: 0,
  latencyMs: 0,
  dropAfterCommitRate: 0,
  failNext: 0,
  rateLimitNext: 0,
  dropNext: 0,
  failStatus: 503,
  seed: 1,
};

export type PreExecutionFault = { kind: 'error'; status: 500 | 503 } | { kind: 'throttle' } | null;

/** mulberry32: tiny, fast, and the same sequence for the same seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class CompanyFaults {
  config: FaultConfig = { ...DEFAULT_FAULTS };
  private random = mulberry32(DEFAULT_FAULTS.seed);

  update(patch: Partial<FaultConfig>): void {
    this.config = { ...this.config, ...patch };
    if (patch.seed !== undefined) this.random = mulberry32(patch.seed);
  }

  /** Draws only for non-zero rates, so a seed gives the same outcomes whatever else is configured. */
  private chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  beforeExecution(): PreExecutionFault {
    const c = this.config;
    if (c.failNext > 0) {
      c.failNext -= 1;
      return { kind: 'error', status: c.failStatus };
    }
    if (this.chance(c.errorRate)) return { kind: 'error', status: this.random() < 0.5 ? 500 : 503 };
    if (c.rateLimitNext > 0) {
      c.rateLimitNext -= 1;
      return { kind: 'throttle' };
    }
    if (this.chance(c.rateLimitRate)) return { kind: 'throttle' };
    return null;
  }

  /** Asked once per executed mutation, after its changes are committed. */
  dropAfterCommit(): boolean {
    if (this.config.dropNext > 0) {
      this.config.dropNext -= 1;
      return true;
    }
    return this.chance(this.config.dropAfterCommitRate);
  }
}

export class FaultRegistry {
  private readonly byCompany = new Map<string, CompanyFaults>();

  private entry(companyId: string): CompanyFaults {
    let entry = this.byCompany.get(companyId);
    if (!entry) {
      entry = new CompanyFaults();
      this.byCompany.set(companyId, entry);
    }
    return entry;
  }

  get(companyId: string): FaultConfig {
    return { ...this.entry(companyId).config };
  }

  set(companyId: string, patch: Partial<FaultConfig>): FaultConfig {
    this.entry(companyId).update(patch);
    return this.get(companyId);
  }

  reset(companyId: string): void {
    this.byCompany.delete(companyId);
  }

  clear(): void {
    this.byCompany.clear();
  }

  latencyMs(companyId: string): number {
    return this.entry(companyId).config.latencyMs;
  }

  beforeExecution(companyId: string): PreExecutionFault {
    return this.entry(companyId).beforeExecution();
  }

  dropAfterCommit(companyId: string): boolean {
    return this.entry(companyId).dropAfterCommit();
  }
}
