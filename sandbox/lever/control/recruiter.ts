import type { z } from 'zod';
import { touch, type ActionDeps, type Actor } from '../actions/actor';
import { setArchived } from '../actions/archive';
import { anonymizeContact, deleteOpportunity } from '../actions/erasure';
import { createTemplate, deleteTemplate, templateBody } from '../actions/feedback';
import { createPanel, deleteInterviewInUi } from '../actions/interviews';
import { createNote } from '../actions/notes';
import { changeStage, createOpportunity, editList } from '../actions/opportunities';
import { badRequest } from '../errors';
import type { DeletedOpportunity } from '../model';
import type { ResolvedOptions } from '../options';
import type { LeverStore } from '../state';
import { parseInput } from '../validation';
import { feedbackTemplateView, inspectFeedback } from '../views/feedback';
import type { WebhookEmitter } from '../webhooks';
import { inspectOpportunity, type InspectedOpportunity } from './inspect';
import {
  anonymizeCandidateBody, archiveCandidateBody, createCandidateBody, deleteCandidateBody, deleteInterviewBody, fileStatusBody, hireCandidateBody,
  moveStageBody, tagsBody, uiNoteBody, uiPanelBody, unarchiveCandidateBody,
} from './schemas';

/** The quirks that decide what the erasure actions send. */
export type ErasureQuirks = Pick<ResolvedOptions['quirks'], 'webhookDeletedBy' | 'anonymizeFiresContactUpdated'>;

type In<S extends z.ZodType> = z.input<S>;

/**
 * A recruiter working in Lever's UI. These changes always fire webhooks (unlike API writes, which fire only
 * when `apiWritesFireWebhooks` is on); each answers the opportunity as the control API inspects it.
 */
export class Recruiter {
  constructor(private readonly store: LeverStore, private readonly events: WebhookEmitter, private readonly quirks: ErasureQuirks) {}

  createCandidate(accountId: string, input: In<typeof createCandidateBody>): InspectedOpportunity {
    const { userId, ...body } = parseInput(createCandidateBody, input);
    const deps = this.deps(accountId, userId);
    return this.inspect(accountId, createOpportunity(deps, body).opportunity.id);
  }

  moveToStage(accountId: string, opportunityId: string, input: In<typeof moveStageBody>): InspectedOpportunity {
    const { stage, userId } = parseInput(moveStageBody, input);
    changeStage(this.deps(accountId, userId), opportunityId, stage);
    return this.inspect(accountId, opportunityId);
  }

  archive(accountId: string, opportunityId: string, input: In<typeof archiveCandidateBody>): InspectedOpportunity {
    const { reason, cleanInterviews, userId } = parseInput(archiveCandidateBody, input);
    setArchived(this.deps(accountId, userId), opportunityId, { reason, cleanInterviews });
    return this.inspect(accountId, opportunityId);
  }

  unarchive(accountId: string, opportunityId: string, input: In<typeof unarchiveCandidateBody> = {}): InspectedOpportunity {
    const { userId } = parseInput(unarchiveCandidateBody, input);
    setArchived(this.deps(accountId, userId), opportunityId, { reason: null });
    return this.inspect(accountId, opportunityId);
  }

  /** Hiring is archiving with a reason of type `hired`. */
  hire(accountId: string, opportunityId: string, input: In<typeof hireCandidateBody> = {}): InspectedOpportunity {
    const { reason, userId } = parseInput(hireCandidateBody, input);
    const account = this.store.account(accountId);
    const hired = reason ?? [...account.archiveReasons.values()].find((r) => r.type === 'hired' && r.status === 'active')?.id;
    if (!hired) throw badRequest('this account has no active archive reason of type hired');
    if (account.archiveReason(hired).type !== 'hired') throw badRequest(`archive reason ${hired} is not of type hired`);
    setArchived(this.deps(accountId, userId), opportunityId, { reason: hired });
    return this.inspect(accountId, opportunityId);
  }

  addTags(accountId: string, opportunityId: string, input: In<typeof tagsBody>): InspectedOpportunity {
    const { tags, userId } = parseInput(tagsBody, input);
    editList(this.deps(accountId, userId).account, opportunityId, 'tags', 'add', tags);
    return this.inspect(accountId, opportunityId);
  }

  /** A note written in the UI: the API cannot delete it. */
  addNote(accountId: string, opportunityId: string, input: In<typeof uiNoteBody>): InspectedOpportunity {
    const { userId, ...note } = parseInput(uiNoteBody, input);
    const { account, actor } = this.deps(accountId, userId);
    createNote(account, actor, opportunityId, note);
    return this.inspect(accountId, opportunityId);
  }

