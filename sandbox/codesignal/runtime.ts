import type pino from 'pino';
import { newId } from './ids';
import type { ResolvedOptions } from './options';
import type { CompanyData, EmailRecord, SandboxStore } from './state';
import type { WebhookEventName } from './events';

/** What domain code needs from the running sandbox; one instance per `createCodeSignalSandbox`. */
export interface Runtime {
  readonly options: ResolvedOptions;
  readonly store: SandboxStore;
  readonly logger: pino.Logger;
  now(): number;
  /** Origin used in links the sandbox hands out (invitation, result report, interview room). */
  baseUrl(): string;
  /** Where links point once the server knows its address; the first request's host until then. */
  learnBaseUrl(url: string, force?: boolean): void;
  emit(data: CompanyData, event: WebhookEventName, payload: Record<string, unknown>): void;
  sendEmail(data: CompanyData, email: Omit<EmailRecord, 'id' | 'at'>): EmailRecord;
}

export type EmitFn = (companyId: string, event: WebhookEventName, payload: Record<string, unknown>) => void;

export function createRuntime(options: ResolvedOptions, store: SandboxStore, emit: EmitFn): Runtime {
  let base = options.publicUrl;
  const pinned = options.publicUrl !== undefined;
  return {
    options,
    store,
    logger: options.logger,
    now: () => options.now(),
    baseUrl: () => base ?? 'http://127.0.0.1:4020',
    learnBaseUrl(url, force = false) {
      if (pinned) return;
      if (force || base === undefined) base = url.replace(/\/+$/, '');
    },
    emit: (data, event, payload) => emit(data.id, event, payload),
    sendEmail(data, email) {
      const record: EmailRecord = { ...email, id: newId('eml'), at: options.now() };
      data.outbox.push(record);
      return record;
    },
  };
}
