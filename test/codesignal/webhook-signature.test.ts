import { createHmac } from 'node:crypto';
import { createCodeSignalClient } from '../../src/codesignal/client';
import { codesignalWebhookSchema, parseCodeSignalEvent, CODESIGNAL_EVENTS } from '../../src/codesignal/webhook-events';
import { codesignalSignature, codesignalSignatureIsValid } from '../../src/codesignal/webhook-signature';
import { startSandboxHarness, startWebhookReceiver, waitFor, type ReceivedWebhook, type SandboxHarness, type WebhookReceiver } from '../../sandbox/codesignal/testing';

/** Computed here independently of the service's code: hex HMAC-SHA256 over url + event + triggeredOn. */
const independent = (secret: string, message: string) => createHmac('sha256', secret).update(message).digest('hex');

describe('CodeSignal webhook signature', () => {
  const secret = 'whsec_3f9c2a7d1e5b4c6a8d0f2e4b';
  const url = 'https://hooks.example.org/webhooks/codesignal/int-1';
  const body = { event: 'companyTestSessionFinished', triggeredOn: 1767225600000 };
  const signed = independent(secret, `${url}companyTestSessionFinished1767225600000`);

  it('matches an independent node:crypto computation', () => {
    expect(codesignalSignature(secret, url, body.event, body.triggeredOn)).toBe(signed);
    expect(codesignalSignature(secret, url)).toBe(independent(secret, url));
    expect(codesignalSignatureIsValid(secret, url, body, signed)).toBe(true);
  });

  it('signs the URL alone for the empty verification ping', () => {
    expect(codesignalSignatureIsValid(secret, url, null, independent(secret, url))).toBe(true);
    expect(codesignalSignatureIsValid(secret, url, {}, independent(secret, url))).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another secret', independent('other-secret', `${url}companyTestSessionFinished1767225600000`)],
    ['a changed event', independent(secret, `${url}companyTestSessionStarted1767225600000`)],
    ['a changed time', independent(secret, `${url}companyTestSessionFinished1767225600001`)],
    ['the URL seen behind a proxy', independent(secret, `http://10.0.0.7:3000/webhooks/codesignal/int-1companyTestSessionFinished1767225600000`)],
    ['a truncated digest', signed.slice(0, 63)],
    ['uppercase hex', signed.toUpperCase()],
    ['two headers', [signed, signed]],
  ])('rejects %s', (_label, header) => {
    expect(codesignalSignatureIsValid(secret, url, body, header)).toBe(false);
  });

  it('accepts surrounding whitespace and a single-valued header array', () => {
    expect(codesignalSignatureIsValid(secret, url, body, ` ${signed}\n`)).toBe(true);
    expect(codesignalSignatureIsValid(secret, url, body, [signed])).toBe(true);
  });
});