  /** A panel scheduled in the UI: not externally managed, so the API cannot change it or add interviews to it. */
  schedulePanel(accountId: string, opportunityId: string, input: In<typeof uiPanelBody>): InspectedOpportunity {
    const { userId, ...panel } = parseInput(uiPanelBody, input);
    createPanel(this.deps(accountId, userId), opportunityId, panel, false);
    return this.inspect(accountId, opportunityId);
  }

  /** An interview deleted in the UI (fires `interviewDeleted`); the last one of its panel takes the panel along. */
  deleteInterview(accountId: string, opportunityId: string, interviewId: string, input: In<typeof deleteInterviewBody> = {}): InspectedOpportunity {
    const { userId } = parseInput(deleteInterviewBody, input);
    deleteInterviewInUi(this.deps(accountId, userId), opportunityId, interviewId);
    return this.inspect(accountId, opportunityId);
  }

  /**
   * Deletes the candidate's opportunity (only this one; the contact's others stay) with everything written
   * to it and fires `candidateDeleted`; `userId` becomes `deletedBy`. Answers what `GET /opportunities/deleted`
   * keeps of it, plus the contact and legacy candidate ids.
   */
  deleteCandidate(accountId: string, opportunityId: string, input: In<typeof deleteCandidateBody> = {}): DeletedOpportunity {
    const { userId } = parseInput(deleteCandidateBody, input);
    return { ...deleteOpportunity(this.deps(accountId, userId), opportunityId, { webhookDeletedBy: this.quirks.webhookDeletedBy }) };
  }

  /** Anonymizes the opportunity's contact, so every opportunity of that person (actions/erasure.ts); may fire `contactUpdated`. */
  anonymizeCandidate(accountId: string, opportunityId: string, input: In<typeof anonymizeCandidateBody> = {}): InspectedOpportunity {
    const { userId } = parseInput(anonymizeCandidateBody, input);
    const deps = this.deps(accountId, userId);
    anonymizeContact(deps, deps.account.opportunity(opportunityId).contactId, { firesContactUpdated: this.quirks.anonymizeFiresContactUpdated });
    return this.inspect(accountId, opportunityId);
  }

  /** A recruiter edits the candidate's e-mail addresses in Lever's UI (the contact's, so every opportunity of the person). */
  setCandidateEmails(accountId: string, opportunityId: string, emails: readonly string[]): InspectedOpportunity {
    const account = this.store.account(accountId);
    const opportunity = account.opportunity(opportunityId);
    account.contact(opportunity.contactId).emails = [...emails];
    const now = Date.now();
    for (const opp of account.opportunities.values()) if (opp.contactId === opportunity.contactId) touch(opp, now);
    return this.inspect(accountId, opportunityId);
  }

  setFileStatus(accountId: string, opportunityId: string, fileId: string, input: In<typeof fileStatusBody>): InspectedOpportunity {
    const { status } = parseInput(fileStatusBody, input);
    this.store.account(accountId).file(opportunityId, fileId).status = status;
    return this.inspect(accountId, opportunityId);
  }

  /** The feedback forms on an opportunity as a recruiter reads them in Lever: author, template, each field's label and value. */
  feedback(accountId: string, opportunityId: string): Array<ReturnType<typeof inspectFeedback>> {
    const account = this.store.account(accountId);
    account.opportunity(opportunityId);
    return account.feedbackOf(opportunityId).map((f) => inspectFeedback(account, f));
  }

  /** A feedback template made in Lever's settings: the API can read it but not change or delete it. */
  createFeedbackTemplate(accountId: string, input: In<typeof templateBody>): ReturnType<typeof feedbackTemplateView> {
    return feedbackTemplateView(createTemplate(this.store.account(accountId), 'ui', parseInput(templateBody, input)));
  }

  /** An admin deletes a template in Lever's settings (any template, also one the API made); feedback written with it stays. */
  deleteFeedbackTemplate(accountId: string, templateId: string): void {
    deleteTemplate(this.store.account(accountId), templateId, 'ui');
  }

  inspect(accountId: string, opportunityId: string): InspectedOpportunity {
    const account = this.store.account(accountId);
    return inspectOpportunity(account, account.opportunity(opportunityId));
  }

  opportunities(accountId: string): InspectedOpportunity[] {
    const account = this.store.account(accountId);
    return [...account.opportunities.values()].map((o) => inspectOpportunity(account, o));
  }

  private deps(accountId: string, userId: string | undefined): ActionDeps {
    const account = this.store.account(accountId);
    if (userId !== undefined) account.user(userId);
    const actor: Actor = { via: 'ui', userId: userId ?? null };
    return { events: this.events, account, actor };
  }
}
