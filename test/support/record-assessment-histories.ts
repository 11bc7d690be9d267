/**
 * Records the histories of a whole assessment (candidate workflow + assessment workflow) and of a
 * live interview for the
 * replay test. Needs a PostgreSQL: 
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx ts-node --transpile-only test/support/record-assessment-histories.ts
 * Re-record only when a workflow change is deliberately incompatible and old runs have drained.
 */
// before the stack is started: recorded histories use the service key alone (test/support/stack.ts)
process.env.RECORD_HISTORIES = '1';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { migrate } from '../../src/db/migrate';
import { findTemporalBinary } from '../../dev/temporal-binaries';
import { assessmentWorkflowId, candidateWorkflowId, interviewWorkflowId } from '../../src/workflows/shared/ids';
import { customSearchAttributes } from '../../src/workflows/shared/search-attributes';
import { startAssessmentHarness } from './assessment-harness';
import { eventually, testLogger } from './stack';

async function main() {
  const binary = findTemporalBinary('temporal', undefined, process.env.PATH ?? '');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { ...(binary ? { executable: { type: 'existing-path' as const, path: binary } } : {}), searchAttributes: customSearchAttributes },
  });
  process.env.TEST_TEMPORAL_ADDRESS = env.address;
  await migrate(process.env.TEST_DATABASE_URL!, testLogger);
  const h = await startAssessmentHarness();
  try {
    const seed = h.sandboxes.lever.seed;
    const candidate = seed.opportunities.find((o) => o.email && o.postingId)!;
    h.moveToStage(candidate.id, seed.stageIds.assessment);
    const link = await eventually(async () => {
      const url = h.opportunity(candidate.id).links.find((l) => l.includes('/assessments/select/'));
      if (!url) throw new Error('no link yet');
      return url;
    }, 30_000);
    const test = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    await fetch(link, { method: 'POST', body: new URLSearchParams({ testId: test.id }) });
    const session = await eventually(async () => {
      const s = h.sandboxes.codesignalSandbox.control.sessions(h.sandboxes.codesignal.seed.companyId).find((x) => x.candidate.email === candidate.email);
      if (!s || s.status !== 'pending') throw new Error('no session yet');
      return s;
    }, 30_000);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: session.maxScore });
    const assessment = h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, candidate.id, 1));
    await assessment.result();
    const candidateHandle = h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, candidate.id));
    await new Promise((r) => setTimeout(r, 1000)); // let the last status signal land in the candidate's history
    const dir = path.join(__dirname, '..', 'histories');
    writeFileSync(path.join(dir, 'assessment-workflow-v1.json'), historyToJSON(await assessment.fetchHistory()) + '\n');
    writeFileSync(path.join(dir, 'candidate-workflow-assessments-v1.json'), historyToJSON(await candidateHandle.fetchHistory()) + '\n');
    await candidateHandle.terminate('recorded');

    // A live interview: room, Lever schedule, feedback.
    const interviewer = h.sandboxes.codesignal.seed.users[0]!.id;
    await h.putSettings({ triggerStageIds: [seed.stageIds.onSite], interviewer: 'default', defaultCodeSignalUserId: interviewer }, 'interviews');
    const other = seed.opportunities.filter((o) => o.email)[1]!;
    h.moveToStage(other.id, seed.stageIds.onSite);
    const interview = h.stack.client.workflow.getHandle(interviewWorkflowId(h.integration.id, other.id, 1));
    const room = await eventually(async () => {
      const r = h.sandboxes.codesignalSandbox.control.interviews(h.sandboxes.codesignal.seed.companyId).find((i) => i.candidateEmail === other.email);
      if (!r || !h.opportunity(other.id).links.includes(r.url)) throw new Error('no room yet');
      return r;
    }, 30_000);
    h.sandboxes.leverSandbox.recruiter.schedulePanel(seed.accountId, other.id, {
      timezone: 'UTC',
      interviews: [{ interviewers: [{ id: seed.userIds.interviewer }], date: Date.now() + 86_400_000, duration: 45 }],
    });
    await new Promise((r) => setTimeout(r, 1500));
    h.sandboxes.codesignalSandbox.control.startInterview(room.id);
    h.sandboxes.codesignalSandbox.control.finishInterview(room.id, { feedback: { notes: 'Good', overallEvaluation: 'yes' } });
    await interview.result();
    writeFileSync(path.join(dir, 'interview-workflow-v1.json'), historyToJSON(await interview.fetchHistory()) + '\n');
  } finally {
    await h.close();
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
