import { pruneParkedSessionEvents } from '../../activities/assessment/sessions-repository';
import { pruneLeverDeliveryTokens } from './lever-delivery-tokens';
import { pruneAuditLog } from '../../audit/audit-log';
import type { Db } from '../../db/pool';
import { pruneWebhookDeliveries } from '../../db/webhook-deliveries';
import type { Logger } from '../../log';

const pruneIntervalMs = 60 * 60_000;

/**
 * What the API keeps only for a while, pruned now and hourly from one timer that never keeps the
 * process alive: audit entries past their retention, webhook deliveries past the Activity retention, Lever delivery tokens past their
 * accepted age (replay protection), CodeSignal events parked past theirs. Returns the stop function.
 */
export function pruneIngressRecordsHourly(db: Db, deliveryRetentionDays: number, logger: Logger, auditRetentionDays?: number): () => void {
  const jobs: Array<{ what: string; prune: () => Promise<number> }> = [
    ...(auditRetentionDays ? [{ what: 'audit entries', prune: () => pruneAuditLog(db, auditRetentionDays) }] : []),
    { what: 'webhook deliveries', prune: () => pruneWebhookDeliveries(db, deliveryRetentionDays) },
    { what: 'Lever delivery tokens', prune: () => pruneLeverDeliveryTokens(db) },
    { what: 'parked CodeSignal events', prune: () => pruneParkedSessionEvents(db) },
  ];
  const prune = () => {
    for (const { what, prune: run } of jobs) {
      run()
        .then((deleted) => {
          if (deleted > 0) logger.info({ deleted }, `old ${what} pruned`);
        })
        .catch((err: Error) => logger.warn({ err: err.message }, `pruning ${what} failed`));
    }
  };
  prune();
  const timer = setInterval(prune, pruneIntervalMs).unref();
  return () => clearInterval(timer);
}
