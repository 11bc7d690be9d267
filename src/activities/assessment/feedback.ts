import { log } from '@temporalio/activity';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { FeedbackTemplateFieldInput, LeverClient, NewFeedback } from '../../lever/client';
import type { LeverFeedbackTemplate } from '../../lever/schemas';
import { noteMarker, type WriteAttempt } from '../../lever/writes';
import type { SessionSnapshot } from '../../workflows/assessment/messages';

/**
 * The final assessment result as a Lever feedback form (setting `assessments.resultsAs` = `feedback` or
 * `both`; reference lever-api.md §3.8), on a template the service makes and keeps per integration.
 *
 * The template "CodeSignal assessment result" has the one `score-system` field every template needs, then
 * text fields (test, score, "Task 1" … "Task n", integrity / proctoring, report, the integration's
 * reference) and a `date` field (completed). Tasks are fields by position, not by title, and their number
 * only grows: one template fits every test of the integration, so tests with other task titles never make
 * the template change back and forth (a PUT renews every field id, §3.8). Its id and field ids are kept in
 * `lever_feedback_templates`; before each result the template is looked up in Lever (`GET
 * /feedback_templates`), made again when someone deleted it there, and replaced (PUT) when a test has more
 * tasks than it has fields.
 *
 * Idempotency. Lever has no idempotency key and nothing in the service's database can tell whether a POST
 * whose answer was lost was committed: the answer (and the id in it) is exactly what was lost. So the
 * feedback is found again in Lever, like a note by its marker (src/lever/writes.ts): it carries the note's
 * marker in its "Integration reference" field, and a write that may be a repeat (a retried activity, a
 * worker that crashed mid-write) first lists the opportunity's feedback (`GET /opportunities/:id/feedback`).
 * That list read is the `feedback:read:admin` row of §4 (`…/feedback`), but §3.8 spells no item shape: an
 * item is read as its `id` and what the POST sends, all optional, and the marker is looked for anywhere in
 * it. An item that shows no values at all (a shape that hides them) and may be on this template counts as
 * possibly ours: the feedback is then not posted again (logged), since a missing form is a smaller harm
 * than a duplicate, and with `both` the note carries the result anyway. A first attempt posts directly.
 */

export const FEEDBACK_TEMPLATE_NAME = 'CodeSignal assessment result';

/** §3.8: the options of the one `score-system` field. */
const SCORE_SYSTEM = ['4 - Strong Hire', '3 - Hire', '2 - No Hire', '1 - Strong No Hire'] as const;

/** A field of the template as the service keeps it: its own key, and the id Lever gave it. */
export interface TemplateField {
  key: string;
  id: string;
  type: FeedbackTemplateFieldInput['type'];
  text: string;
}

export interface StoredTemplate {
  templateId: string;
  fields: TemplateField[];
}

type WantedField = Omit<TemplateField, 'id'> & Pick<FeedbackTemplateFieldInput, 'description' | 'options'>;

/** The template's fields for tests of up to `tasks` tasks. */
export function templateFields(tasks: number): WantedField[] {
  return [
    { key: 'recommendation', type: 'score-system', text: 'Recommendation (pass mark)', options: SCORE_SYSTEM.map((text) => ({ text })) },
    { key: 'test', type: 'text', text: 'Test' },
    { key: 'score', type: 'text', text: 'Score' },
    ...Array.from({ length: tasks }, (_, i): WantedField => ({ key: `task${i + 1}`, type: 'text', text: `Task ${i + 1}` })),
    { key: 'integrity', type: 'text', text: 'Integrity / proctoring' },
    { key: 'completed', type: 'date', text: 'Completed' },
    { key: 'report', type: 'text', text: 'Report' },
    { key: 'reference', type: 'text', text: 'Integration reference', description: 'Written by the CodeSignal integration, which finds this form again by it.' },
  ];
}

const taskCount = (fields: ReadonlyArray<Pick<TemplateField, 'key'>>) => fields.filter((f) => /^task\d+$/.test(f.key)).length;
const sameFields = (a: ReadonlyArray<Omit<TemplateField, 'id'>>, b: ReadonlyArray<Omit<TemplateField, 'id'>>) =>
  a.length === b.length && a.every((f, i) => f.key === b[i]!.key && f.type === b[i]!.type && f.text === b[i]!.text);

const templateBody = (wanted: WantedField[]) => ({
  text: FEEDBACK_TEMPLATE_NAME,
  fields: wanted.map(({ type, text, description, options }) => ({ type, text, ...(description ? { description } : {}), ...(options ? { options } : {}) })),
});

/** The ids Lever gave the wanted fields, matched by type and label in order; undefined when the answer does not show them all. */
function fieldIds(template: LeverFeedbackTemplate, wanted: WantedField[]): TemplateField[] | undefined {
  const listed = template.fields ?? [];
  const matched = wanted.map((w) => {
    const field = listed.find((f) => f.text === w.text && (f.type == null || f.type === w.type));
    return field ? { key: w.key, id: field.id, type: w.type, text: w.text } : undefined;
  });
  return matched.every((f) => f !== undefined) ? (matched as TemplateField[]) : undefined;
}

async function readStored(db: Db, integrationId: string): Promise<StoredTemplate | undefined> {
  const { rows } = await db.query<{ template_id: string; fields: TemplateField[] }>(
    'SELECT template_id, fields FROM lever_feedback_templates WHERE integration_id = $1', [integrationId]);
  return rows[0] ? { templateId: rows[0].template_id, fields: rows[0].fields } : undefined;
}

