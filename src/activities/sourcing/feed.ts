import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { recordWebhookDelivery } from '../../db/webhook-deliveries';
import type { Db } from '../../db/pool';
import { FEED_DELIVERY_HEADER, FEED_EVENT, FEED_SIGNATURE_HEADER, type FeedEvent, type SourcingStatus } from '../../api/sourcing/contract';
import { signFeedBody } from './feed-signature';

/** How long one delivery may take; the activity's retries (Temporal) wait a receiver out. */
const FEED_TIMEOUT_MS = 10_000;

/**
 * The delivery id: the same change of the same candidate is the same delivery, however often it is
 * retried or re-decided after a crash, so a receiver dedupes on it.
 */
export function feedDeliveryId(parts: { integrationId: string; opportunityId: string; candidateId: string; status: SourcingStatus; changedAt: number }): string {
  const key = [parts.integrationId, parts.opportunityId, parts.candidateId, parts.status, parts.changedAt].join('\n');
  return `fd_${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** Answers a receiver can give that are worth retrying; any other 4xx is its refusal and is final. */
const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Sends one status feed event (docs/sync.md, "Status feed"), signed over the exact body, and records
 * the attempt for the Activity page (identifiers only). Throws a retryable failure for an outage, a
 * 5xx, 408 or 429 (the activity's retry policy spaces the attempts), a non-retryable one for any other
 * refusal.
 */
export async function deliverFeedEvent(
  db: Db,
  feed: { url: string; secret: string },
  delivery: { integrationId: string; opportunityId: string; candidateId: string; status: SourcingStatus; changedAt: number; workflowId: string },
  now: () => number = Date.now,
): Promise<{ id: string; httpStatus: number }> {
  const id = feedDeliveryId({ ...delivery });
  const sentAt = now();
  const event: FeedEvent = {
    id,
    event: FEED_EVENT,
    integrationId: delivery.integrationId,
    codesignalCandidateId: delivery.candidateId,
    leverOpportunityId: delivery.opportunityId,
    status: delivery.status,
    changedAt: new Date(delivery.changedAt).toISOString(),
    sentAt: new Date(sentAt).toISOString(),
  };
  const body = JSON.stringify(event);
  const record = (outcome: 'accepted' | 'failed' | 'rejected', httpStatus: number, reason: string | null) =>
    recordWebhookDelivery(db, {
      integrationId: delivery.integrationId,
      source: 'feed',
      event: FEED_EVENT,
      receivedAt: new Date(sentAt),
      outcome,
      httpStatus,
      reason,
      opportunityId: delivery.opportunityId,
      workflowId: delivery.workflowId,
      eventKey: id,
    }).catch(() => undefined); // the Activity row is a courtesy; the delivery's fate does not depend on it

  let response: Response;
  try {
    response = await fetch(feed.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [FEED_SIGNATURE_HEADER]: signFeedBody(feed.secret, body, sentAt),
        [FEED_DELIVERY_HEADER]: id,
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(FEED_TIMEOUT_MS),
    });
    // the answer's body is not needed; reading it frees the connection
    await response.arrayBuffer().catch(() => undefined);
  } catch (err) {
    const reason = `no answer from the status feed receiver: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`;
    await record('failed', 0, reason);
    throw ApplicationFailure.retryable(reason, 'FeedUnavailable');
  }
  if (response.ok) {
    await record('accepted', response.status, null);
    return { id, httpStatus: response.status };
  }
  const reason = `the status feed receiver answered HTTP ${response.status}`;
  if (retryableStatus(response.status)) {
    await record('failed', response.status, reason);
    throw ApplicationFailure.retryable(reason, 'FeedUnavailable');
  }
  await record('rejected', response.status, reason);
  throw ApplicationFailure.nonRetryable(reason, 'FeedRejected');
}
