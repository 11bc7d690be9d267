import PDFDocument from 'pdfkit';
import type { SessionSnapshot } from '../../workflows/assessment/messages';

export interface AssessmentReportInput {
  candidateName: string;
  candidateEmail: string | null;
  session: SessionSnapshot;
  passed: boolean | null;
  generatedAt: Date;
}

const when = (ms: number | null) => (ms === null ? '—' : new Date(ms).toUTCString());

/** Renders the assessment result as a one-page PDF (pdfkit), uploaded to Lever as a file. */
export function renderAssessmentReport(input: AssessmentReportInput): Promise<Buffer> {
  const { session } = input;
  // A fixed creation date keeps the bytes of a re-rendered report identical.
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `CodeSignal report: ${session.testTitle ?? 'assessment'}`, Author: 'Lever ⇄ CodeSignal integration', CreationDate: input.generatedAt } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.fontSize(20).text('CodeSignal assessment report');
  doc.moveDown(0.5).fontSize(11).fillColor('#555').text(`Generated ${input.generatedAt.toUTCString()}`).fillColor('#000');
  doc.moveDown();
  const percent = session.score !== null && session.maxScore > 0 ? `${Math.round((session.score / session.maxScore) * 100)}%` : '—';
  const rows: Array<[string, string]> = [
    ['Candidate', `${input.candidateName}${input.candidateEmail ? ` <${input.candidateEmail}>` : ''}`],
    ['Test', session.testTitle ?? '—'],
    ['Score', `${session.score ?? '—'} / ${session.maxScore} (${percent})`],
    ['Outcome', input.passed === null ? 'no threshold configured' : input.passed ? 'passed' : 'below threshold'],
    ['Started', when(session.startedAt)],
    ['Completed', when(session.finishedAt)],
    ['Proctoring', session.verificationStatus ?? 'not proctored'],
    ['Session', session.id],
  ];
  doc.fontSize(12);
  for (const [label, value] of rows) {
    doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
  }
  const tasks = session.tasks ?? [];
  if (tasks.length) {
    doc.moveDown().font('Helvetica-Bold').text('Tasks');
    for (const t of tasks) doc.font('Helvetica').text(`${t.title}: ${t.score ?? '—'} / ${t.maxScore}`);
  }
  if (session.rejectionReasons.length) doc.moveDown().font('Helvetica-Bold').text('Verification issues: ', { continued: true }).font('Helvetica').text(session.rejectionReasons.join('; '));
  if (session.reportUrl) {
    doc.moveDown().font('Helvetica-Bold').text('Full report: ', { continued: true }).font('Helvetica').fillColor('#1a56db').text(session.reportUrl, { link: session.reportUrl, underline: true });
  }
  doc.end();
  return done;
}
