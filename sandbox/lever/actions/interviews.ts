import { z } from 'zod';
import { badRequest } from '../errors';
import { newId } from '../ids';
import { FEEDBACK_REMINDERS, type Interview, type Opportunity, type Panel } from '../model';
import type { AccountState } from '../state';
import type { ActionDeps } from './actor';

const interviewFields = z.object({
  subject: z.string().optional(),
  note: z.string().optional(),
  location: z.string().optional(),
  interviewers: z.array(z.object({ id: z.string(), feedbackTemplate: z.string().optional() })).min(1),
  date: z.number().int(),
  duration: z.number().int().min(1),
  feedbackTemplate: z.string().optional(),
  feedbackReminder: z.enum(FEEDBACK_REMINDERS).optional(),
});
type InterviewFields = z.infer<typeof interviewFields>;

/** `POST …/interviews`: `panel` names an externally managed panel. */
export const createInterviewBody = interviewFields.extend({ panel: z.string() });
/** `PUT …/interviews/:id`: full replacement; `panel`, when sent, must stay the same. */
export const replaceInterviewBody = interviewFields.extend({ panel: z.string().optional() });

/** An IANA zone name such as `Europe/Berlin`, as Lever's scheduler shows it. */
const timezone = z.string().min(1).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, { error: 'timezone must be an IANA time zone name such as Europe/Berlin' });

/** A panel's interviews belong to it by nesting, so they carry no `panel` (§3.7). */
const panelInterview = interviewFields.extend({ panel: z.undefined({ error: 'interviews of a panel carry no panel field' }).optional() });

const panelFields = z.object({
  timezone,
  applications: z.array(z.string()).min(1).optional(),
  feedbackReminder: z.enum(FEEDBACK_REMINDERS).optional(),
  note: z.string().optional(),
  externalUrl: z.string().optional(),
});

/** `POST …/panels`: every interview is new, so none may carry an `id`. */
export const createPanelBody = panelFields.extend({
  interviews: z.array(panelInterview.extend({ id: z.undefined({ error: 'a new panel\'s interviews have no id yet' }).optional() })).min(1),
});

/** `PUT …/panels/:id`: interviews with `id` are kept (replaced), without `id` created, missing ones deleted. */
export const replacePanelBody = panelFields.extend({
  interviews: z.array(panelInterview.extend({ id: z.string().min(1).optional() })).min(1)
    .refine((list) => {
      const ids = list.flatMap((i) => (i.id ? [i.id] : []));
      return new Set(ids).size === ids.length;
    }, { error: 'an interview id may appear only once' }),
});
export type PanelInput = z.infer<typeof replacePanelBody>;

export function createPanel({ events, account, actor }: ActionDeps, opportunityId: string, input: PanelInput, externallyManaged: boolean): Panel {
  const opp = account.opportunity(opportunityId);
  const panel: Panel = {
    id: newId(), opportunityId, applications: panelApplications(account, opp, input.applications),
    timezone: input.timezone, feedbackReminder: input.feedbackReminder ?? 'daily', note: input.note ?? '',
    externalUrl: input.externalUrl ?? null, externallyManaged, user: actor.userId, stage: opp.stage,
    createdAt: Date.now(), canceledAt: null, interviewIds: [],
  };
  input.interviews.forEach((fields) => validateInterviewers(account, fields));
  account.panels.set(panel.id, panel);
  for (const fields of input.interviews) addInterview({ events, account, actor }, opp, panel, fields, panel.feedbackReminder);
  return panel;
}

export function replacePanel(deps: ActionDeps, opportunityId: string, panelId: string, input: PanelInput): Panel {
  const { account } = deps;
  const opp = account.opportunity(opportunityId);
  const panel = writablePanel(account, opportunityId, panelId);
  const keptIds = new Set(input.interviews.flatMap((i) => (i.id ? [i.id] : [])));
  for (const id of keptIds) if (!panel.interviewIds.includes(id)) throw badRequest(`interview ${id} is not part of panel ${panelId}`);
  input.interviews.forEach((fields) => validateInterviewers(account, fields));
  Object.assign(panel, {
    applications: panelApplications(account, opp, input.applications), timezone: input.timezone,
    feedbackReminder: input.feedbackReminder ?? 'daily', note: input.note ?? '', externalUrl: input.externalUrl ?? null,
  });
  for (const id of panel.interviewIds.filter((i) => !keptIds.has(i))) removeInterview(deps, opp, account.interview(opportunityId, id), false);
  for (const fields of input.interviews) {
    if (fields.id) overwriteInterview(deps, opp, account.interview(opportunityId, fields.id), fields, panel.feedbackReminder);
    else addInterview(deps, opp, panel, fields, panel.feedbackReminder);
  }
  return panel;
}

export function deletePanel(deps: ActionDeps, opportunityId: string, panelId: string): void {
  const opp = deps.account.opportunity(opportunityId);
  const panel = writablePanel(deps.account, opportunityId, panelId);
  for (const id of [...panel.interviewIds]) removeInterview(deps, opp, deps.account.interview(opportunityId, id), false);
  deps.account.panels.delete(panel.id);
}

