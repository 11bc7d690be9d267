import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { captureErrorLogs, type ErrorLogs } from '../hardening-support';
import { assessmentSelectionUrl } from '../../../src/activities/assessment/selection-link';
import { renderMessagePage } from '../../../src/api/assessment/selection-page';
import { assessmentStateQuery, testChosenSignal } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { assessmentHandle, codesignalRequests, createCandidate, sessionsFor, type Candidate, selectionLink as selectionLinkOf } from '../../support/assessment-faults';
import { adminToken, eventually, testLogger } from '../../support/stack';

/**
 * The selection link's answers other than a choice taken (selection-page / selection-second-choice cover those):
 * a POST without a test or with a test not in the CodeSignal account (400), a link whose signature is missing,
 * forged or another assessment's (403), an integration / candidate / assessment that does not exist (404), and
 * an assessment that was cancelled (409 "Not available"). Every one of them is an HTML page, and none of them
 * signals the workflow, creates a CodeSignal session or changes the assessment's state.
 */
describe('selection link: refusals', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let logs: ErrorLogs;
  let waiting: { c: Candidate; link: string };
  const seed = () => h.sandboxes.lever.seed;
  const tests = () => h.sandboxes.codesignal.seed.tests;

  beforeAll(async () => {
    logs = captureErrorLogs(testLogger);
    h = await startAssessmentHarness({ name: 'Selection refusals' });
    const c = createCandidate(h, 'refusals');
    waiting = { c, link: await selectionLink(c) };
  });
  afterAll(async () => {
    await h?.close();
    logs?.restore();
  });
  afterEach(() => expect(logs.errors()).toEqual([]));

  const assessmentState = (c: Candidate) => assessmentHandle(h, c.id).query(assessmentStateQuery);
  const selectionLink = (c: Candidate) => selectionLinkOf(h, c);
  /** The link the service would sign for these ids (it never put one for them on Lever). */
  const signedLink = (ref: { integrationId?: string; opportunityId?: string; assessmentId?: string }) =>
    assessmentSelectionUrl(h.stack.baseUrl, h.stack.config.LINK_SIGNING_SECRET!, {
      integrationId: h.integration.id,
      opportunityId: waiting.c.id,
      assessmentId: '1',
      ...ref,
    });
  const answer = async (res: Response) => ({ status: res.status, type: res.headers.get('content-type') ?? '', html: await res.text() });
  const get = async (link: string) => answer(await fetch(link));
  const post = async (link: string, form: Record<string, string>) => answer(await fetch(link, { method: 'POST', body: new URLSearchParams(form) }));
  /** The message page the route answers: its status, and exactly the page with that title and message. */
  const messagePage = (status: number, title: string, message: string) => ({
    status,
    type: expect.stringContaining('text/html'),
    html: renderMessagePage(title, message),
  });
  const notFound = messagePage(404, 'Not found', 'This assessment does not exist.');
  const linkNotValid = messagePage(403, 'Link not valid', 'This assessment link is not valid. Use the link on the candidate’s Lever profile.');

  const testChosenSignals = async (c: Candidate) =>
    ((await assessmentHandle(h, c.id).fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === testChosenSignal.name).length;
  /** What CodeSignal was asked to change since `since` (every mutation of the demo company). */
  const codesignalMutationsSince = (since: number) =>
    codesignalRequests(h)
      .filter((r) => r.at >= since && r.operationType === 'mutation')
      .map((r) => r.operationName);
  /** Runs `act` and checks it left the waiting assessment as it was: no signal, no CodeSignal write, no session, same state. */
  async function leavesWaitingAsItWas(act: () => Promise<void>): Promise<void> {
    const { c } = waiting;
    const [state, signals] = [await assessmentState(c), await testChosenSignals(c)];
    expect(state).toMatchObject({ status: 'awaiting_selection', testId: null, sessionId: null });
    const since = Date.now();
    await act();
    expect(await testChosenSignals(c)).toBe(signals);
    expect(await assessmentState(c)).toEqual(state);
    expect(codesignalMutationsSince(since)).toEqual([]);
    expect(sessionsFor(h, c.email)).toEqual([]);
  }
  const expectNoWorkflow = (workflowId: string) => expect(h.stack.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

  it('a POST without a test, or with an empty one, is 400 "No test chosen"', async () => {
    await leavesWaitingAsItWas(async () => {
      const forms: Array<Record<string, string>> = [{}, { testId: '' }, { other: tests()[0]!.id }, { testId: 'x'.repeat(201) }];
      for (const form of forms) {
        expect([form, await post(waiting.link, form)]).toEqual([form, messagePage(400, 'No test chosen', 'Choose one of the tests and send again.')]);
      }
    });
  });

  it('a POST with a test that is not in the CodeSignal account is 400 "Unknown test"', async () => {
    await leavesWaitingAsItWas(async () => {
      const unknown = await post(waiting.link, { testId: 'tst_not_in_this_account' });
      expect(unknown).toEqual(messagePage(400, 'Unknown test', 'That test is not in this CodeSignal account.'));
    });
    // the page still offers the account's tests
    const page = await get(waiting.link);
    expect(page.status).toBe(200);
    for (const test of tests()) expect(page.html).toContain(`value="${test.id}"`);
  });

  it('a link with a missing, forged or other assessment’s signature is 403 on the page and on the POST', async () => {
    const { c, link } = waiting;
    const sig = new URL(link).searchParams.get('sig')!;
    const unsigned = link.replace(/\?sig=[^&]+/, '');
    const otherAssessment = `${signedLink({ assessmentId: '2' }).replace(/\?sig=.*/, '')}?sig=${sig}`;
    const otherCandidate = `${signedLink({ opportunityId: randomUUID() }).replace(/\?sig=.*/, '')}?sig=${sig}`;
    const bad = [
      unsigned,
      link.replace(/sig=[^&]+/, 'sig=forged'),
      link.replace(/sig=[^&]+/, `sig=${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`),
      `${link}&sig=${sig}`, // given twice: not one signature
      otherAssessment,
      otherCandidate,
    ];
    await leavesWaitingAsItWas(async () => {
      for (const url of bad) {
        expect([url, await get(url)]).toEqual([url, linkNotValid]);
        expect([url, await post(url, { testId: tests()[0]!.id })]).toEqual([url, linkNotValid]);
      }
    });
    await expectNoWorkflow(assessmentWorkflowId(h.integration.id, c.id, 2));
    // the link's signature does not expire: the real link still answers the page
    expect((await get(link)).status).toBe(200);
  });

  it('a signed link for an integration, candidate or assessment that does not exist is 404 on the page and on the POST', async () => {
    const unknownIntegration = randomUUID();
    const unknownOpportunity = randomUUID();
    const links = [
      signedLink({ integrationId: unknownIntegration }),
      signedLink({ opportunityId: unknownOpportunity }),
      signedLink({ assessmentId: '2' }),
    ];
    await leavesWaitingAsItWas(async () => {
      for (const url of links) {
        expect([url, await get(url)]).toEqual([url, notFound]);
        expect([url, await post(url, { testId: tests()[0]!.id })]).toEqual([url, notFound]);
      }
    });
    await expectNoWorkflow(assessmentWorkflowId(unknownIntegration, waiting.c.id, 1));
    await expectNoWorkflow(assessmentWorkflowId(h.integration.id, unknownOpportunity, 1));
    await expectNoWorkflow(assessmentWorkflowId(h.integration.id, waiting.c.id, 2));
  });

  it('the link of a cancelled assessment: the page and a POST are 409 "Not available", nothing is sent', async () => {
    const c = createCandidate(h, 'cancelled');
    const link = await selectionLink(c);
    const cancel = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${c.id}/assessments/1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'cancel' }),
    });
    expect(cancel.status).toBe(202);
    expect(await assessmentHandle(h, c.id).result()).toMatchObject({ status: 'cancelled', testId: null, sessionId: null });
    const state = await assessmentState(c);
    const since = Date.now();

    const closed = messagePage(409, 'Not available', 'This assessment is cancelled.');
    expect(await get(link)).toEqual(closed);
    expect(await post(link, { testId: tests()[0]!.id })).toEqual(closed);
    // the test is checked against the account before the assessment's phase: an unknown one is still 400
    expect(await post(link, { testId: 'tst_not_in_this_account' })).toEqual(messagePage(400, 'Unknown test', 'That test is not in this CodeSignal account.'));

    expect(await testChosenSignals(c)).toBe(0);
    expect(await assessmentState(c)).toEqual(state);
    expect(codesignalMutationsSince(since)).toEqual([]);
    expect(sessionsFor(h, c.email)).toEqual([]);
  });
});