async function store(db: Db, integrationId: string, template: LeverFeedbackTemplate, wanted: WantedField[], call: string): Promise<StoredTemplate> {
  const fields = fieldIds(template, wanted);
  if (!fields) {
    throw new ExternalApiError(`Lever ${call}: unexpected response (the template's field ids are not in the answer)`, { service: 'lever', code: 'UnexpectedResponse', retryable: false });
  }
  await db.query(
    `INSERT INTO lever_feedback_templates (integration_id, template_id, fields) VALUES ($1, $2, $3)
     ON CONFLICT (integration_id) DO UPDATE SET template_id = EXCLUDED.template_id, fields = EXCLUDED.fields, updated_at = now()`,
    [integrationId, template.id, JSON.stringify(fields)]);
  return { templateId: template.id, fields };
}

/**
 * The integration's template, for a test of `tasks` tasks: found by its stored id, replaced when it needs
 * more task fields, made (again) when it does not exist in Lever. `attempt.mayHaveWritten`: an earlier
 * attempt may have made it and lost the answer, so an unstored template of this name and exactly these
 * fields is taken instead of making another.
 */
export async function ensureFeedbackTemplate(lever: LeverClient, db: Db, integrationId: string, tasks: number, attempt: WriteAttempt): Promise<StoredTemplate> {
  const stored = await readStored(db, integrationId);
  const wanted = templateFields(Math.max(tasks, stored ? taskCount(stored.fields) : 0));
  const listed = await lever.listAllFeedbackTemplates();
  const current = stored && listed.find((t) => t.id === stored.templateId);
  if (current && stored && sameFields(stored.fields, wanted)) return stored;
  if (current) return store(db, integrationId, await lever.replaceFeedbackTemplate(current.id, templateBody(wanted)), wanted, 'PUT /feedback_templates/:id');
  const lost = attempt.mayHaveWritten ? listed.find((t) => t.text === FEEDBACK_TEMPLATE_NAME && t.fields?.length === wanted.length && fieldIds(t, wanted)) : undefined;
  if (lost) return store(db, integrationId, lost, wanted, 'GET /feedback_templates');
  return store(db, integrationId, await lever.createFeedbackTemplate(templateBody(wanted)), wanted, 'POST /feedback_templates');
}

export interface ResultFeedback {
  integrationId: string;
  opportunityId: string;
  /** The result note's ref: the feedback carries the same marker. */
  noteRef: string;
  session: SessionSnapshot;
  passed: boolean | null;
}

const percentOf = (s: SessionSnapshot) => (s.score !== null && s.maxScore > 0 ? ` (${Math.round((s.score / s.maxScore) * 100)}%)` : '');

/** The form's values by field key; a field without a value is left out. */
export function feedbackValues(r: ResultFeedback, marker: string): Record<string, unknown> {
  const s = r.session;
  const values: Record<string, unknown> = {
    test: s.testTitle ?? 'the CodeSignal test',
    score: `${s.score ?? '—'} / ${s.maxScore}${percentOf(s)}`,
    integrity: s.verificationStatus === null ? 'not proctored' : s.verificationStatus,
    report: s.reportUrl ?? 'not available',
    reference: marker,
  };
  if (r.passed !== null) values.recommendation = r.passed ? '3 - Hire' : '2 - No Hire';
  if (s.finishedAt !== null) values.completed = s.finishedAt;
  (s.tasks ?? []).forEach((t, i) => { values[`task${i + 1}`] = `${t.title}: ${t.score ?? '—'} / ${t.maxScore}`; });
  return values;
}

const body = (template: StoredTemplate, values: Record<string, unknown>): NewFeedback => ({
  baseTemplateId: template.templateId,
  fieldValues: template.fields.filter((f) => f.key in values).map((f) => ({ id: f.id, value: values[f.key] })),
});

/** A 400 to a POST whose fields were stale (a concurrent PUT renewed them) is worth one more try with fresh ids. */
const refusedAsBadRequest = (err: unknown) => err instanceof ExternalApiError && err.status === 400;

/** Posts the result as feedback by `performAs`, once: see the module comment for how a repeat finds it. */
export async function ensureResultFeedback(
  ctx: { lever: LeverClient; db: Db; performAs: string },
  result: ResultFeedback,
  attempt: WriteAttempt,
): Promise<void> {
  const { lever, db } = ctx;
  const marker = noteMarker(`${result.opportunityId}/${result.noteRef}`);
  const tasks = (result.session.tasks ?? []).length;
  let template = await ensureFeedbackTemplate(lever, db, result.integrationId, tasks, attempt);
  if (attempt.mayHaveWritten) {
    const existing = await lever.listAllFeedback(result.opportunityId);
    if (existing.some((f) => JSON.stringify(f).includes(marker))) return;
    const unreadable = existing.filter((f) => !f.fieldValues?.length && (f.baseTemplateId == null || f.baseTemplateId === template.templateId));
    if (unreadable.length) {
      log.warn('Lever lists feedback on this template without its values: the result feedback is not posted again', { integrationId: result.integrationId, count: unreadable.length });
      return;
    }
  }
  const values = feedbackValues(result, marker);
  try {
    await lever.createFeedback(result.opportunityId, body(template, values), ctx.performAs);
  } catch (err) {
    if (!refusedAsBadRequest(err)) throw err;
    const fresh = await ensureFeedbackTemplate(lever, db, result.integrationId, tasks, attempt);
    const unchanged = fresh.templateId === template.templateId && fresh.fields.length === template.fields.length && fresh.fields.every((f, i) => f.id === template.fields[i]!.id);
    if (unchanged) throw err;
    template = fresh;
    await lever.createFeedback(result.opportunityId, body(template, values), ctx.performAs);
  }
}
