import { z } from 'zod';
import { forbidden } from '../errors';
import { newId, randomHex } from '../ids';
import { ORIGINS, WEBHOOK_EVENTS, type Via, type WebhookSubscription } from '../model';
import type { AccountState } from '../state';

const configuration = z.object({ conditions: z.object({ origins: z.array(z.enum(ORIGINS)).optional() }).optional() });

/** Body of `POST /webhooks` (§2.7). */
export const createWebhookBody = z.object({
  url: z.url({ protocol: /^https?$/ }),
  event: z.enum(WEBHOOK_EVENTS),
  configuration: configuration.optional(),
});
export type CreateWebhookInput = z.infer<typeof createWebhookBody>;

/** Body of `PUT /webhooks` (bulk update). */
export const updateWebhooksBody = z.object({
  data: z.array(z.object({ id: z.string(), url: z.url({ protocol: /^https?$/ }).optional(), configuration: configuration.optional() })).min(1),
});

/** Each subscription gets its own signature token; omitted conditions mean all six origins (observed live). */
export function createSubscription(account: AccountState, via: Via, input: CreateWebhookInput): WebhookSubscription {
  const now = Date.now();
  const sub: WebhookSubscription = {
    id: newId(), url: input.url, event: input.event, origins: input.configuration?.conditions?.origins ?? [...ORIGINS],
    signatureToken: randomHex(24), createdAt: now, updatedAt: now, createdVia: via,
  };
  account.webhooks.set(sub.id, sub);
  return sub;
}

export function updateSubscriptions(account: AccountState, via: Via, input: z.infer<typeof updateWebhooksBody>): WebhookSubscription[] {
  const subs = input.data.map((change) => ({ change, sub: changeable(account, via, change.id) }));
  const now = Date.now();
  return subs.map(({ change, sub }) => {
    if (change.url) sub.url = change.url;
    if (change.configuration?.conditions?.origins) sub.origins = change.configuration.conditions.origins;
    sub.updatedAt = now;
    return sub;
  });
}

export function deleteSubscription(account: AccountState, via: Via, id: string): void {
  changeable(account, via, id);
  account.webhooks.delete(id);
}

/** Only webhooks created through the API can be changed through the API, and vice versa (§2.7): the settings page changes only its own. */
function changeable(account: AccountState, via: Via, id: string): WebhookSubscription {
  const sub = account.webhook(id);
  if (sub.createdVia === via) return sub;
  throw forbidden(via === 'api'
    ? `webhook ${id} was created in the Lever UI and cannot be changed through the API`
    : `webhook ${id} was created through the API and cannot be changed in the Lever UI`);
}
