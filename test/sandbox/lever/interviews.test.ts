import { startHarness, type Harness } from './harness';

type InterviewBody = { id: string; panel: string; subject: string; note: string; duration: number; interviewers: Array<{ id: string; name: string; feedbackTemplate: string }>; user: string };
type PanelBody = { id: string; externallyManaged: boolean; externalUrl: string | null; interviews: InterviewBody[]; start: number; end: number };

describe('Lever sandbox: interviews and panels', () => {
  let h: Harness;
  let opportunityId: string;
  let asBot: string;
  const date = Date.now() + 86_400_000;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { perSecond: 1000, burst: 1000 } });
    opportunityId = h.seed.opportunities[3].id;
    asBot = `?perform_as=${h.seed.defaultUserId}`;
  });
  afterAll(() => h.close());

  const interviewer = () => [{ id: h.seed.userIds.interviewer }];
  const createPanel = () => h.api<{ data: PanelBody }>('POST', `/opportunities/${opportunityId}/panels${asBot}`, {
    body: { timezone: 'Europe/Berlin', externalUrl: 'https://app.codesignal.com/live/1', interviews: [{ subject: 'Live coding', interviewers: interviewer(), date, duration: 60 }] },
  });

  it('creates an externally managed panel holding its interviews', async () => {
    const res = await createPanel();
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ externallyManaged: true, externalUrl: 'https://app.codesignal.com/live/1', start: date, end: date + 3_600_000 });
    expect(res.body.data.interviews[0]).toMatchObject({ subject: 'Live coding', interviewers: [{ id: h.seed.userIds.interviewer, name: 'Ivy Nakamura', feedbackTemplate: 'no-feedback', responseStatus: 'needsAction' }] });
    const listed = await h.api<{ data: InterviewBody[] }>('GET', `/opportunities/${opportunityId}/interviews`);
    expect(listed.body.data.map((i) => i.id)).toContain(res.body.data.interviews[0].id);
  });

  it('requires perform_as on every write', async () => {
    const res = await h.api('POST', `/opportunities/${opportunityId}/panels`, { body: { timezone: 'UTC', interviews: [{ interviewers: interviewer(), date, duration: 30 }] } });
    expect(res.status).toBe(400);
  });

  it('adds, fully replaces and deletes interviews; the last delete removes the panel', async () => {
    const panel = (await createPanel()).body.data;
    const added = await h.api<{ data: InterviewBody }>('POST', `/opportunities/${opportunityId}/interviews${asBot}`, {
      body: { panel: panel.id, subject: 'Debrief', note: 'bring notes', interviewers: interviewer(), date: date + 7_200_000, duration: 30 },
    });
    expect(added.status).toBe(201);
    expect(added.body.data).toMatchObject({ panel: panel.id, subject: 'Debrief', note: 'bring notes', user: h.seed.defaultUserId });

    const replaced = await h.api<{ data: InterviewBody }>('PUT', `/opportunities/${opportunityId}/interviews/${added.body.data.id}${asBot}`, {
      body: { panel: panel.id, interviewers: interviewer(), date, duration: 45 },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).toMatchObject({ id: added.body.data.id, subject: '', note: '', duration: 45 });

    for (const id of [panel.interviews[0].id, added.body.data.id]) {
      expect((await h.api('DELETE', `/opportunities/${opportunityId}/interviews/${id}${asBot}`)).status).toBe(204);
    }
    expect((await h.api('GET', `/opportunities/${opportunityId}/panels/${panel.id}`)).status).toBe(404);
  });

  it('replaces a panel: kept interviews keep their id, new ones are added, missing ones deleted', async () => {
    const panel = (await createPanel()).body.data;
    const keep = panel.interviews[0];
    const res = await h.api<{ data: PanelBody }>('PUT', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`, {
      body: { timezone: 'UTC', interviews: [{ id: keep.id, subject: 'Renamed', interviewers: interviewer(), date, duration: 60 }, { subject: 'Extra', interviewers: interviewer(), date, duration: 15 }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.externalUrl).toBeNull();
    expect(res.body.data.interviews.map((i) => [i.id === keep.id, i.subject])).toEqual([[true, 'Renamed'], [false, 'Extra']]);
    expect((await h.api('DELETE', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`)).status).toBe(204);
  });

  it('refuses writes to panels scheduled in the UI', async () => {
    const ui = h.sandbox.recruiter.schedulePanel(h.seed.accountId, opportunityId, { timezone: 'UTC', interviews: [{ interviewers: interviewer(), date, duration: 30 }] });
    const uiPanel = ui.panels.find((p) => !p.externallyManaged);
    expect(uiPanel).toBeDefined();
    const add = await h.api('POST', `/opportunities/${opportunityId}/interviews${asBot}`, { body: { panel: uiPanel?.id, interviewers: interviewer(), date, duration: 30 } });
    expect(add.status).toBe(400);
    expect(add.body.message).toContain('externally managed');
    expect((await h.api('DELETE', `/opportunities/${opportunityId}/panels/${uiPanel?.id}${asBot}`)).status).toBe(400);
  });

  it('validates interviewers and required fields', async () => {
    const panel = (await createPanel()).body.data;
    const noDate = await h.api('POST', `/opportunities/${opportunityId}/interviews${asBot}`, { body: { panel: panel.id, interviewers: interviewer(), duration: 30 } });
    expect(noDate.status).toBe(400);
    const nobody = await h.api('POST', `/opportunities/${opportunityId}/interviews${asBot}`, { body: { panel: panel.id, interviewers: [], date, duration: 30 } });
    expect(nobody.status).toBe(400);
  });
});
