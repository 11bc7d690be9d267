import { randomUUID } from 'node:crypto';
import type { Integration } from '../../src/integrations/repository';
import { RESPONSE_MODES, type ResponseMode } from '../../sandbox/codesignal/index';
import type { InspectedOpportunity } from '../../sandbox/lever/index';
import { ensureDemoIntegration } from '../../sandbox/demo-integration';
import { startSandboxes, type RunningSandboxes } from '../../sandbox/start';
import { adminToken, startStack, testSecretBox, type TestStack } from './stack';
import { readJson } from './lever-webhook';

/** Both CodeSignal sandbox response modes, for `describe.each(CODESIGNAL_RESPONSE_MODES)`. */
export const CODESIGNAL_RESPONSE_MODES: readonly ResponseMode[] = RESPONSE_MODES;

/**
 * The mode a harness uses when its caller names none: `TEST_CODESIGNAL_RESPONSE_MODE` (so a suite that is
 * not parameterised can be run against a sparse account without editing it), else 'full'.
 */
export function defaultCodeSignalResponseMode(): ResponseMode {
  const fromEnv = process.env.TEST_CODESIGNAL_RESPONSE_MODE;
  if (fromEnv === undefined || fromEnv === '') return 'full';
  if (!(RESPONSE_MODES as readonly string[]).includes(fromEnv)) throw new Error(`TEST_CODESIGNAL_RESPONSE_MODE must be one of ${RESPONSE_MODES.join(', ')}, not ${fromEnv}`);
  return fromEnv as ResponseMode;
}

export interface AssessmentHarnessOptions {
  config?: Record<string, string>;
  worker?: boolean;
  name?: string;
  /** How the CodeSignal sandbox answers nullable fields (see sandbox/codesignal/sparse.ts). Default: `defaultCodeSignalResponseMode()`. */
  codesignalResponseMode?: ResponseMode;
}

export interface AssessmentHarness {
  sandboxes: RunningSandboxes;
  /** The CodeSignal sandbox's response mode for the demo company. */
  codesignalResponseMode: ResponseMode;
  stack: TestStack;
  integration: Integration;
  /** A recruiter moves the candidate in Lever's UI (fires the webhook). */
  moveToStage(opportunityId: string, stageId: string): void;
  opportunity(opportunityId: string): InspectedOpportunity & { tags: string[]; links: string[] };
  /** Patches one section of the integration's settings through the admin API; `integration` is the top level (defaultLeverUserId, notifyFollowers). */
  putSettings(patch: Record<string, unknown>, section?: 'assessments' | 'interviews' | 'integration'): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The whole product on real servers: both sandboxes over HTTP, the API and a worker on the run's
 * Temporal and PostgreSQL, and an integration wired exactly as `npm start` wires the demo one.
 */
export async function startAssessmentHarness(opts: AssessmentHarnessOptions = {}): Promise<AssessmentHarness> {
  const codesignalResponseMode = opts.codesignalResponseMode ?? defaultCodeSignalResponseMode();
  const sandboxes = await startSandboxes({
    leverPort: 0,
    codesignalPort: 0,
    quiet: true,
    lever: { webhookRetryDelaysMs: [200, 400, 800, 1600, 3200] },
    codesignal: { webhookRetryDelaysMs: () => 300, responseMode: codesignalResponseMode },
  });
  const stack = await startStack({
    worker: opts.worker,
    config: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl, ...opts.config },
  });
  const integration = await ensureDemoIntegration(stack.db, testSecretBox, sandboxes, stack.config.publicUrl, `${opts.name ?? 'Harness'} ${randomUUID()}`);
  const { leverSandbox } = sandboxes;
  const accountId = sandboxes.lever.seed.accountId;
  return {
    sandboxes,
    codesignalResponseMode,
    stack,
    integration,
    moveToStage: (opportunityId, stageId) => void leverSandbox.recruiter.moveToStage(accountId, opportunityId, { stage: stageId }),
    opportunity: (opportunityId) => leverSandbox.recruiter.inspect(accountId, opportunityId) as InspectedOpportunity & { tags: string[]; links: string[] },
    putSettings: async (patch, section = 'assessments') => {
      const res = await fetch(`${stack.baseUrl}/api/integrations/${integration.id}`, { headers: { authorization: `Bearer ${adminToken}` } });
      const current = (await readJson(res)).settings;
      return fetch(`${stack.baseUrl}/api/integrations/${integration.id}/settings`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(section === 'integration' ? { ...current, ...patch } : { ...current, [section]: { ...current[section], ...patch } }),
      });
    },
    close: async () => {
      await stack.stop();
      await sandboxes.close();
    },
  };
}
