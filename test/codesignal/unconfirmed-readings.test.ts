import { createCodeSignalClient, type CodeSignalClient } from '../../src/codesignal/client';
import { createPool, type Db } from '../../src/db/pool';
import type { IntegrationContext, IntegrationContexts } from '../../src/integrations/context';
import { loadMappingCatalog } from '../../src/integrations/mappings/catalog';
import { createLeverClient } from '../../src/lever/client';
import { sessionSnapshot } from '../../src/activities/assessment/assessment-activities';
import { createPublicLinkActivities } from '../../src/activities/public-links/public-links-activities';
import { REACTIVATION_ANSWERS, RESPONSE_MODES, type CodeSignalSandboxOptions } from '../../sandbox/codesignal/index';
import { startSandboxHarness, type SandboxHarness } from '../../sandbox/codesignal/testing';
import { createLeverSandbox, seedLeverDemo } from '../../sandbox/lever/index';
import { insertIntegration, testLogger } from '../support/stack';

/**
 * Each unconfirmed reading of codesignal-api.md the CodeSignal sandbox models as a switch
 * (docs/unconfirmed-readings.md), met by the service's real CodeSignal client — and the service code
 * that reads its answers — in both settings.
 */

let n = 0;
const email = () => `unconfirmed-${Date.now()}-${n++}@example.org`;

/** Runs `body` against a fresh seeded CodeSignal sandbox started with `options`, then closes it. */
async function withSandbox(options: CodeSignalSandboxOptions, body: (h: SandboxHarness, cs: CodeSignalClient) => Promise<void>): Promise<void> {
  const h = await startSandboxHarness({ rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000, ...options });
  try {
    await body(h, createCodeSignalClient({ url: h.graphqlUrl, apiKey: h.seed.apiKey }));
  } finally {
    await h.close();
  }
}

const backendTest = (h: SandboxHarness) => h.seed.tests.find((t) => t.title === 'Backend Engineer screen')!;

describe('CodeSignal client against both readings of each unconfirmed fact', () => {
  describe.each(RESPONSE_MODES)('reactivation (response mode %s)', (responseMode) => {
    it.each(REACTIVATION_ANSWERS)('follows the new session id whichever session the mutation answers (reactivationAnswers: %s)', (answers) =>
      withSandbox({ responseMode, reactivationAnswers: answers }, async (h, cs) => {
        const { id } = await cs.createTestSession({ testId: backendTest(h).id, candidateEmail: email(), externalId: 'x' });
        h.sandbox.control.submitSession(id, { score: 100 });
        const newId = await cs.reactivateTestSession(id, false);
        const expected = h.sandbox.control.session(id).reactivatedSession?.newSessionId;
        expect(expected).toEqual(expect.any(String));
        expect(newId).toBe(expected);
        expect(newId).not.toBe(id);
        expect((await cs.getTestSession(newId)).status).toBe('pending');
      }));
  });

  it.each(RESPONSE_MODES)("keeps a session whose `test` CodeSignal leaves null (response mode %s)", (responseMode) =>
    withSandbox({ responseMode }, async (h, cs) => {
      const test = backendTest(h);
      const { id } = await cs.createTestSession({ testId: test.id, candidateEmail: email(), externalId: 'x' });
      h.sandbox.control.submitSession(id, { score: 700 });
      const session = await cs.getTestSession(id);
      expect(session.test ?? null).toEqual(responseMode === 'sparse' ? null : expect.objectContaining({ id: test.id }));
      // what the assessment workflow keeps of it: the result, and the test when named
      expect(sessionSnapshot(session, 1)).toMatchObject({
        id, status: 'over', score: 700, maxScore: 1000,
        testId: responseMode === 'sparse' ? null : test.id, testTitle: responseMode === 'sparse' ? null : test.title,
      });
    }));

  it.each(['active', 'pending'] as const)('maps only team members with a user account; a contact whose user is null is left out (contact %s)', (contactStatus) =>
    withSandbox({}, async (h, cs) => {
      const address = email();
      h.sandbox.control.createUser(h.seed.companyId, { name: 'Nova Newcomer', email: address, contactStatus });
      const contact = (await cs.listCompanyUsers()).find((c) => c.email === address)!;
      expect(contact.user ?? null).toEqual(contactStatus === 'active' ? { id: expect.any(String) } : null);

      const lever = createLeverSandbox({ logger: false });
      const seed = seedLeverDemo(lever, { permissions: 'all' });
      const running = await lever.listen(0);
      try {
        const catalog = await loadMappingCatalog(createLeverClient({ baseUrl: running.apiUrl, apiKey: seed.apiKey }), cs);
        expect(catalog.codesignalUsers.filter((u) => u.email === address)).toEqual(contactStatus === 'active' ? [{ id: contact.user!.id, name: 'Nova Newcomer', email: address }] : []);
        // the seeded, active team is there either way
        expect(catalog.codesignalUsers.map((u) => u.email)).toEqual(expect.arrayContaining(['ivan.interviewer@example.com']));
      } finally {
        await lever.close();
      }
    }));

  describe('public-link scan over companyTestSessions pages', () => {
    let db: Db;
    beforeAll(() => {
      db = createPool(process.env.TEST_DATABASE_URL!, testLogger, 2);
    });
    afterAll(() => db.end());

    it.each([20, 3])('finds every finished public-link session whatever page size CodeSignal allows (maxTestSessionsPageSize: %s)', (pageSize) =>
      withSandbox({ maxTestSessionsPageSize: pageSize }, async (h, cs) => {
        const integration = await insertIntegration(db);
        const test = h.sandbox.control.createTest(h.seed.companyId, { title: `Public ${pageSize}`, maxScore: 100 });
        const expected = Array.from({ length: 7 }, (_, i) =>
          h.sandbox.control.createPublicLinkSession(h.seed.companyId, { testId: test.id, email: email(), firstName: 'Pat', lastName: `Public${i}`, score: 50 }).id);
        const contexts: IntegrationContexts = { get: async () => ({ db, codesignal: cs }) as unknown as IntegrationContext };
        const activities = createPublicLinkActivities({ contexts });

        const found: string[] = [];
        const pages: number[] = [];
        for (let offset: number | null = 0; offset !== null; ) {
          const page = await activities.listPublicLinkSessionsPage({ integrationId: integration.id, testId: test.id, offset, notBefore: 0 });
          pages.push(page.listed);
          found.push(...page.sessionIds);
          offset = page.nextOffset;
        }
        expect(found.sort()).toEqual([...expected].sort());
        // the sandbox really clamped the pages
        expect(Math.max(...pages)).toBe(Math.min(pageSize, 7));
      }));
  });
});