describe('CodeSignal webhook deliveries from the sandbox', () => {
  let receiver: WebhookReceiver;
  let h: SandboxHarness;
  const secret = 'whsec-sandbox-delivery-secret';

  beforeAll(async () => {
    receiver = await startWebhookReceiver('/webhooks/codesignal/int-1');
    h = await startSandboxHarness({ rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 }, { webhook: { url: receiver.url, secret } });
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const header = (r: ReceivedWebhook) => r.headers['x-codesignal-signature'];

  it('verifies the verification ping and a real event against the configured URL', async () => {
    const ping = receiver.received.find((r) => r.body === null)!;
    expect(codesignalSignatureIsValid(secret, receiver.url, null, header(ping))).toBe(true);

    const cs = createCodeSignalClient({ url: h.graphqlUrl, apiKey: h.seed.apiKey });
    const session = await cs.createTestSession({ testId: h.seed.tests[0]!.id, candidateEmail: 'ada@example.org', externalId: 'lever:opp-1:inv-1' });
    const delivered = await waitFor(() => receiver.events().find((r) => r.body!.payload.testSessionId === session.id));
    const envelope = codesignalWebhookSchema.parse(JSON.parse(delivered.rawBody));
    expect(codesignalSignatureIsValid(secret, receiver.url, envelope, header(delivered))).toBe(true);
    expect(codesignalSignatureIsValid('wrong-secret', receiver.url, envelope, header(delivered))).toBe(false);
    expect(codesignalSignatureIsValid(secret, receiver.url, { ...envelope, event: 'preScreenResultVerified' }, header(delivered))).toBe(false);

    const parsed = parseCodeSignalEvent(envelope);
    expect(parsed).toMatchObject({ ok: true, event: { event: 'companyTestSessionCreated', payload: { testSessionId: session.id, externalId: 'lever:opp-1:inv-1' } } });
  });

  it('parses every event the sandbox emits through whole candidate journeys', async () => {
    const { control } = h.sandbox;
    const cs = createCodeSignalClient({ url: h.graphqlUrl, apiKey: h.seed.apiKey });
    const [plain, , proctored] = h.seed.tests;
    const invite = (testId: string, candidateEmail: string) => cs.createTestSession({ testId, candidateEmail, externalId: `ext-${candidateEmail}` }).then((s) => s.id);

    const finished = await invite(plain!.id, 'finished@example.org');
    control.startSession(finished);
    control.submitSession(finished, { score: 650 });
    control.updateIntegrityReview(finished, true);
    const verified = await invite(proctored!.id, 'verified@example.org');
    control.startSession(verified);
    control.submitSession(verified, { score: 500, codingScore: 575 });
    control.verifySession(verified);
    const rejected = await invite(proctored!.id, 'rejected@example.org');
    control.startSession(rejected);
    control.submitSession(rejected, { score: 300 });
    control.rejectSession(rejected, [{ name: 'Suspicious activity', description: 'Second person on camera' }]);
    control.expireSession(await invite(plain!.id, 'expired@example.org'));
    control.declineSession(await invite(plain!.id, 'declined@example.org'));
    const ivan = h.seed.users.find((u) => u.email.startsWith('ivan'))!;
    const interview = await cs.createLiveInterview({ candidateEmail: 'live@example.org', candidateName: 'Live Candidate', interviewerId: ivan.id });
    control.finishInterview(interview.id, { questionsSolved: 1, questionsAttempted: 2, feedback: { notes: 'Good', overallEvaluation: 'strong_yes', categories: [{ name: 'Coding', attributes: [{ name: 'Speed', score: 3 }] }] } });

    const expected = [
      'companyTestSessionCreated', 'companyTestSessionStarted', 'companyTestSessionFinished', 'preScreenIntegrityReviewUpdated',
      'preScreenResultVerificationPending', 'preScreenResultVerified', 'preScreenResultNotVerified', 'preScreenExpired',
      'preScreenCandidateDeclined', 'liveInterviewFinished', 'liveInterviewFeedbackUpdated',
    ];
    await waitFor(() => expected.every((e) => receiver.events().some((r) => r.body!.event === e)));
    for (const r of receiver.events()) {
      const envelope = codesignalWebhookSchema.parse(JSON.parse(r.rawBody));
      expect(codesignalSignatureIsValid(secret, receiver.url, envelope, header(r))).toBe(true);
      const parsed = parseCodeSignalEvent(envelope);
      if (!parsed.ok) throw new Error(`${parsed.event}: ${parsed.reason} ${parsed.issues}`);
    }
    expect(CODESIGNAL_EVENTS).toEqual(expect.arrayContaining(expected));
    const verifiedEvent = receiver.events().map((r) => parseCodeSignalEvent(codesignalWebhookSchema.parse(r.body))).find((p) => p.ok && p.event.event === 'preScreenResultVerified');
    expect(verifiedEvent).toMatchObject({ event: { payload: { testSessionId: verified, score: 500, versionedCodingScore: { value: 575 } } } });
  });

  it('reports an unknown event or a broken payload without throwing', () => {
    expect(parseCodeSignalEvent(codesignalWebhookSchema.parse({ event: 'somethingNew', triggeredOn: 1, payload: {} })))
      .toEqual({ ok: false, reason: 'unknownEvent', event: 'somethingNew', issues: '' });
    const broken = parseCodeSignalEvent(codesignalWebhookSchema.parse({ event: 'companyTestSessionFinished', triggeredOn: 1, payload: { testSessionId: 'ses_1', candidateEmail: 'secret@example.org' } }));
    expect(broken).toMatchObject({ ok: false, reason: 'invalidPayload', event: 'companyTestSessionFinished' });
    expect(JSON.stringify(broken)).not.toContain('secret@example.org');
  });
});
