import type { Feedback, FeedbackTemplate, FeedbackTemplateField } from '../model';
import type { AccountState } from '../state';

/** Wire shapes of feedback templates and feedback (§3.8). */

const fieldView = (f: FeedbackTemplateField) => ({
  id: f.id, type: f.type, text: f.text, description: f.description, required: f.required,
  ...(f.options ? { options: f.options.map((o) => ({ text: o.text })) } : {}),
  ...(f.scores ? { scores: f.scores.map((s) => ({ text: s.text, description: s.description })) } : {}),
});

export const feedbackTemplateView = (t: FeedbackTemplate) => ({ id: t.id, text: t.text, fields: t.fields.map(fieldView), createdAt: t.createdAt, updatedAt: t.updatedAt });

/**
 * A feedback item: its id and what §3.8's POST sends (the reference spells nothing more). Sparse leaves out
 * what the POST makes optional except the values (panel, interview, createdAt, completedAt).
 */
export function feedbackView(f: Feedback, sparse: boolean) {
  const full = { id: f.id, baseTemplateId: f.baseTemplateId, panel: f.panel, interview: f.interview, fieldValues: f.fieldValues, createdAt: f.createdAt, completedAt: f.completedAt };
  return sparse ? { id: f.id, baseTemplateId: f.baseTemplateId, fieldValues: f.fieldValues } : full;
}

/** What a recruiter sees of a feedback form in Lever: author, template, each field's label and value (control API only). */
export function inspectFeedback(account: AccountState, f: Feedback) {
  return {
    id: f.id,
    template: { id: f.baseTemplateId, text: f.templateText, stillExists: account.feedbackTemplates.has(f.baseTemplateId) },
    author: f.user,
    authorName: f.user ? (account.users.get(f.user)?.name ?? null) : null,
    createdVia: f.createdVia,
    panel: f.panel,
    interview: f.interview,
    createdAt: f.createdAt,
    completedAt: f.completedAt,
    updatedAt: f.updatedAt,
    fields: f.fields.map((field) => ({
      id: field.id, type: field.type, text: field.text,
      value: f.fieldValues.find((v) => v.id === field.id)?.value ?? null,
    })),
  };
}
