import { pushCapped } from '../shared/capped-log';
import { newId } from './ids';

export type RequestOutcome = 'ok' | 'errors' | 'unauthorized' | 'invalid' | 'throttled' | 'fault' | 'dropped';

/** One GraphQL request as the sandbox saw it; handy for counting calls in tests. */
export interface RequestLogEntry {
  id: string;
  at: number;
  companyId: string | null;
  /** Only a prefix, so logs never hold a usable key. */
  apiKeyPrefix: string | null;
  operationName: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  rootFields: string[];
  variables: Record<string, unknown> | null;
  httpStatus: number | null;
  outcome: RequestOutcome;
  errors: string[];
  durationMs: number;
}

const MAX_ENTRIES = 10_000;

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];

  add(entry: Omit<RequestLogEntry, 'id'>): void {
    pushCapped(this.entries, { ...entry, id: newId('req') }, MAX_ENTRIES);
  }

  list(filter: { companyId?: string; operationName?: string; rootField?: string; outcome?: string } = {}): RequestLogEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.companyId === undefined || e.companyId === filter.companyId) &&
        (filter.operationName === undefined || e.operationName === filter.operationName) &&
        (filter.rootField === undefined || e.rootFields.includes(filter.rootField)) &&
        (filter.outcome === undefined || e.outcome === filter.outcome),
    );
  }

  clear(companyId?: string): void {
    if (companyId === undefined) {
      this.entries.length = 0;
      return;
    }
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.companyId === companyId) this.entries.splice(i, 1);
  }
}
