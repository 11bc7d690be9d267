import type { SessionSnapshot } from '../../workflows/assessment/messages';
import type { AssessmentNote } from '../../workflows/assessment/notes';
import { stopNoteText } from '../shared/stops';

const date = (ms: number | null) => (ms === null ? 'unknown' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC');

/** A test CodeSignal did not name (its `test` is nullable) is still "the test", never "null". */
const test = (title: string | null) => title ?? 'the CodeSignal test';

const taskLines = (s: SessionSnapshot) => (s.tasks ?? []).map((t) => `  ${t.title}: ${t.score ?? '—'} / ${t.maxScore}`);

/** An answer the service could not read is the service's problem, never the candidate's result. */
const isUnreadableAnswer = (failureType: string | undefined) => failureType?.endsWith('.UnexpectedResponse') ?? false;

const cancelReasons = { archived: 'the candidate was archived in Lever', hired: 'the candidate was hired', recruiter: 'a recruiter cancelled it' } as const;

/** The tag commands a recruiter adds to decide or resume (settings.tagCommands), for the notes that name them. */
export interface DecisionCommands {
  prefix: string;
  names: { approve: string; decline: string; confirmIntegrity: string; clearIntegrity: string; retry: string };
}

const commandTag = (commands: DecisionCommands | undefined, name: keyof DecisionCommands['names'], fallback: string) =>
  `“${commands?.prefix ?? 'CodeSignal: '}${commands?.names[name] ?? fallback}”`;

function integrityText(note: Extract<AssessmentNote, { kind: 'integrity' }>, commands: DecisionCommands | undefined): string {
  switch (note.phase) {
    case 'pending':
      return [
        'CodeSignal: the integrity review of this result suggests a problem (private note). Nothing is done on a suspicion: no stage move runs until a recruiter decides.',
        `If the problem stands, add the tag ${commandTag(commands, 'confirmIntegrity', 'integrity confirmed')} (the result counts as failed), or use Confirm on the candidate's timeline in the integration's admin UI; if it does not, add ${commandTag(commands, 'clearIntegrity', 'integrity cleared')} or use Clear (the result stands as scored).`,
        `Without a decision by ${date(note.deadline)} nothing is done.`,
      ].join('\n');
    case 'confirmed':
      return 'CodeSignal: the integrity problem was confirmed by a recruiter; the result counts as failed.';
    case 'cleared':
      return 'CodeSignal: the integrity review was cleared by a recruiter; the result stands as scored.';
    case 'timedOut':
      return `CodeSignal: no decision on the integrity review by ${date(note.deadline)}; no action was taken (the candidate stays where they are).`;
    case 'afterOutcome':
      return [
        "CodeSignal: the integrity review of this result suggests a problem (private note). It arrived after the result's outcome had run:",
        note.movedTo ? `the candidate was already moved to the stage ${note.movedTo}; that move was not undone.` : 'no stage move was made.',
        'A recruiter may want to review the result.',
      ].join(' ');
  }
}

function decisionText(note: Extract<AssessmentNote, { kind: 'decision' }>, commands: DecisionCommands | undefined): string {
  const stage = `the stage ${note.stageId}`;
  switch (note.phase) {
    case 'pending': {
      const tag = (name: string) => `“${commands?.prefix ?? 'CodeSignal: '}${name}”`;
      return [
        `CodeSignal: the result is below the threshold, which rejects the candidate (a move to ${stage}). That needs a recruiter's approval and has not been done.`,
        `To approve, add the tag ${tag(commands?.names.approve ?? 'approve')}, or use Approve on the candidate's timeline in the integration's admin UI; to decline (nothing is done), add ${tag(commands?.names.decline ?? 'decline')} or use Decline.`,
        `Without a decision by ${date(note.deadline)} nothing is done.`,
      ].join('\n');
    }
    case 'approved':
      return `CodeSignal: the rejection was approved; the candidate was moved to ${stage}.`;
    case 'declined':
      return `CodeSignal: the rejection was declined; nothing was done (the candidate stays where they are).`;
    case 'timedOut':
      return `CodeSignal: no decision on the rejection by ${date(note.deadline)}; no action was taken (the candidate stays where they are).`;
  }
}

/** Plain-text Lever notes for each step of an assessment; `archiveReason` is the looked-up reason of a cancelling archive. */
export function renderAssessmentNote(note: AssessmentNote, archiveReason?: { text: string; type: 'hired' | 'non-hired' }, commands?: DecisionCommands): string {
  switch (note.kind) {
    case 'invitation':
      return `CodeSignal invitation sent: ${test(note.testTitle)} to ${note.email}. The invitation expires ${date(note.expiresAt)}.`;
    case 'resent':
      return `CodeSignal invitation for ${test(note.testTitle)} sent again to ${note.email}.`;
    case 'extended':
      return `CodeSignal invitation for ${test(note.testTitle)} extended; it now expires ${date(note.expiresAt)}.`;
    case 'retake':
      return `CodeSignal retake of ${test(note.testTitle)} sent to ${note.email}. The new invitation expires ${date(note.expiresAt)}.`;
    case 'provisional': {
      const s = note.session;
      return [
        `CodeSignal result (provisional, proctoring verification pending): ${test(s.testTitle)}`,
        `Score: ${s.score ?? '—'} / ${s.maxScore}`,
        `Completed: ${date(s.finishedAt)}`,
        'The final result follows once CodeSignal has verified the proctored session (usually 1–3 business days).',
      ].join('\n');
    }
    case 'result': {
      const s = note.session;
      const percent = s.score !== null && s.maxScore > 0 ? ` (${Math.round((s.score / s.maxScore) * 100)}%)` : '';
      const outcome = note.passed === null ? '' : note.passed ? '\nOutcome: passed the threshold' : '\nOutcome: below the threshold';
      const proctoring = s.verificationStatus === 'verified' ? 'verified' : s.verificationStatus === null ? 'not proctored' : s.verificationStatus;
      return [
        `CodeSignal result: ${test(s.testTitle)}`,
        `Score: ${s.score ?? '—'} / ${s.maxScore}${percent}${outcome}`,
        ...((s.tasks ?? []).length ? ['Tasks:', ...taskLines(s)] : []),
        `Completed: ${date(s.finishedAt)}`,
        `Proctoring: ${proctoring}`,
        `Report: ${s.reportUrl ?? 'not available'}`,
      ].join('\n');
    }
    case 'notVerified': {
      const s = note.session;
      const reasons = s.rejectionReasons.length ? s.rejectionReasons.join('; ') : 'no reason given';
      return [
        `CodeSignal result NOT verified: ${test(s.testTitle)}`,
        `Score (not verified): ${s.score ?? '—'} / ${s.maxScore}`,
        `Reasons: ${reasons}`,
      ].join('\n');
    }
    case 'expired':
      return `CodeSignal invitation${note.testTitle ? ` for ${note.testTitle}` : ''} expired before the candidate completed it.`;
    case 'declined':
      return `The candidate declined the CodeSignal invitation for ${test(note.testTitle)}.`;
    case 'cancelled': {
      const why =
        note.reason === 'archived' && archiveReason
          ? archiveReason.type === 'hired' ? cancelReasons.hired : `${cancelReasons.archived} (${archiveReason.text})`
          : cancelReasons[note.reason];
      return `CodeSignal assessment${note.testTitle ? ` ${note.testTitle}` : ''} cancelled: ${why}.`;
    }
    case 'decision':
      return decisionText(note, commands);
    case 'integrity':
      return integrityText(note, commands);
    case 'testTagNotUnderstood':
      return `CodeSignal: the posting's test tag was not understood (${note.problem}), so no test was chosen from it; ${note.fallback}. An administrator can fix the tag in Lever or the test's title in CodeSignal.`;
    case 'stopped':
      return stopNoteText(note.stop, 'assessment', commands);
    case 'failed':
      if (isUnreadableAnswer(note.failureType)) {
        return `The CodeSignal integration could not read an answer it needs for this assessment (${note.message}). This is not the candidate's result: the assessment is on hold until an administrator has looked at it in the integration's Temporal Web UI.`;
      }
      return `CodeSignal assessment stopped because of an error: ${note.message}\nAn administrator can see the details in the integration's Temporal Web UI.`;
  }
}
