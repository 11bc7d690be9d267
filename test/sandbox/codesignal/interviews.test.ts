import { startSandboxHarness, startWebhookReceiver, waitFor, type SandboxHarness, type WebhookReceiver } from '../../../sandbox/codesignal/testing';

const CREATE = `mutation CreateInterview($f: LiveInterviewInput!) {
  createLiveInterview(interviewFields: $f) { id url shortenedUrl status candidateName candidateEmail startDate finishDate company { id } }
}`;

const READ = `query($id: ID!) {
  liveInterview(liveInterviewId: $id) {
    id status startDate finishDate proctoringStatus
    interviewersFeedback { author { id } notes recommendedLevel evaluation categories { name attributes { name score notes } } }
  }
}`;

interface Interview {
  id: string;
  url: string;
  shortenedUrl: string;
  status: string;
  candidateName: string;
  candidateEmail: string;
  startDate: number | null;
  finishDate: number | null;
  proctoringStatus: string | null;
  interviewersFeedback: Array<{ author: { id: string }; notes: string; recommendedLevel: string | null; evaluation: string | null; categories: unknown[] }>;
}

const HOUR = 3_600_000;

describe('CodeSignal sandbox: live interviews', () => {
  let h: SandboxHarness;
  let receiver: WebhookReceiver;
  let interviewerId: string;
  let templateId: string;

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    h = await startSandboxHarness({ rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 }, { webhook: { url: receiver.url, secret: 'li' } });
    interviewerId = h.seed.users[1]!.id;
    templateId = h.seed.interviewTemplates[0]!.id;
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const create = async (fields: Record<string, unknown>) => {
    const res = await h.gql<{ createLiveInterview: Interview }>(CREATE, { f: fields });
    return res;
  };
  const read = async (id: string) => (await h.gql<{ liveInterview: Interview | null }>(READ, { id })).body.data!.liveInterview;
  const events = () => receiver.events().map((r) => r.body!);

  it('creates a pending interview with a room URL on the sandbox; no webhook fires for creation', async () => {
    const res = await create({ candidateName: 'Ada Example', candidateEmail: 'ada@example.org', interviewerId, templateId, lockTemplate: true, expirationTime: 48 * HOUR });
    expect(res.body.errors).toBeUndefined();
    const interview = res.body.data!.createLiveInterview;
    expect(interview).toMatchObject({ status: 'pending', candidateName: 'Ada Example', candidateEmail: 'ada@example.org', startDate: null, finishDate: null, company: { id: h.seed.companyId } });
    expect(interview.url).toBe(`${h.url}/live-interview/${interview.id}`);
    const room = await fetch(interview.url);
    expect(room.status).toBe(200);
    expect(await room.text()).toContain('Ivan Interviewer');
    const short = await fetch(interview.shortenedUrl, { redirect: 'manual' });
    expect(short.status).toBe(302);
    expect(short.headers.get('location')).toBe(interview.url);
    // events go out in order per endpoint: once the room's finish event is in, a creation event would have come first
    await h.ctl('POST', `/interviews/${interview.id}/start`);
    await h.ctl('POST', `/interviews/${interview.id}/finish`, {});
    await waitFor(() => events().find((e) => e.event === 'liveInterviewFinished'));
    expect(events().map((e) => e.event)).toEqual(['liveInterviewFinished']);
  });

  it('validates interviewer, template and the 1–336 hour expiration window', async () => {
    expect((await create({ candidateEmail: 'x@example.org', interviewerId: 'usr_nobody' })).body.errors?.[0]?.message).toBe('Interviewer usr_nobody is not a user of this company');
    expect((await create({ candidateEmail: 'x@example.org', templateId: 'tpl_nope' })).body.errors?.[0]?.message).toBe('Interview template with id tpl_nope not found');
    expect((await create({ candidateEmail: 'x@example.org', expirationTime: 337 * HOUR })).body.errors?.[0]?.message).toMatch(/between 1 and 336 hours/);
    expect((await create({ candidateEmail: 'x@example.org', expirationTime: HOUR - 1 })).body.errors?.[0]?.message).toMatch(/between 1 and 336 hours/);
  });

  it('finish → over + liveInterviewFinished; feedback → liveInterviewFeedbackUpdated; both readable through the API', async () => {
    const interview = (await create({ candidateName: 'Bo Candidate', candidateEmail: 'bo@example.org', interviewerId, templateId })).body.data!.createLiveInterview;
    await h.ctl('POST', `/interviews/${interview.id}/start`);
    expect((await read(interview.id))?.status).toBe('active');
    await h.ctl('POST', `/interviews/${interview.id}/finish`, {
      questionsSolved: 1,
      questionsAttempted: 2,
      feedback: {
        notes: 'Great candidate, very knowledgeable',
        categories: [{ name: 'Problem Solving', attributes: [{ name: 'Problem Solving', score: 4, notes: 'Great problem solving skills' }, { name: 'Code Quality', score: 3 }] }],
        recommendedLevel: 'Senior',
        overallEvaluation: 'strong_yes',
      },
    });
    const finished = await waitFor(() => events().find((e) => e.event === 'liveInterviewFinished'));
    const stored = (await read(interview.id))!;
    expect(stored).toMatchObject({ status: 'over', proctoringStatus: null });
    expect(finished.payload).toEqual({
      interviewId: interview.id,
      candidateName: 'Bo Candidate',
      candidateEmail: 'bo@example.org',
      startDate: stored.startDate,
      endDate: stored.finishDate,
      questionsSolved: 1,
      questionsAttempted: 2,
      url: `${h.url}/client-dashboard/interviews?status=over&liveInterviewId=${interview.id}`,
    });
    const feedback = await waitFor(() => events().find((e) => e.event === 'liveInterviewFeedbackUpdated'));
    expect(feedback.payload).toEqual({
      interviewId: interview.id,
      interviewerId,
      feedback: {
        generalNotes: 'Great candidate, very knowledgeable',
        categories: [{ name: 'Problem Solving', attributes: [{ name: 'Problem Solving', score: 4, notes: 'Great problem solving skills' }, { name: 'Code Quality', score: 3 }] }],
        recommendedLevel: 'Senior',
        overallEvaluation: 'Strong Yes',
      },
    });
    expect(events().map((e) => e.event)).toEqual(['liveInterviewFinished', 'liveInterviewFeedbackUpdated']);
    expect(stored.interviewersFeedback).toEqual([
      {
        author: { id: interviewerId },
        notes: 'Great candidate, very knowledgeable',
        recommendedLevel: 'Senior',
        evaluation: 'Strong Yes',
        categories: [{ name: 'Problem Solving', attributes: [{ name: 'Problem Solving', score: 4, notes: 'Great problem solving skills' }, { name: 'Code Quality', score: 3, notes: null }] }],
      },
    ]);

    // a second interviewer adds feedback, the first one edits theirs: one entry each, an event per change
    const second = h.seed.users[2]!.id;
    await h.ctl('POST', `/interviews/${interview.id}/feedback`, { interviewerId: second, notes: 'Solid', overallEvaluation: 'yes' });
    await h.ctl('POST', `/interviews/${interview.id}/feedback`, { notes: 'Great candidate (edited)' });
    await waitFor(() => events().filter((e) => e.event === 'liveInterviewFeedbackUpdated').length === 3);
    const all = (await read(interview.id))!.interviewersFeedback;
    expect(all.map((f) => [f.author.id, f.notes])).toEqual([
      [second, 'Solid'],
      [interviewerId, 'Great candidate (edited)'],
    ]);
  });

  it('edits only pending interviews, deletes them, lists them by candidate email, and serves templates', async () => {
    const a = (await create({ candidateName: 'A', candidateEmail: 'same@example.org', interviewerId })).body.data!.createLiveInterview;
    const b = (await create({ candidateName: 'B', candidateEmail: 'same@example.org' })).body.data!.createLiveInterview;
    await create({ candidateName: 'C', candidateEmail: 'other@example.org' });
    const edited = await h.gql<{ editLiveInterview: { candidateName: string } }>('mutation($id: ID!, $f: LiveInterviewInput!) { editLiveInterview(id: $id, interviewFields: $f) { candidateName } }', {
      id: a.id,
      f: { candidateName: 'A. Renamed' },
    });
    expect(edited.body.data?.editLiveInterview.candidateName).toBe('A. Renamed');
    const listed = await h.gql<{ liveInterviews: Array<{ id: string }> }>('{ liveInterviews(candidateEmail: "SAME@example.org", first: 10) { id } }');
    expect(listed.body.data?.liveInterviews.map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
    const deleted = await h.gql<{ deleteLiveInterview: string }>('mutation($id: ID!) { deleteLiveInterview(id: $id) }', { id: b.id });
    expect(deleted.body.data?.deleteLiveInterview).toBe(b.id);
    expect(await read(b.id)).toBeNull();
    await h.ctl('POST', `/interviews/${a.id}/finish`, { questionsSolved: 0, questionsAttempted: 1 });
    const late = await h.gql('mutation($id: ID!, $f: LiveInterviewInput!) { editLiveInterview(id: $id, interviewFields: $f) { id } }', { id: a.id, f: { candidateName: 'x' } });
    expect(late.body.errors?.[0]?.message).toBe('Cannot edit a live interview in status over');

    const templates = await h.gql<{ interviewTemplates: { totalCount: number; pageInfo: { hasNextPage: boolean }; interviewTemplates: Array<{ id: string; name: string }> } }>(
      '{ interviewTemplates(first: 1, offset: 0) { totalCount pageInfo { hasNextPage } interviewTemplates { id name } } }',
    );
    expect(templates.body.data?.interviewTemplates).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(templates.body.data?.interviewTemplates.interviewTemplates[0]).toMatchObject({ name: 'Backend pair programming' });
    const one = await h.gql<{ interviewTemplate: { name: string } }>('query($id: ID!) { interviewTemplate(interviewTemplateId: $id) { name } }', { id: h.seed.interviewTemplates[1]!.id });
    expect(one.body.data?.interviewTemplate.name).toBe('Frontend pair programming');
  });
});
