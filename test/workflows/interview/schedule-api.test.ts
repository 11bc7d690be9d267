import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { interviewScheduleUrl } from '../../../src/activities/interview/schedule-link';
import { interviewStateQuery, type ScheduledInterview } from '../../../src/workflows/interview/messages';
import { interviewWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually, testLogger } from '../../support/stack';
import { recordLogCalls } from '../../api/hardening-support';

/**
 * Scheduling a live interview end to end: the admin API and the signed "Schedule CodeSignal interview"
 * page → the interview workflow's updates → a Lever panel the service manages (Lever sandbox) and the
 * room (CodeSignal sandbox). Refusals and bad input are answered before anything is written.
 */
describe('scheduling a live interview: admin API and signed page', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let created = 0;
  const logged: unknown[] = [];
  let restoreLogs: () => void;

  beforeAll(async () => {
    restoreLogs = recordLogCalls(testLogger, ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], logged);
    h = await startAssessmentHarness({ name: 'Interview scheduling' });
    const interviewerId = h.sandboxes.codesignal.seed.users[0]!.id;
    const res = await h.putSettings(
      { triggerStageIds: [h.sandboxes.lever.seed.stageIds.onSite], interviewer: 'default', defaultCodeSignalUserId: interviewerId, expiryHours: 48 },
      'interviews',
    );
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    restoreLogs?.();
  });

  const seed = () => h.sandboxes.lever.seed;
  const rooms = (email: string) => h.sandboxes.codesignalSandbox.control.interviews(h.sandboxes.codesignal.seed.companyId).filter((i) => i.candidateEmail === email);
  const handle = (id: string) => h.stack.client.workflow.getHandle(interviewWorkflowId(h.integration.id, id, 1));
  const interviewPath = (opportunityId: string, interviewId = '1', integrationId = h.integration.id) =>
    `/api/integrations/${integrationId}/opportunities/${opportunityId}/interviews/${interviewId}`;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await readJson(res) };
  };
  const panelsOf = (id: string) => h.opportunity(id).panels.filter((p) => p.canceledAt === null);

  function newCandidate(name = `Robin Scheduling${created + 1}`) {
    created += 1;
    const email = `schedule-${created}-${Date.now()}@example.org`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name, emails: [email], userId: seed().userIds.recruiter });
    return { id: opp.id, email, name };
  }
  /** The candidate enters the interview stage; answers once the room is created and the scheduling link is on the opportunity. */
  async function scheduledRoom(c: { id: string; email: string }) {
    h.moveToStage(c.id, seed().stageIds.onSite);
    return eventually(async () => {
      expect((await handle(c.id).query(interviewStateQuery)).status).toBe('scheduled');
      const [room] = rooms(c.email);
      const link = h.opportunity(c.id).links.find((l) => l.includes('/interviews/schedule/'));
      expect(h.opportunity(c.id).links).toContain(room!.url);
      expect(link).toBeDefined();
      return { room: room!, link: link! };
    }, 30_000);
  }
  /** 14:00 in `zone`, `days` from now, as the API takes it and as ms since the epoch. */
  const slot = (zone: string, days = 3) => {
    const at = DateTime.now().setZone(zone).plus({ days }).set({ hour: 14, minute: 0, second: 0, millisecond: 0 });
    return { start: at.toFormat("yyyy-MM-dd'T'HH:mm"), date: at.toFormat('yyyy-MM-dd'), time: '14:00', startsAt: at.toMillis() };
  };
  const body = (patch: Record<string, unknown> = {}) => ({
    start: slot('Europe/Paris').start,
    timezone: 'Europe/Paris',
    durationMinutes: 60,
    interviewerIds: [seed().userIds.interviewer],
    ...patch,
  });
  const postForm = (link: string, fields: Array<[string, string]>) =>
    fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

  it('schedules through the admin API: 200 with the schedule, a Lever panel the service manages, and the state shows it', async () => {
    const c = newCandidate();
    const { room } = await scheduledRoom(c);
    const at = slot('Europe/Paris');
    const res = await api('POST', `${interviewPath(c.id)}/schedule`, body({ start: at.start }));
    expect(res.status).toBe(200);
    const schedule = res.body.schedule as ScheduledInterview;
    expect(schedule).toMatchObject({
      startsAt: at.startsAt,
      timezone: 'Europe/Paris',
      durationMinutes: 60,
      interviewerIds: [seed().userIds.interviewer],
      templateId: null,
      scheduledBy: null,
      roomUrl: room.url,
    });
    const [panel] = panelsOf(c.id);
    expect(panel).toMatchObject({ id: schedule.panelId, timezone: 'Europe/Paris', externallyManaged: true, externalUrl: room.url });
    expect(panel!.interviews).toHaveLength(1);
    expect(panel!.interviews[0]).toMatchObject({ id: schedule.leverInterviewId, date: at.startsAt, duration: 60, interviewers: [expect.objectContaining({ id: seed().userIds.interviewer })] });

    const state = await api('GET', interviewPath(c.id));
    expect(state.status).toBe(200);
    expect(state.body.interview).toMatchObject({ interviewId: '1', status: 'scheduled', schedule: { panelId: schedule.panelId, startsAt: at.startsAt } });
  });

  it('answers bad input with 400 naming the field, before Temporal is asked', async () => {
    const opportunityId = randomUUID(); // no interview: a 400 is answered before anyone looks
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ timezone: 'Mars/Olympus_Mons' }, 'timezone: must be an IANA time zone, e.g. Europe/Paris'],
      [{ durationMinutes: 0 }, 'durationMinutes: '],
      [{ durationMinutes: 481 }, 'durationMinutes: '],
      [{ durationMinutes: 45.5 }, 'durationMinutes: must be a whole number of minutes'],
      [{ start: '2026-12-10T14:00Z' }, 'start: must be a local date and time'],
      [{ start: '10/12/2026 14:00' }, 'start: must be a local date and time'],
      [{ start: '2027-02-30T14:00' }, 'start: is not a date and time that exists in Europe/Paris'],
      [{ start: '2027-03-28T02:30' }, 'start: is not a date and time that exists in Europe/Paris'], // the spring-forward gap
      [{ interviewerIds: [] }, 'interviewerIds: must name at least one interviewer'],
      [{ interviewerIds: ['a', 'a'] }, 'interviewerIds: must not name an interviewer twice'],
      [{ interviewerIds: Array.from({ length: 11 }, (_, i) => `u${i}`) }, 'interviewerIds: must name at most 10 interviewers'],
      [{ room: 'https://example.org' }, 'unknown field room'],
    ];
    for (const [patch, message] of cases) {
      const res = await api('POST', `${interviewPath(opportunityId)}/schedule`, body(patch));
      expect([patch, res.status, res.body.error]).toEqual([patch, 400, 'invalid_body']);
      expect([patch, res.body.message]).toEqual([patch, expect.stringContaining(message)]);
    }
  });

  it('answers an unknown interview or integration with 404', async () => {
    const c = newCandidate();
    for (const [method, path, payload] of [
      ['POST', `${interviewPath(c.id)}/schedule`, body()],
      ['DELETE', `${interviewPath(c.id)}/schedule`, undefined],
      ['GET', interviewPath(c.id), undefined],
    ] as const) {
      const res = await api(method, path, payload);
      expect([method, res.status, res.body.error]).toEqual([method, 404, 'unknown_interview']);
    }
    expect((await api('GET', interviewPath(c.id, '01'))).body).toEqual({ error: 'unknown_interview', message: 'no interview 01' });
    const unknown = randomUUID();
    expect((await api('POST', `${interviewPath(c.id, '1', unknown)}/schedule`, body())).body).toEqual({ error: 'unknown_integration', message: `no integration ${unknown}` });
    const noToken = await fetch(`${h.stack.baseUrl}${interviewPath(c.id)}`);
    expect(noToken.status).toBe(401);
  });

  it('cancels through the admin API, and refuses a schedule or a cancellation afterwards with 409', async () => {
    const c = newCandidate();
    const { room } = await scheduledRoom(c);
    expect((await api('POST', `${interviewPath(c.id)}/schedule`, body())).status).toBe(200);
    expect(panelsOf(c.id)).toHaveLength(1);

    const cancelled = await api('DELETE', `${interviewPath(c.id)}/schedule`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.interview).toMatchObject({ interviewId: '1', status: 'cancelled' });
    expect(panelsOf(c.id)).toEqual([]);
    expect(h.sandboxes.codesignalSandbox.control.interview(room.id).status).toBe('deleted');
    expect(h.opportunity(c.id).links).not.toContain(room.url);

    for (const [method, payload] of [['POST', body()], ['DELETE', undefined]] as const) {
      const res = await api(method, `${interviewPath(c.id)}/schedule`, payload);
      expect([method, res.status, res.body.error]).toEqual([method, 409, 'schedule_refused']);
      expect(res.body.message).toEqual(expect.any(String));
    }
    expect(panelsOf(c.id)).toEqual([]);
  });

  it('refuses a slot the workflow does not take (in the past) with 409 and its reason', async () => {
    const c = newCandidate();
    await scheduledRoom(c);
    const res = await api('POST', `${interviewPath(c.id)}/schedule`, body({ start: slot('UTC', -2).start, timezone: 'UTC' }));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'schedule_refused', message: expect.any(String) });
    expect(panelsOf(c.id)).toEqual([]);
  });

  describe('the signed scheduling page', () => {
    it('is 403 for a link the service did not sign, and 404 for a signed link to no interview', async () => {
      const opportunityId = randomUUID();
      const ref = { integrationId: h.integration.id, opportunityId, interviewId: '1' };
      const secret = h.stack.config.LINK_SIGNING_SECRET!;
      const good = interviewScheduleUrl(h.stack.baseUrl, secret, ref);
      for (const bad of [good.replace(/sig=.*/, 'sig=forged'), good.replace(/\?sig=.*/, ''), interviewScheduleUrl(h.stack.baseUrl, 'another secret of at least 32 characters', ref)]) {
        const res = await fetch(bad);
        expect([bad, res.status]).toEqual([bad, 403]);
        expect(await res.text()).toContain('This scheduling link is not valid.');
      }
      // a signature for another interview of the same candidate
      const other = interviewScheduleUrl(h.stack.baseUrl, secret, { ...ref, interviewId: '2' });
      expect((await fetch(`${good.split('?')[0]}?${other.split('?')[1]}`)).status).toBe(403);
      const missing = await fetch(good);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain('This interview does not exist.');
      expect((await postForm(good.replace(/sig=.*/, 'sig=forged'), [['action', 'cancel']])).status).toBe(403);
    });

    it('shows the form with the candidate, the active Lever users and a template id field; schedules, shows the slot, reschedules and cancels', async () => {
      const c = newCandidate('Grace <Hopper> & “Navy”');
      const { room, link } = await scheduledRoom(c);
      const page = await fetch(link);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain('For <strong class="candidate">Grace &lt;Hopper&gt; &amp; “Navy”</strong>.');
      expect(html).not.toContain('<Hopper>');
      expect(html).not.toContain('<script');
      for (const u of seed().users) {
        expect(html).toContain(`name="interviewerIds" value="${u.id}"`);
        expect(html).toContain(u.email);
      }
      // the reference documents no fields of CodeSignal's interview templates: none is listed, an id may be pasted
      expect(html).toContain('<input type="text" id="templateId" name="templateId" value=""');
      for (const t of h.sandboxes.codesignal.seed.interviewTemplates) expect(html).not.toContain(t.id);
      expect(html).toContain('<option value="UTC" selected>UTC</option>');
      expect(html).toContain('<option value="60" selected>1 h</option>');
      expect(html).toContain('<option value="Europe/Paris">Europe/Paris</option>');
      expect(html).not.toContain('Cancel interview');

      // a zone the form never offers, as a hand-made request could send it
      const badZone = await postForm(link, [['action', 'schedule'], ['date', slot('UTC').date], ['time', '14:00'], ['timezone', 'Nowhere/Atlantis'], ['durationMinutes', '60'], ['interviewerIds', seed().userIds.interviewer]]);
      expect(badZone.status).toBe(400);
      expect(await badZone.text()).toContain('Time zone: must be an IANA time zone');
      const noDate = await postForm(link, [['action', 'schedule'], ['date', ''], ['time', '14:00'], ['timezone', 'UTC'], ['durationMinutes', '60'], ['interviewerIds', seed().userIds.interviewer]]);
      expect(noDate.status).toBe(400);
      expect(await noDate.text()).toContain('Date and time: ');
      // a slot the workflow refuses: its reason, as a sentence
      const past = await postForm(link, [['action', 'schedule'], ['date', slot('UTC', -1).date], ['time', '14:00'], ['timezone', 'UTC'], ['durationMinutes', '60'], ['interviewerIds', seed().userIds.interviewer]]);
      expect(past.status).toBe(409);
      expect(await past.text()).toMatch(/<h1>Not scheduled<\/h1><p>[A-Z][^<]*\.<\/p>/);
      expect(panelsOf(c.id)).toEqual([]);

      const at = slot('America/New_York', 4);
      const template = h.sandboxes.codesignal.seed.interviewTemplates[1]!;
      const interviewers = [seed().userIds.interviewer, seed().userIds.secondRecruiter];
      const done = await postForm(link, [
        ['action', 'schedule'],
        ['date', at.date],
        ['time', at.time],
        ['timezone', 'America/New_York'],
        ['durationMinutes', '90'],
        ...interviewers.map((id): [string, string] => ['interviewerIds', id]),
        ['templateId', template.id],
      ]);
      const doneHtml = await done.text();
      expect([done.status, doneHtml]).toEqual([200, expect.stringContaining('Scheduled for ')]);
      const names = interviewers.map((id) => seed().users.find((u) => u.id === id)!.name);
      const when = DateTime.fromMillis(at.startsAt, { zone: 'America/New_York' }).setLocale('en-GB').toFormat('cccc d LLLL yyyy, HH:mm');
      expect(doneHtml).toContain(`Scheduled for ${when} (America/New_York), 90 min with ${names.join(', ')}.`);
      const state = await handle(c.id).query(interviewStateQuery);
      expect(state.schedule).toMatchObject({ startsAt: at.startsAt, timezone: 'America/New_York', durationMinutes: 90, interviewerIds: interviewers, templateId: template.id, scheduledBy: null });
      const [panel] = panelsOf(c.id);
      expect(panel).toMatchObject({ id: state.schedule!.panelId, timezone: 'America/New_York', externallyManaged: true, externalUrl: room.url });
      expect(panel!.interviews[0]).toMatchObject({ date: at.startsAt, duration: 90 });
      // the room now uses the pasted template, locked
      expect(h.sandboxes.codesignalSandbox.control.interview(room.id)).toMatchObject({ templateId: template.id, lockTemplate: true });

      // the page now shows the slot, prefills the form with it and offers to cancel
      const again = await (await fetch(link)).text();
      expect(again).toContain(`Scheduled for ${when} (America/New_York), 90 min with`);
      expect(again).toContain(`value="${at.date}"`);
      expect(again).toContain('<option value="America/New_York" selected>');
      expect(again).toContain('<option value="90" selected>');
      expect(again).toContain(`value="${seed().userIds.secondRecruiter}" checked`);
      expect(again).toContain(`name="templateId" value="${template.id}"`);
      expect(again).toContain('Cancel interview');

      // rescheduled from the page: the service's panel is replaced, never doubled
      const later = slot('UTC', 6);
      const moved = await postForm(link, [['action', 'schedule'], ['date', later.date], ['time', later.time], ['timezone', 'UTC'], ['durationMinutes', '30'], ['interviewerIds', seed().userIds.interviewer], ['templateId', '']]);
      expect(moved.status).toBe(200);
      expect(await moved.text()).toContain(', 14:00 (UTC), 30 min with ');
      expect((await handle(c.id).query(interviewStateQuery)).schedule).toMatchObject({ startsAt: later.startsAt, timezone: 'UTC', durationMinutes: 30, templateId: null });
      expect(panelsOf(c.id)).toHaveLength(1);
      expect(panelsOf(c.id)[0]!.interviews[0]).toMatchObject({ date: later.startsAt, duration: 30 });

      const cancelled = await postForm(link, [['action', 'cancel']]);
      expect(cancelled.status).toBe(200);
      expect(await cancelled.text()).toContain('Cancelled');
      expect((await handle(c.id).query(interviewStateQuery)).status).toBe('cancelled');
      expect(panelsOf(c.id)).toEqual([]);
      expect(h.sandboxes.codesignalSandbox.control.interview(room.id).status).toBe('deleted');
      const closed = await fetch(link);
      expect(closed.status).toBe(409);
      expect(await closed.text()).toContain('This interview is cancelled');

      // the candidate's name is on the page, never in a log
      expect(JSON.stringify(logged)).not.toContain('Hopper');
    });
  });
});
