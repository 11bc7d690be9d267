import type { Interview, Note, Panel, StoredFile } from '../model';
import type { AccountState } from '../state';

/** Wire shapes of an opportunity's notes, files, interviews and panels (§3.5–3.7). */

export const noteView = (n: Note) => ({
  id: n.id,
  text: 'Note',
  fields: n.comments.map((c) => ({ type: 'note', text: 'Comment', value: c.value, createdAt: c.createdAt, user: c.user, score: c.score, stage: c.stage })),
  user: n.user,
  secret: n.secret,
  completedAt: n.createdAt,
  createdAt: n.createdAt,
  deletedAt: null,
});

export function fileView(f: StoredFile, apiBaseUrl: string, numbersAsStrings: boolean) {
  const number = (v: number) => (numbersAsStrings ? String(v) : v);
  return {
    id: f.id,
    downloadUrl: `${apiBaseUrl}/opportunities/${f.opportunityId}/files/${f.id}/download`,
    ext: f.ext,
    name: f.name,
    uploadedAt: number(f.uploadedAt),
    status: f.status,
    size: number(f.size),
  };
}

export function interviewView(account: AccountState, i: Interview) {
  const panel = account.panels.get(i.panelId);
  const postings = (panel?.applications ?? []).map((id) => account.applications.get(id)?.posting).filter((p): p is string => !!p);
  return {
    id: i.id,
    panel: i.panelId,
    subject: i.subject,
    note: i.note,
    interviewers: i.interviewers.map((iv) => {
      const user = account.users.get(iv.id);
      return { id: iv.id, name: user?.name ?? null, email: user?.email ?? null, feedbackTemplate: iv.feedbackTemplate ?? i.feedbackTemplate ?? 'no-feedback' };
    }),
    timezone: panel?.timezone ?? null,
    createdAt: i.createdAt,
    date: i.date,
    duration: i.duration,
    location: i.location,
    feedbackTemplate: i.feedbackTemplate,
    feedbackForms: [],
    feedbackReminder: i.feedbackReminder,
    user: i.user,
    stage: i.stage,
    canceledAt: i.canceledAt,
    postings,
    gcalEventUrl: null,
    opportunityId: i.opportunityId,
  };
}

export function panelView(account: AccountState, p: Panel) {
  const interviews = p.interviewIds.map((id) => account.interviews.get(id)).filter((i): i is Interview => !!i);
  const starts = interviews.map((i) => i.date);
  const ends = interviews.map((i) => i.date + i.duration * 60_000);
  return {
    id: p.id,
    applications: p.applications,
    canceledAt: p.canceledAt,
    createdAt: p.createdAt,
    start: starts.length ? Math.min(...starts) : null,
    end: ends.length ? Math.max(...ends) : null,
    timezone: p.timezone,
    feedbackReminder: p.feedbackReminder,
    user: p.user,
    stage: p.stage,
    note: p.note,
    externallyManaged: p.externallyManaged,
    externalUrl: p.externalUrl,
    interviews: interviews.map((i) => {
      const view = interviewView(account, i);
      return { ...view, interviewers: view.interviewers.map((iv) => ({ ...iv, responseStatus: 'needsAction' })) };
    }),
  };
}
