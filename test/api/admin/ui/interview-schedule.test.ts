import { existsSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { interviewStateQuery } from '../../../../src/workflows/interview/messages';
import { interviewWorkflowId } from '../../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../../support/assessment-harness';
import { chromiumPath, openWatchedPage } from '../../../support/browser';
import { screenshotPath } from '../../../support/screenshots';
import { eventually } from '../../../support/stack';

/**
 * The "Schedule CodeSignal interview" link in a real browser (Debian's Chromium, driven by
 * playwright-core) against the real API, worker, Temporal and both sandboxes: a candidate enters the
 * interview stage in Lever, the interview workflow puts the signed link on the opportunity, a recruiter
 * opens it, picks a date, time, zone, duration and an interviewer, and the interview is on the
 * candidate's Lever interview schedule. Screenshot: 15-schedule-interview (the filled form).
 */
describe('scheduling a live interview from the Lever link, in a browser', () => {
  let h: AssessmentHarness;
  let opened: Awaited<ReturnType<typeof openWatchedPage>> | undefined;
  const page = (): Page => opened!.page;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
    h = await startAssessmentHarness({ name: 'Interview schedule UI' });
    // interviews on the on-site stage, with the sandbox's first CodeSignal user as the rooms' interviewer
    const interviews = { triggerStageIds: [h.sandboxes.lever.seed.stageIds.onSite], interviewer: 'default', defaultCodeSignalUserId: h.sandboxes.codesignal.seed.users[0]!.id };
    expect((await h.putSettings(interviews, 'interviews')).status).toBe(200);
    opened = await openWatchedPage();
  }, 90_000);

  afterAll(() => Promise.all([opened?.browser.close(), h?.close()]));

  it('opens the signed link from Lever, schedules the interview and it is on the Lever interview schedule', () => opened!.watched.walk('interview-schedule-ui', walkThrough), 180_000);

  async function walkThrough() {
    const seed = h.sandboxes.lever.seed;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed.accountId, {
      name: 'Katherine Johnson',
      emails: [`katherine-${Date.now()}@example.org`],
      userId: seed.userIds.recruiter,
    });
    // A recruiter moves the candidate to the on-site in Lever: the interview workflow creates the room and puts the scheduling link on her.
    h.moveToStage(opp.id, seed.stageIds.onSite);
    const interview = h.stack.client.workflow.getHandle(interviewWorkflowId(h.integration.id, opp.id, 1));
    const link = await eventually(async () => {
      const found = h.opportunity(opp.id).links.find((l) => l.includes('/interviews/schedule/'));
      expect(found).toBeDefined();
      expect((await interview.query(interviewStateQuery)).status).toBe('scheduled');
      return found!;
    }, 30_000);

    await page().goto(link);
    await page().getByRole('heading', { name: 'Schedule the CodeSignal interview' }).waitFor();
    await page().getByText('Katherine Johnson').waitFor();
    const at = DateTime.now().setZone('Europe/Paris').plus({ days: 5 }).set({ hour: 15, minute: 30, second: 0, millisecond: 0 });
    const interviewer = seed.users.find((u) => u.id === seed.userIds.interviewer)!;
    await page().getByLabel('Date').fill(at.toFormat('yyyy-MM-dd'));
    await page().getByLabel('Time', { exact: true }).fill('15:30');
    await page().getByLabel('Time zone').selectOption('Europe/Paris');
    await page().getByLabel('Duration').selectOption('45');
    await page().getByLabel(interviewer.name).check();
    await page().screenshot({ path: screenshotPath('15-schedule-interview'), fullPage: true });

    await page().getByRole('button', { name: 'Schedule interview' }).click();
    await page().getByRole('heading', { name: 'Scheduled' }).waitFor();
    const outcome = await page().locator('#outcome').innerText();
    expect(outcome).toContain(`Scheduled for ${at.setLocale('en-GB').toFormat('cccc d LLLL yyyy')}, 15:30 (Europe/Paris), 45 min with ${interviewer.name}.`);

    // On the candidate's Lever interview schedule: one panel, the service's, with the slot and the interviewer.
    const state = await interview.query(interviewStateQuery);
    const panels = h.opportunity(opp.id).panels.filter((p) => p.canceledAt === null);
    expect(panels).toHaveLength(1);
    expect(panels[0]).toMatchObject({ id: state.schedule!.panelId, timezone: 'Europe/Paris', externallyManaged: true });
    expect(panels[0]!.interviews).toEqual([expect.objectContaining({ date: at.toMillis(), duration: 45, interviewers: [expect.objectContaining({ id: interviewer.id })] })]);

    // Back on the link, the page shows the slot and offers to cancel.
    await page().getByRole('link', { name: 'Back to the scheduling page' }).click();
    await page().getByRole('heading', { name: 'Reschedule the CodeSignal interview' }).waitFor();
    await page().locator('#current-schedule').getByText('45 min with').waitFor();
    await page().getByRole('button', { name: 'Cancel interview' }).waitFor();
  }
});
