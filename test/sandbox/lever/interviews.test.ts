import { startHarness, type Harness } from './harness';

type InterviewBody = {
  id: string; panel: string; subject: string; note: string; location: string; date: number; duration: number; timezone: string;
  interviewers: Array<{ id: string; name: string; feedbackTemplate: string }>; user: string; feedbackReminder: string; feedbackTemplate: string | null;
};
type PanelBody = {
  id: string; externallyManaged: boolean; externalUrl: string | null; interviews: InterviewBody[]; start: number; end: number;
  timezone: string; note: string; feedbackReminder: string; applications: string[];
};

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

  describe('panel create strictness', () => {
    const iv = (extra: Record<string, unknown> = {}) => ({ interviewers: interviewer(), date, duration: 30, ...extra });
    const panelCount = () => h.sandbox.store.account(h.seed.accountId).panels.size;

    it.each<[string, () => Record<string, unknown>]>([
      ['no timezone', () => ({ interviews: [iv()] })],
      ['an empty timezone', () => ({ timezone: '', interviews: [iv()] })],
      ['a timezone that is no IANA zone', () => ({ timezone: 'Mars/Olympus_Mons', interviews: [iv()] })],
      ['no interviews', () => ({ timezone: 'UTC' })],
      ['an empty interviews list', () => ({ timezone: 'UTC', interviews: [] })],
      ['an interview without interviewers', () => ({ timezone: 'UTC', interviews: [{ date, duration: 30 }] })],
      ['an interview with no interviewer', () => ({ timezone: 'UTC', interviews: [iv({ interviewers: [] })] })],
      ['an interviewer without id', () => ({ timezone: 'UTC', interviews: [iv({ interviewers: [{ feedbackTemplate: 'x' }] })] })],
      ['an interview without date', () => ({ timezone: 'UTC', interviews: [{ interviewers: interviewer(), duration: 30 }] })],
      ['a date in ISO text', () => ({ timezone: 'UTC', interviews: [iv({ date: new Date(date).toISOString() })] })],
      ['a fractional date', () => ({ timezone: 'UTC', interviews: [iv({ date: date + 0.5 })] })],
      ['an interview without duration', () => ({ timezone: 'UTC', interviews: [{ interviewers: interviewer(), date }] })],
      ['a zero duration', () => ({ timezone: 'UTC', interviews: [iv({ duration: 0 })] })],
      ['a fractional duration', () => ({ timezone: 'UTC', interviews: [iv({ duration: 1.5 })] })],
      ['an unknown feedbackReminder', () => ({ timezone: 'UTC', feedbackReminder: 'weekly', interviews: [iv()] })],
      ['an unknown interview feedbackReminder', () => ({ timezone: 'UTC', interviews: [iv({ feedbackReminder: 'hourly' })] })],
      ['an empty applications list', () => ({ timezone: 'UTC', applications: [], interviews: [iv()] })],
      ['an application of another opportunity', () => ({ timezone: 'UTC', applications: ['not-this-opportunity'], interviews: [iv()] })],
      ['an interview with an id', () => ({ timezone: 'UTC', interviews: [iv({ id: 'made-up' })] })],
      ['an interview naming a panel', () => ({ timezone: 'UTC', interviews: [iv({ panel: 'made-up' })] })],
    ])('refuses %s with 400 and creates nothing', async (_, body) => {
      const before = panelCount();
      const res = await h.api('POST', `/opportunities/${opportunityId}/panels${asBot}`, { body: body() });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 'BadRequest', message: expect.any(String) });
      expect(panelCount()).toBe(before);
    });

    it('refuses an unknown interviewer and creates nothing', async () => {
      const before = panelCount();
      const res = await h.api('POST', `/opportunities/${opportunityId}/panels${asBot}`, {
        body: { timezone: 'UTC', interviews: [iv(), iv({ interviewers: [{ id: 'no-such-user' }] })] },
      });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ResourceNotFound');
      expect(panelCount()).toBe(before);
    });

    it('refuses a missing or unknown perform_as, and an unknown opportunity', async () => {
      const body = { timezone: 'UTC', interviews: [iv()] };
      expect((await h.api('POST', `/opportunities/${opportunityId}/panels`, { body })).status).toBe(400);
      expect((await h.api('POST', `/opportunities/${opportunityId}/panels?perform_as=`, { body })).status).toBe(400);
      expect([400, 404]).toContain((await h.api('POST', `/opportunities/${opportunityId}/panels?perform_as=nobody`, { body })).status);
      expect((await h.api('POST', `/opportunities/no-such-opportunity/panels${asBot}`, { body })).status).toBe(404);
    });

    it('applies the defaults and keeps every optional field', async () => {
      const application = h.sandbox.recruiter.inspect(h.seed.accountId, opportunityId).applications[0].id;
      const res = await h.api<{ data: PanelBody }>('POST', `/opportunities/${opportunityId}/panels${asBot}`, {
        body: {
          timezone: 'America/New_York', externalUrl: 'https://app.codesignal.com/live/defaults',
          interviews: [iv({ interviewers: [{ id: h.seed.userIds.interviewer, feedbackTemplate: 'tpl-1', extra: 'ignored' }] }),
            iv({ subject: 'Pairing', note: 'Bring a laptop', location: 'Room 4', feedbackTemplate: 'tpl-2', feedbackReminder: 'once', duration: 90 })],
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        externallyManaged: true, externalUrl: 'https://app.codesignal.com/live/defaults', timezone: 'America/New_York',
        feedbackReminder: 'daily', note: '', applications: [application], user: h.seed.defaultUserId,
      });
      const [first, second] = res.body.data.interviews;
      expect(first.interviewers).toEqual([expect.objectContaining({ id: h.seed.userIds.interviewer, feedbackTemplate: 'tpl-1' })]);
      expect(first.interviewers[0]).not.toHaveProperty('extra');
      expect(second).toMatchObject({ subject: 'Pairing', note: 'Bring a laptop', location: 'Room 4', feedbackTemplate: 'tpl-2', feedbackReminder: 'once', duration: 90 });
      await h.api('DELETE', `/opportunities/${opportunityId}/panels/${res.body.data.id}${asBot}`);
    });

    it('lists the interviews with their schedule on both reads', async () => {
      const res = await h.api<{ data: PanelBody }>('POST', `/opportunities/${opportunityId}/panels${asBot}`, {
        body: { timezone: 'Asia/Tokyo', note: 'Panel note', interviews: [iv({ note: 'Interview note', location: 'https://app.codesignal.com/live/2', duration: 40 })] },
      });
      const expected = {
        id: res.body.data.interviews[0].id, date, duration: 40, timezone: 'Asia/Tokyo', note: 'Interview note', location: 'https://app.codesignal.com/live/2',
        interviewers: [expect.objectContaining({ id: h.seed.userIds.interviewer, name: 'Ivy Nakamura', email: 'ivy.nakamura@acme.example' })],
      };
      const panels = await h.api<{ data: PanelBody[] }>('GET', `/opportunities/${opportunityId}/panels`);
      const listed = panels.body.data.find((p) => p.id === res.body.data.id);
      expect(listed).toMatchObject({ timezone: 'Asia/Tokyo', note: 'Panel note', start: date, end: date + 40 * 60_000 });
      expect(listed?.interviews).toEqual([expect.objectContaining(expected)]);
      const interviews = await h.api<{ data: InterviewBody[] }>('GET', `/opportunities/${opportunityId}/interviews`);
      expect(interviews.body.data.find((i) => i.id === expected.id)).toMatchObject({ ...expected, panel: res.body.data.id });
      await h.api('DELETE', `/opportunities/${opportunityId}/panels/${res.body.data.id}${asBot}`);
    });
  });

  describe('panel replace and delete', () => {
    const full = {
      timezone: 'Europe/Berlin', note: 'Panel note', externalUrl: 'https://app.codesignal.com/live/3', feedbackReminder: 'none',
      interviews: [
        { subject: 'First', note: 'n1', location: 'Room 1', feedbackTemplate: 'tpl', feedbackReminder: 'once', interviewers: [{ id: '' }], date, duration: 30 },
        { subject: 'Second', interviewers: [{ id: '' }], date: date + 3_600_000, duration: 30 },
      ],
    };
    const createFull = async () => {
      const body = { ...full, interviews: full.interviews.map((i) => ({ ...i, interviewers: interviewer() })) };
      return (await h.api<{ data: PanelBody }>('POST', `/opportunities/${opportunityId}/panels${asBot}`, { body })).body.data;
    };
    const interviewIds = async () => (await h.api<{ data: InterviewBody[] }>('GET', `/opportunities/${opportunityId}/interviews`)).body.data.map((i) => i.id);

    it('clears what the replacement omits, keeps ids it names and removes the interviews it leaves out', async () => {
      const panel = await createFull();
      const [first, second] = panel.interviews;
      const res = await h.api<{ data: PanelBody }>('PUT', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`, {
        body: { timezone: 'UTC', interviews: [{ id: first.id, interviewers: interviewer(), date: date + 60_000, duration: 20 }, { subject: 'Third', interviewers: interviewer(), date, duration: 10 }] },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: panel.id, timezone: 'UTC', note: '', externalUrl: null, feedbackReminder: 'daily', externallyManaged: true });
      const [kept, added] = res.body.data.interviews;
      expect(kept).toMatchObject({ id: first.id, subject: '', note: '', location: '', feedbackTemplate: null, feedbackReminder: 'daily', date: date + 60_000, duration: 20 });
      expect(added.id).not.toBe(second.id);
      expect(added.subject).toBe('Third');
      const ids = await interviewIds();
      expect(ids).toEqual(expect.arrayContaining([first.id, added.id]));
      expect(ids).not.toContain(second.id);
      expect((await h.api('GET', `/opportunities/${opportunityId}/interviews/${second.id}`)).status).toBe(404);
      await h.api('DELETE', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`);
    });

    it.each<[string, (p: PanelBody) => Record<string, unknown>]>([
      ['no interviews', () => ({ timezone: 'UTC', interviews: [] })],
      ['no timezone', (p) => ({ interviews: [{ id: p.interviews[0].id, interviewers: interviewer(), date, duration: 30 }] })],
      ['an interview of another panel', () => ({ timezone: 'UTC', interviews: [{ id: 'elsewhere', interviewers: interviewer(), date, duration: 30 }] })],
      ['the same interview twice', (p) => ({ timezone: 'UTC', interviews: [0, 1].map(() => ({ id: p.interviews[0].id, interviewers: interviewer(), date, duration: 30 })) })],
      ['an interview naming its panel', (p) => ({ timezone: 'UTC', interviews: [{ id: p.interviews[0].id, panel: p.id, interviewers: interviewer(), date, duration: 30 }] })],
      ['an empty applications list', (p) => ({ timezone: 'UTC', applications: [], interviews: [{ id: p.interviews[0].id, interviewers: interviewer(), date, duration: 30 }] })],
    ])('refuses a replacement with %s and leaves the panel as it was', async (_, body) => {
      const panel = await createFull();
      const res = await h.api('PUT', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`, { body: body(panel) });
      expect(res.status).toBe(400);
      const after = await h.api<{ data: PanelBody }>('GET', `/opportunities/${opportunityId}/panels/${panel.id}`);
      expect(after.body.data).toEqual(panel);
      await h.api('DELETE', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`);
    });

    it('requires perform_as to replace or delete', async () => {
      const panel = await createFull();
      const body = { timezone: 'UTC', interviews: [{ interviewers: interviewer(), date, duration: 30 }] };
      expect((await h.api('PUT', `/opportunities/${opportunityId}/panels/${panel.id}`, { body })).status).toBe(400);
      expect((await h.api('DELETE', `/opportunities/${opportunityId}/panels/${panel.id}`)).status).toBe(400);
      expect((await h.api('GET', `/opportunities/${opportunityId}/panels/${panel.id}`)).status).toBe(200);
      await h.api('DELETE', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`);
    });

    it('deletes a panel with its interviews: 204, then 404', async () => {
      const panel = await createFull();
      const del = await h.api('DELETE', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`);
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expect(await interviewIds()).not.toEqual(expect.arrayContaining([panel.interviews[0].id]));
      expect(await interviewIds()).not.toEqual(expect.arrayContaining([panel.interviews[1].id]));
      expect((await h.api('DELETE', `/opportunities/${opportunityId}/panels/${panel.id}${asBot}`)).status).toBe(404);
    });

    it('refuses every write to a panel scheduled in the UI, and leaves it as it was', async () => {
      const ui = h.sandbox.recruiter.schedulePanel(h.seed.accountId, opportunityId, { timezone: 'UTC', interviews: [{ interviewers: interviewer(), date, duration: 30 }] });
      const uiPanel = ui.panels.filter((p) => !p.externallyManaged).at(-1);
      if (!uiPanel) throw new Error('no UI panel');
      const uiInterview = uiPanel.interviews[0].id;
      const iv = { interviewers: interviewer(), date, duration: 45 };
      const writes: Array<[string, string, unknown]> = [
        ['PUT', `/panels/${uiPanel.id}`, { timezone: 'UTC', interviews: [{ id: uiInterview, ...iv }] }],
        ['DELETE', `/panels/${uiPanel.id}`, undefined],
        ['POST', '/interviews', { panel: uiPanel.id, ...iv }],
        ['PUT', `/interviews/${uiInterview}`, iv],
        ['DELETE', `/interviews/${uiInterview}`, undefined],
      ];
      for (const [method, path, body] of writes) {
        const res = await h.api(method, `/opportunities/${opportunityId}${path}${asBot}`, { body });
        expect([method, path, res.status, res.body.code]).toEqual([method, path, 400, 'BadRequest']);
        expect(res.body.message).toContain('externally managed');
      }
      expect((await h.api<{ data: PanelBody }>('GET', `/opportunities/${opportunityId}/panels/${uiPanel.id}`)).body.data).toMatchObject({
        externallyManaged: false, interviews: [expect.objectContaining({ id: uiInterview, duration: 30 })],
      });
    });
  });

  describe('lost answers', () => {
    const faults = (patch: Record<string, unknown>) => h.control('PUT', `/accounts/${h.seed.accountId}/faults`, patch);
    afterEach(() => faults({ dropNext: 0 }));

    it('dropNext commits a panel POST, PUT and DELETE, then loses each answer', async () => {
      const externalUrl = 'https://app.codesignal.com/live/lost';
      const listed = async () => (await h.api<{ data: PanelBody[] }>('GET', `/opportunities/${opportunityId}/panels`)).body.data.filter((p) => p.externalUrl === externalUrl);

      await faults({ dropNext: 1 });
      await expect(h.api('POST', `/opportunities/${opportunityId}/panels${asBot}`, {
        body: { timezone: 'UTC', externalUrl, interviews: [{ interviewers: interviewer(), date, duration: 30 }] },
      })).rejects.toThrow();
      const [created] = await listed();
      expect(created).toMatchObject({ externallyManaged: true, interviews: [expect.objectContaining({ duration: 30 })] });
      expect(h.sandbox.admin.requests(h.seed.accountId, { method: 'POST', pathPrefix: `/v1/opportunities/${opportunityId}/panels` }).at(-1))
        .toMatchObject({ status: 201, faults: ['dropped'] });

      await faults({ dropNext: 1 });
      await expect(h.api('PUT', `/opportunities/${opportunityId}/panels/${created.id}${asBot}`, {
        body: { timezone: 'UTC', externalUrl, interviews: [{ id: created.interviews[0].id, interviewers: interviewer(), date, duration: 50 }] },
      })).rejects.toThrow();
      expect((await listed())[0].interviews[0]).toMatchObject({ id: created.interviews[0].id, duration: 50 });

      await faults({ dropNext: 1 });
      await expect(h.api('DELETE', `/opportunities/${opportunityId}/panels/${created.id}${asBot}`)).rejects.toThrow();
      expect(await listed()).toEqual([]);
    });

    it('never drops a refused panel write', async () => {
      await faults({ dropNext: 1 });
      expect((await h.api('POST', `/opportunities/${opportunityId}/panels${asBot}`, { body: { timezone: 'UTC', interviews: [] } })).status).toBe(400);
      expect((await h.control<{ dropNext: number }>('GET', `/accounts/${h.seed.accountId}/faults`)).body.dropNext).toBe(1);
    });
  });
});