export function createInterview(deps: ActionDeps, opportunityId: string, input: z.infer<typeof createInterviewBody>): Interview {
  const opp = deps.account.opportunity(opportunityId);
  const panel = writablePanel(deps.account, opportunityId, input.panel);
  validateInterviewers(deps.account, input);
  return addInterview(deps, opp, panel, input, 'frequently');
}

export function replaceInterview(deps: ActionDeps, opportunityId: string, interviewId: string, input: z.infer<typeof replaceInterviewBody>): Interview {
  const opp = deps.account.opportunity(opportunityId);
  const interview = deps.account.interview(opportunityId, interviewId);
  writablePanel(deps.account, opportunityId, interview.panelId);
  if (input.panel !== undefined && input.panel !== interview.panelId) throw badRequest('An interview cannot move to another panel');
  validateInterviewers(deps.account, input);
  return overwriteInterview(deps, opp, interview, input, 'frequently');
}

/** Deleting the last interview of a panel deletes the panel too. */
export function deleteInterview(deps: ActionDeps, opportunityId: string, interviewId: string): void {
  const opp = deps.account.opportunity(opportunityId);
  const interview = deps.account.interview(opportunityId, interviewId);
  writablePanel(deps.account, opportunityId, interview.panelId);
  removeInterview(deps, opp, interview);
}

/** A recruiter deletes an interview in Lever's UI, on any panel (the API may change only its own panels). */
export function deleteInterviewInUi(deps: ActionDeps, opportunityId: string, interviewId: string): void {
  removeInterview(deps, deps.account.opportunity(opportunityId), deps.account.interview(opportunityId, interviewId));
}

/** `cleanInterviews` on archive: drops interviews that have not happened yet, whoever created them. */
export function cleanPendingInterviews(deps: ActionDeps, opp: Opportunity, now: number): void {
  for (const interview of deps.account.interviewsOf(opp.id)) if (interview.date > now) removeInterview(deps, opp, interview);
}

/** Only panels created through the API (or an integration) may be written through the API. */
function writablePanel(account: AccountState, opportunityId: string, panelId: string): Panel {
  const panel = account.panel(opportunityId, panelId);
  if (!panel.externallyManaged) throw badRequest(`panel ${panelId} is not externally managed; only panels created through the API can be changed`);
  return panel;
}

function panelApplications(account: AccountState, opp: Opportunity, requested: string[] | undefined): string[] {
  if (!requested) return opp.applicationIds.filter((id) => account.applications.get(id)?.archived === null);
  for (const id of requested) if (!opp.applicationIds.includes(id)) throw badRequest(`application ${id} does not belong to opportunity ${opp.id}`);
  return requested;
}

function validateInterviewers(account: AccountState, fields: InterviewFields): void {
  for (const { id } of fields.interviewers) account.user(id);
}

function addInterview(deps: ActionDeps, opp: Opportunity, panel: Panel, fields: InterviewFields, defaultReminder: Interview['feedbackReminder']): Interview {
  const interview: Interview = {
    id: newId(), opportunityId: opp.id, panelId: panel.id, ...interviewData(fields, defaultReminder),
    user: deps.actor.userId, stage: opp.stage, createdAt: Date.now(), canceledAt: null,
  };
  deps.account.interviews.set(interview.id, interview);
  panel.interviewIds.push(interview.id);
  emitInterviewEvent(deps, 'interviewCreated', opp, interview);
  return interview;
}

function overwriteInterview(deps: ActionDeps, opp: Opportunity, interview: Interview, fields: InterviewFields, defaultReminder: Interview['feedbackReminder']): Interview {
  Object.assign(interview, interviewData(fields, defaultReminder), { user: deps.actor.userId });
  emitInterviewEvent(deps, 'interviewUpdated', opp, interview);
  return interview;
}

/** Full replacement: every omitted field is cleared to its empty value. */
function interviewData(fields: InterviewFields, defaultReminder: Interview['feedbackReminder']) {
  return {
    subject: fields.subject ?? '',
    note: fields.note ?? '',
    location: fields.location ?? '',
    interviewers: fields.interviewers.map((iv) => ({ id: iv.id, feedbackTemplate: iv.feedbackTemplate ?? null })),
    date: fields.date,
    duration: fields.duration,
    feedbackTemplate: fields.feedbackTemplate ?? null,
    feedbackReminder: fields.feedbackReminder ?? defaultReminder,
  };
}

function removeInterview(deps: ActionDeps, opp: Opportunity, interview: Interview, dropEmptyPanel = true): void {
  const { account } = deps;
  account.interviews.delete(interview.id);
  const panel = account.panels.get(interview.panelId);
  if (panel) {
    panel.interviewIds = panel.interviewIds.filter((id) => id !== interview.id);
    if (dropEmptyPanel && panel.interviewIds.length === 0) account.panels.delete(panel.id);
  }
  emitInterviewEvent(deps, 'interviewDeleted', opp, interview);
}

function emitInterviewEvent(deps: ActionDeps, event: 'interviewCreated' | 'interviewUpdated' | 'interviewDeleted', opp: Opportunity, interview: Interview): void {
  deps.events.emit(deps.account, deps.actor.via, event,
    { opportunityId: opp.id, interviewId: interview.id, panelId: interview.panelId, contactId: opp.contactId });
}
