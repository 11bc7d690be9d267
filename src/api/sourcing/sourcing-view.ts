import type { Integration } from '../../integrations/repository';
import { sourcingUrls } from '../../integrations/urls';

/** What the admin UI shows of an integration's sourcing contract; the token and the secret are never shown again. */
export function sourcingView(integration: Integration, publicUrl: string) {
  return {
    tokenConfigured: integration.sourcingTokenCreatedAt !== null,
    tokenCreatedAt: integration.sourcingTokenCreatedAt?.toISOString() ?? null,
    feedUrl: integration.sourcingFeedUrl,
    feedSecretConfigured: integration.sourcingFeedSecret !== null,
    endpoints: sourcingUrls(publicUrl, integration.id),
  };
}
