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
 * (sandboxes restored from the data directory keep their Lever subscriptions and tokens; sandboxes
 * without a saved state start with none).
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
  const leverWebhookSigningTokens = (['candidateStageChange', 'candidateHired', 'candidateArchiveChange', 'interviewCreated', 'interviewUpdated', 'interviewDeleted', 'candidateDeleted'] as const).map((event) =>
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
    assessments: { triggerStageIds: [stageIds.assessment], thresholds: demoThresholds(stageIds.onSite) },
  });
  return (await updateIntegrationSettings(db, box, existing.id, settings))!;
}

/** The demo's pass mark and what passing and failing do (set on every start; the walkthrough quotes them). */
const demoThresholds = (onSiteStageId: string) => ({
  passPercent: 70,
  pass: { tag: 'CodeSignal: passed', moveToStageId: onSiteStageId },
  fail: { tag: 'CodeSignal: below threshold' },
});

/** Runs a JavaScript expression over JSON read from stdin (the walkthrough's commands need only Node, which the service needs anyway). */
const nodeOverJson = (expression: string) => `node -pe 'const it = JSON.parse(require("fs").readFileSync(0, "utf8")); ${expression}'`;

/**
 * What `npm start` prints so a newcomer can walk through an assessment and a sourcing import with curl;
 * each command, run in order in one shell, does what its line says. The candidate is the first seeded
 * one not yet past the assessment stage, so the walk works again after a restart that kept the sandboxes' state.
 */
export function demoWalkthrough(sandboxes: RunningSandboxes, integration: Integration): string {
  const { lever, codesignal } = sandboxes;
  const leverAccount = sandboxes.leverSandbox.store.account(lever.seed.accountId);
  const { stageIds } = lever.seed;
  const beforeAssessment = (id: string) => {
    const opportunity = leverAccount.opportunities.get(id);
    return opportunity !== undefined && opportunity.archived === null && leverAccount.stageIndex(opportunity.stage) < leverAccount.stageIndex(stageIds.assessment);
  };
  const withEmail = lever.seed.opportunities.filter((o) => o.email);
  const candidate = withEmail.find((o) => beforeAssessment(o.id)) ?? withEmail[0] ?? lever.seed.opportunities[0]!;
  const stageText = (id: string) => leverAccount.stages.find((st) => st.id === id)?.text ?? id;
  const test = codesignal.seed.tests.find((t) => !t.proctored) ?? codesignal.seed.tests[0]!;
  const account = `${lever.url}/_sandbox/accounts/${lever.seed.accountId}`;
  const opportunityUrl = `${account}/opportunities/${candidate.id}`;
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
  const { passPercent, pass } = demoThresholds(stageIds.onSite);
  const maxScore = sandboxes.codesignalSandbox.runtime.store.company(codesignal.seed.companyId)?.tests.get(test.id)?.maxScore ?? 1000;
  // comfortably above the pass mark, so step 4's stage move happens
  const score = Math.round((maxScore * (passPercent + 100)) / 200);
  const persisted = sandboxes.persisted;
  return [
    `Sandboxes: Lever ${lever.apiUrl}, CodeSignal ${codesignal.graphqlUrl} — demo integration ${integration.id}`,
    ...(persisted ? [`Their records are kept in ${persisted.files.join(' and ')}${persisted.restored ? ' (restored from the last run)' : ''}.`] : []),
    'Try an assessment (run the commands in order, in one shell):',
    `  1. Move ${candidate.name} to "${stageText(stageIds.assessment)}" as a recruiter in Lever; the service puts a test selection link on the opportunity:`,
    `     curl -s -XPOST ${opportunityUrl}/stage ${json} -d '{"stage":"${stageIds.assessment}"}'`,
    `  2. Take the selection link from the opportunity and choose the "${test.title}" test as the recruiter would (202: the invitation is being sent):`,
    `     LINK=$(curl -s ${opportunityUrl} | grep -o 'http[^"]*assessments/select[^"]*' | head -1)`,
    `     curl -s -o /dev/null -w '%{http_code}\\n' -XPOST "$LINK" -d testId=${test.id}`,
    `  3. Submit the test as the candidate with ${score} of ${maxScore} points (the demo's pass mark is ${passPercent}%):`,
    `     SESSION=$(curl -s ${codesignal.url}/_sandbox/companies/${codesignal.seed.companyId}/sessions | ${nodeOverJson(`it.findLast((s) => (s.externalId ?? "").includes("${candidate.id}")).id`)})`,
    `     curl -s -XPOST ${codesignal.url}/_sandbox/sessions/$SESSION/submit ${json} -d '{"score":${score}}'`,
    `  4. Seconds later the service has posted the result note and the PDF report, tagged "${pass.tag}" and moved ${candidate.name} to "${stageText(pass.moveToStageId)}" (stage ${pass.moveToStageId}):`,
    `     curl -s ${opportunityUrl} | ${nodeOverJson('({ stage: it.stage, tags: it.tags, files: it.files.map((f) => f.name), notes: it.notes.map((n) => n.fields[0].value.split("\\n")[0]) })')}`,
    ...sourcing,
  ].join('\n');
}
