import { randomBytes } from 'node:crypto';
import { webhookUrls } from '../src/integrations/urls';
import type { SecretBox } from '../src/crypto/secret-box';
import {
  createIntegration,
  findIntegrationByName,
  rotateSourcingToken,
  setSourcingFeed,
  updateIntegrationSettings,
  updateWebhookSecrets,
  type Integration,
} from '../src/integrations/repository';
import { saveMapping } from '../src/integrations/mappings/repository';
import type { Db } from '../src/db/pool';
import { createCodeSignalClient } from '../src/codesignal/client';
import { createLeverClient } from '../src/lever/client';
import { autoFillMapping, mappingReview } from '../src/integrations/mappings/auto-fill';
import { loadMappingCatalog } from '../src/integrations/mappings/catalog';
import { integrationSettingsSchema } from '../src/integrations/settings';
import type { RunningSandboxes } from './start';

export const demoIntegrationName = 'Sandbox demo';

/** Where CodeSignal's sourcing side calls the service for one integration (the sourcing contract's base URL). */
export function sourcingBaseUrl(publicUrl: string, integrationId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/sourcing/${integrationId}`;
}

/**
 * A ready integration wired to the sandboxes: created on the first start, re-wired on every start
 * because the in-memory sandboxes forget their webhook subscriptions.
 */
export async function ensureDemoIntegration(db: Db, box: SecretBox, sandboxes: RunningSandboxes, publicUrl: string, name = demoIntegrationName): Promise<Integration> {
  const { lever, codesignal } = sandboxes;
  const existing =
    (await findIntegrationByName(db, box, name)) ??
    (await createIntegration(db, box, {
      name,
      lever: { apiKey: lever.seed.apiKey, webhookSigningTokens: ['pending-registration'] },
      codesignal: { apiKey: codesignal.seed.apiKey },
      settings: {},
    }));
  const urls = webhookUrls(publicUrl, existing.id);
  const leverWebhookSigningTokens = (['candidateStageChange', 'candidateHired', 'candidateArchiveChange', 'interviewCreated', 'interviewUpdated', 'interviewDeleted'] as const).map((event) =>
    lever.createWebhook(urls.lever, event),
  );
  // Stored before CodeSignal's verification ping, so the ingress never sees the endpoint without its secret.
  const codesignalWebhookSecret = randomBytes(24).toString('hex');
  await updateWebhookSecrets(db, box, existing.id, { leverWebhookSigningTokens, codesignalWebhookSecret });
  await codesignal.setWebhook(urls.codesignal, codesignalWebhookSecret);

  // The sourcing contract (docs/sync.md): the sandbox plays CodeSignal's sourcing side, calling the
  // service with the integration's token and receiving its signed status feed. Only the token's hash
  // is stored, so it is made anew on every start; the feed secret is kept while the URL stays.
  const sourcingToken = await rotateSourcingToken(db, existing.id);
  const feed = await setSourcingFeed(db, box, existing.id, { url: codesignal.sourcingFeedUrl });
  const feedSecret = feed?.newSecret ?? feed?.integration.sourcingFeedSecret;
  if (!sourcingToken || !feedSecret) throw new Error(`could not set up sourcing for integration ${existing.id}`);
  codesignal.connectSourcing({ serviceBaseUrl: sourcingBaseUrl(publicUrl, existing.id), token: sourcingToken, feedSecret });

  // Users by e-mail and stages by meaning, as an admin's "auto" would; they review it through the admin API.
  const catalog = await loadMappingCatalog(
    createLeverClient({ baseUrl: lever.apiUrl, apiKey: lever.seed.apiKey }),
    createCodeSignalClient({ url: codesignal.graphqlUrl, apiKey: codesignal.seed.apiKey }),
  );
  const mapping = autoFillMapping(catalog);
  await saveMapping(db, existing.id, mapping, 'auto', mappingReview(mapping, catalog));

  const { stageIds, defaultUserId } = lever.seed;
  const settings = integrationSettingsSchema.parse({
    defaultLeverUserId: defaultUserId,
    notifyFollowers: true,
    assessments: {
      triggerStageIds: [stageIds.assessment],
      thresholds: { passPercent: 70, pass: { tag: 'CodeSignal: passed', moveToStageId: stageIds.onSite }, fail: { tag: 'CodeSignal: below threshold' } },
    },
  });
  return (await updateIntegrationSettings(db, box, existing.id, settings))!;
}

/** What `npm start` prints so a newcomer can walk through an assessment and a sourcing import with curl. */
export function demoWalkthrough(sandboxes: RunningSandboxes, integration: Integration): string {
  const { lever, codesignal } = sandboxes;
  const candidate = lever.seed.opportunities.find((o) => o.email) ?? lever.seed.opportunities[0]!;
  const account = `${lever.url}/_sandbox/accounts/${lever.seed.accountId}`;
  const sourced = codesignal.seed.sourcingCandidates.find((c) => c.replied) ?? codesignal.seed.sourcingCandidates[0];
  const recruiter = codesignal.seed.users[0];
  const json = `-H 'content-type: application/json'`;
  const sourcing =
    sourced && recruiter
      ? [
          'Try a sourcing import (the sandbox plays CodeSignal\'s sourcing side of the sourcing contract):',
          `  1. Click the Lever icon on ${sourced.firstName} ${sourced.lastName} as ${recruiter.name} (or in the browser: ${codesignal.url}/_sandbox/ui/companies/${codesignal.seed.companyId}/sourcing):`,
          `     curl -s -XPOST ${codesignal.url}/_sandbox/sourcing-candidates/${sourced.id}/import ${json} -d '{"userId":"${recruiter.id}"}'`,
          `  2. Change the status in CodeSignal; it is reported to the service, which moves the Lever opportunity:`,
          `     curl -s -XPOST ${codesignal.url}/_sandbox/sourcing-candidates/${sourced.id}/status ${json} -d '{"status":"interviewing","userId":"${recruiter.id}"}'`,
          `  3. Move the opportunity in Lever; the service's status feed updates CodeSignal: curl -s ${codesignal.url}/_sandbox/companies/${codesignal.seed.companyId}/sourcing-feed`,
        ]
      : [];
  return [
    `Sandboxes: Lever ${lever.apiUrl}, CodeSignal ${codesignal.graphqlUrl} — demo integration ${integration.id}`,
    'Try an assessment:',
    `  1. Move ${candidate.name} to "CodeSignal Assessment" as a recruiter in Lever:`,
    `     curl -s -XPOST ${account}/opportunities/${candidate.id}/stage -H 'content-type: application/json' -d '{"stage":"${lever.seed.stageIds.assessment}"}'`,
    `  2. Open the selection link now on the opportunity and choose a test:`,
    `     curl -s ${account}/opportunities/${candidate.id} | grep -o 'http[^"]*assessments/select[^"]*'`,
    `  3. Submit as the candidate (session id from ${codesignal.url}/_sandbox/companies/${codesignal.seed.companyId}/sessions):`,
    `     curl -s -XPOST ${codesignal.url}/_sandbox/sessions/<sessionId>/submit -H 'content-type: application/json' -d '{"score":250}'`,
    `  4. See the notes, tags, PDF and stage move: curl -s ${account}/opportunities/${candidate.id}`,
    ...sourcing,
  ].join('\n');
}
