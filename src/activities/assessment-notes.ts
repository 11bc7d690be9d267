import type { AssessmentNote } from '../workflows/assessment-notes';

const date = (ms: number | null) => (ms === null ? 'unknown' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC');

/** The marker line that makes a note findable again, so a retried write never posts it twice. */
export const noteMarker = (noteRef: string) => `[CodeSignal integration ref ${noteRef}]`;

const cancelReasons = { archived: 'the candidate was archived in Lever', hired: 'the candidate was hired', recruiter: 'a recruiter cancelled it' } as const;

/** Plain-text Lever notes for each step of an assessment; `archiveReason` is the looked-up reason of a cancelling archive. */
export function renderAssessmentNote(note: AssessmentNote, archiveReason?: { text: string; type: 'hired' | 'non-hired' }): string {
  switch (note.kind) {
    case 'invitation':
      return `CodeSignal invitation sent: ${note.testTitle} to ${note.email}. The invitation expires ${date(note.expiresAt)}.`;
    case 'resent':
      return `CodeSignal invitation for ${note.testTitle} sent again to ${note.email}.`;
    case 'extended':
      return `CodeSignal invitation for ${note.testTitle} extended; it now expires ${date(note.expiresAt)}.`;
    case 'retake':
      return `CodeSignal retake of ${note.testTitle} sent to ${note.email}. The new invitation expires ${date(note.expiresAt)}.`;
    case 'provisional': {
      const s = note.session;
      return [
        `CodeSignal result (provisional, proctoring verification pending): ${s.testTitle}`,
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
        `CodeSignal result: ${s.testTitle}`,
        `Score: ${s.score ?? '—'} / ${s.maxScore}${percent}${outcome}`,
        `Completed: ${date(s.finishedAt)}`,
        `Proctoring: ${proctoring}`,
        `Report: ${s.reportUrl ?? 'not available'}`,
      ].join('\n');
    }
    case 'notVerified': {
      const s = note.session;
      const reasons = s.rejectionReasons.length ? s.rejectionReasons.join('; ') : 'no reason given';
      return [
        `CodeSignal result NOT verified: ${s.testTitle}`,
        `Score (not verified): ${s.score ?? '—'} / ${s.maxScore}`,
        `Reasons: ${reasons}`,
      ].join('\n');
    }
    case 'expired':
      return `CodeSignal invitation${note.testTitle ? ` for ${note.testTitle}` : ''} expired before the candidate completed it.`;
    case 'declined':
      return `The candidate declined the CodeSignal invitation for ${note.testTitle}.`;
    case 'cancelled': {
      const why =
        note.reason === 'archived' && archiveReason
          ? archiveReason.type === 'hired' ? cancelReasons.hired : `${cancelReasons.archived} (${archiveReason.text})`
          : cancelReasons[note.reason];
      return `CodeSignal assessment${note.testTitle ? ` ${note.testTitle}` : ''} cancelled: ${why}.`;
    }
    case 'failed':
      return `CodeSignal assessment stopped because of an error: ${note.message}\nAn administrator can see the details in the integration's Temporal Web UI.`;
  }
}
