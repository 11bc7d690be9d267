import { dropAfterCommit, preExecutionFault, type PreExecutionFault } from '../shared/faults';
import { createPrng } from '../shared/prng';

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

class CompanyFaults {
  config: FaultConfig = { ...DEFAULT_FAULTS };
  private random = createPrng(DEFAULT_FAULTS.seed);

  update(patch: Partial<FaultConfig>): void {
    this.config = { ...this.config, ...patch };
    if (patch.seed !== undefined) this.random = createPrng(patch.seed);
  }

  beforeExecution(): PreExecutionFault {
    return preExecutionFault(this.config, this.random, this.config.failStatus);
  }

  /** Asked once per executed mutation, after its changes are committed. */
  dropAfterCommit(): boolean {
    return dropAfterCommit(this.config, this.random);
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
