import { z } from 'zod';
import { badRequest, forbidden } from '../errors';
import { newId } from '../ids';
import {
  FEEDBACK_FIELD_TYPES, SCORE_SYSTEM_OPTIONS, type Feedback, type FeedbackTemplate, type FeedbackTemplateField, type FeedbackValue, type Via,
} from '../model';
import type { AccountState } from '../state';
import { touch, type Actor } from './actor';

/**
 * Feedback templates and feedback (reference §3.8). The reference documents a template's field `type`,
 * `options: [{text}]`, `scores: [{text, description?}]` and exactly one `score-system` field; the name of
 * the template and the label of a field are `text` (as everywhere in Lever's wire format, e.g. a note's
 * field `text: "Comment"`), a field may carry `description` and `required`. Nothing else is accepted.
 */
const option = z.strictObject({ text: z.string().min(1) });
const labelled = { text: z.string().min(1).max(255), description: z.string().max(2000).optional(), required: z.boolean().optional() };

const fieldBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.enum(['text', 'textarea', 'code', 'date', 'score', 'yes-no']), ...labelled }),
  z.strictObject({ type: z.enum(['dropdown', 'multiple-choice', 'multiple-select']), ...labelled, options: z.array(option).min(1) }),
  z.strictObject({ type: z.literal('score-system'), ...labelled, options: z.array(option).optional() }),
  z.strictObject({ type: z.literal('scorecard'), ...labelled, scores: z.array(z.strictObject({ text: z.string().min(1), description: z.string().optional() })).min(1) }),
], { error: (issue) => (issue.code === 'invalid_union' ? `type must be one of ${FEEDBACK_FIELD_TYPES.join(', ')}` : undefined) });

/** Body of `POST /feedback_templates` and `PUT /feedback_templates/:id` (a PUT replaces the whole template). */
export const templateBody = z.strictObject({
  text: z.string().min(1).max(255),
  fields: z.array(fieldBody).min(1).max(100),
}).superRefine((t, ctx) => {
  const scoreSystems = t.fields.filter((f) => f.type === 'score-system');
  if (scoreSystems.length !== 1) ctx.addIssue({ code: 'custom', path: ['fields'], message: `a template must contain exactly one score-system field (it has ${scoreSystems.length})` });
  t.fields.forEach((f, i) => {
    if (f.type !== 'score-system' || f.options === undefined) return;
    const texts = f.options.map((o) => o.text);
    if (texts.length !== SCORE_SYSTEM_OPTIONS.length || texts.some((text, n) => text !== SCORE_SYSTEM_OPTIONS[n])) {
      ctx.addIssue({ code: 'custom', path: ['fields', i, 'options'], message: `a score-system field's options are ${SCORE_SYSTEM_OPTIONS.map((o) => `"${o}"`).join(', ')}` });
    }
  });
});
export type TemplateInput = z.infer<typeof templateBody>;

const toFields = (input: TemplateInput): FeedbackTemplateField[] =>
  input.fields.map((f) => ({
    id: newId(),
    type: f.type,
    text: f.text,
    description: f.description ?? null,
    required: f.required ?? false,
    ...(f.type === 'score-system' ? { options: SCORE_SYSTEM_OPTIONS.map((text) => ({ text })) } : {}),
    ...('options' in f && f.type !== 'score-system' ? { options: f.options } : {}),
    ...('scores' in f ? { scores: f.scores.map((s) => ({ text: s.text, description: s.description ?? null })) } : {}),
  }));

export function createTemplate(account: AccountState, via: Via, input: TemplateInput): FeedbackTemplate {
  const now = Date.now();
  const template: FeedbackTemplate = { id: newId(), text: input.text, fields: toFields(input), createdAt: now, updatedAt: now, createdVia: via };
  account.feedbackTemplates.set(template.id, template);
  return template;
}

/** Templates made in Lever's UI cannot be changed or deleted through the API (§3.8, [U] for changes). */
function apiTemplate(account: AccountState, id: string, doing: string): FeedbackTemplate {
  const template = account.feedbackTemplate(id);
  if (template.createdVia !== 'api') throw forbidden(`feedback template ${id} was not created through the API and cannot be ${doing}`);
  return template;
}

/** Replaces the whole template: every field gets a new id; feedback already written keeps the old ones. */
export function replaceTemplate(account: AccountState, id: string, input: TemplateInput): FeedbackTemplate {
  const template = apiTemplate(account, id, 'changed');
  Object.assign(template, { text: input.text, fields: toFields(input), updatedAt: Date.now() });
  return template;
}

export function deleteTemplate(account: AccountState, id: string, via: Via): void {
  if (via === 'api') apiTemplate(account, id, 'deleted');
  else account.feedbackTemplate(id);
  account.feedbackTemplates.delete(id);
}

const fieldValue = z.strictObject({ id: z.string().min(1), value: z.unknown() });

/** Body of `POST /opportunities/:id/feedback` (§3.8). */
export const createFeedbackBody = z.strictObject({
  baseTemplateId: z.string().min(1),
  panel: z.string().min(1).optional(),
  interview: z.string().min(1).optional(),
  fieldValues: z.array(fieldValue).optional(),
  createdAt: z.number().int().optional(),
  completedAt: z.number().int().optional(),
}).refine((b) => (b.panel === undefined) === (b.interview === undefined), { message: 'panel and interview go together: send both or neither', path: ['interview'] });
export type CreateFeedbackInput = z.infer<typeof createFeedbackBody>;

