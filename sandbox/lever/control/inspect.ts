import type { Opportunity } from '../model';
import type { AccountState } from '../state';
import { interviewView, noteView, panelView } from '../views/activity';
import { feedbackTemplateView, inspectFeedback } from '../views/feedback';
import { webhookView, userView, stageView, postingView, archiveReasonView } from '../views/directory';
import { applicationsOf, applicationView, opportunityView } from '../views/opportunity';

/** Everything written to an opportunity, including what the wire format hides (author, notifyFollowers, uploader). */
export function inspectOpportunity(account: AccountState, opp: Opportunity) {
  return {
    ...opportunityView(account, opp),
    id: opp.id,
    contact: opp.contactId,
    stage: opp.stage,
    candidateId: opp.candidateId,
    createdBy: opp.createdBy,
    createdVia: opp.createdVia,
    archiveHistory: opp.archiveHistory,
    notes: account.notesOf(opp.id).map((n) => ({ ...noteView(n), author: n.user, notifyFollowers: n.notifyFollowers, createdVia: n.createdVia })),
    files: account.filesOf(opp.id).map((f) => ({
      id: f.id, name: f.name, ext: f.ext, mimeType: f.mimeType, size: f.size, uploadedAt: f.uploadedAt, status: f.status, uploadedBy: f.uploadedBy,
    })),
    applications: applicationsOf(account, opp).map((a) => applicationView(account, a)),
    panels: account.panelsOf(opp.id).map((p) => panelView(account, p)),
    interviews: account.interviewsOf(opp.id).map((i) => interviewView(account, i)),
    feedback: account.feedbackOf(opp.id).map((f) => inspectFeedback(account, f)),
  };
}

export type InspectedOpportunity = ReturnType<typeof inspectOpportunity>;

/** The whole account as a recruiter-admin would see it (webhook tokens included). */
export function accountSnapshot(account: AccountState) {
  return {
    id: account.id,
    name: account.name,
    createdAt: account.createdAt,
    settings: account.settings,
    faults: { ...account.faults.config, seed: account.faults.seed },
    users: [...account.users.values()].map(userView),
    stages: account.stages.map(stageView),
    postings: [...account.postings.values()].map(postingView),
    archiveReasons: [...account.archiveReasons.values()].map(archiveReasonView),
    tags: [...account.knownTags],
    sources: [...account.knownSources],
    feedbackTemplates: [...account.feedbackTemplates.values()].map((t) => ({ ...feedbackTemplateView(t), createdVia: t.createdVia })),
    webhooks: [...account.webhooks.values()].map((w) => ({ ...webhookView(w, true), createdVia: w.createdVia })),
    opportunities: [...account.opportunities.values()].map((o) => inspectOpportunity(account, o)),
    deletedOpportunities: [...account.deletedOpportunities.values()].map((d) => ({ ...d })),
  };
}