/** Body of `PUT /opportunities/:id/feedback/:feedbackId`: `fieldValues` replaces every value (those left out are cleared). */
export const replaceFeedbackBody = z.strictObject({
  completedAt: z.number().int().optional(),
  fieldValues: z.array(fieldValue).optional(),
});
export type ReplaceFeedbackInput = z.infer<typeof replaceFeedbackBody>;

const score1to4 = z.number().int().min(1).max(4);

/** Why `value` is not a value of `field` (§3.8's table), or undefined when it is. */
function valueProblem(field: FeedbackTemplateField, value: unknown): string | undefined {
  const texts = (field.options ?? []).map((o) => o.text);
  const oneOf = () => `one of ${texts.map((t) => JSON.stringify(t)).join(', ')}`;
  switch (field.type) {
    case 'text': case 'textarea': case 'code':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'date':
      return Number.isInteger(value) ? undefined : 'must be an integer (ms since the epoch)';
    case 'dropdown': case 'multiple-choice': case 'score-system':
      return typeof value === 'string' && texts.includes(value) ? undefined : `must be exactly ${oneOf()}`;
    case 'multiple-select':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && texts.includes(v)) ? undefined : `must be an array of option texts, each ${oneOf()}`;
    case 'score':
      return value === null || score1to4.safeParse(value).success ? undefined : 'must be an integer 1–4 or null';
    case 'yes-no':
      return value === null || value === 'yes' || value === 'no' ? undefined : 'must be "yes", "no" or null';
    case 'scorecard': {
      const item = z.strictObject({ score: score1to4.nullable(), comment: z.string().optional() });
      const ok = Array.isArray(value) && value.length === (field.scores ?? []).length && value.every((v) => item.safeParse(v).success);
      return ok ? undefined : `must be one {score: 1–4 or null, comment?} per skill (${(field.scores ?? []).length})`;
    }
  }
}

/** Checks values against the fields they fill: ids of these fields only, each once, each of the field's shape. */
function checkedValues(fields: FeedbackTemplateField[], values: FeedbackValue[] | undefined): FeedbackValue[] {
  const seen = new Set<string>();
  return (values ?? []).map(({ id, value }, i) => {
    const field = fields.find((f) => f.id === id);
    if (!field) throw badRequest(`fieldValues[${i}].id: ${id} is not a field of the feedback template`);
    if (seen.has(id)) throw badRequest(`fieldValues[${i}].id: field ${id} is given twice`);
    seen.add(id);
    const problem = valueProblem(field, value);
    if (problem) throw badRequest(`fieldValues[${i}].value: the ${field.type} field ${id} ("${field.text}") ${problem}`);
    return { id, value };
  });
}

export function createFeedback(account: AccountState, actor: Actor, opportunityId: string, input: CreateFeedbackInput): Feedback {
  const opp = account.opportunity(opportunityId);
  const template = account.feedbackTemplates.get(input.baseTemplateId);
  if (!template) throw badRequest(`baseTemplateId: ${input.baseTemplateId} is not a feedback template of this account`);
  if (input.panel !== undefined && input.interview !== undefined) {
    const panel = account.panels.get(input.panel);
    if (panel?.opportunityId !== opportunityId) throw badRequest(`panel: ${input.panel} is not a panel of opportunity ${opportunityId}`);
    if (!panel.interviewIds.includes(input.interview)) throw badRequest(`interview: ${input.interview} is not an interview of panel ${input.panel}`);
  }
  const now = Date.now();
  const createdAt = input.createdAt ?? now;
  if (createdAt > now) throw badRequest('createdAt cannot be in the future');
  const fieldValues = checkedValues(template.fields, input.fieldValues);
  const feedback: Feedback = {
    id: newId(), opportunityId, baseTemplateId: template.id, templateText: template.text, fields: structuredClone(template.fields),
    panel: input.panel ?? null, interview: input.interview ?? null, fieldValues, user: actor.userId,
    createdAt, completedAt: input.completedAt ?? createdAt, updatedAt: now, createdVia: actor.via,
  };
  touch(opp, now);
  account.feedback.set(feedback.id, feedback);
  return feedback;
}

function apiFeedback(account: AccountState, opportunityId: string, id: string, doing: string): Feedback {
  const feedback = account.feedbackItem(opportunityId, id);
  if (feedback.createdVia !== 'api') throw forbidden(`feedback ${id} was not created through the API and cannot be ${doing}`);
  return feedback;
}

/** `fieldValues` replaces every value, checked against the fields the feedback was written with. */
export function replaceFeedback(account: AccountState, opportunityId: string, id: string, input: ReplaceFeedbackInput): Feedback {
  const feedback = apiFeedback(account, opportunityId, id, 'changed');
  if (input.fieldValues !== undefined) feedback.fieldValues = checkedValues(feedback.fields, input.fieldValues);
  if (input.completedAt !== undefined) feedback.completedAt = input.completedAt;
  feedback.updatedAt = Date.now();
  return feedback;
}

export function deleteFeedback(account: AccountState, opportunityId: string, id: string): void {
  apiFeedback(account, opportunityId, id, 'deleted');
  account.feedback.delete(id);
}
