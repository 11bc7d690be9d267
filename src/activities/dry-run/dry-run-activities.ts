import type { CandidateDirectory } from '../../db/candidate-directory';
import { resultDecisions, stageEntryDecisions, testFor } from '../../integrations/dry-run/decisions';
import { readsPostingTags } from '../../workflows/assessment/test-choice';
import { findDraft, recordDecisions } from '../../integrations/dry-run/repository';
import { triggerStageIds } from '../../integrations/settings';
import type { IntegrationContexts } from '../../integrations/context';
import { directoryKeeper } from '../shared/directory';

export interface DryRunActivityDeps {
  contexts: IntegrationContexts;
  /** Where the candidate's name read here is kept (sealed), for the decisions' list. */
  directory?: CandidateDirectory;
}

/**
 * The dry run's shadow (README "Dry run"): called by the flows where the settings decide something,
 * it records what the integration's draft settings would decide instead. Without a draft it only
 * reads that there is none. It reads Lever and CodeSignal (the opportunity's posting, test titles,
 * stage names) and never writes to them.
 */
export function createDryRunActivities(deps: DryRunActivityDeps) {
  const keep = directoryKeeper(deps.directory);
  return {
    /** A candidate entered `stageId` (`eventKey`: the event that says so): the draft's assessment and interview decisions. */
    async recordDryRunStageEntry(input: { integrationId: string; opportunityId: string; stageId: string; eventKey: string }): Promise<void> {
      const { db, settings, lever, codesignal } = await deps.contexts.get(input.integrationId, { fresh: true });
      const draft = await findDraft(db, input.integrationId);
      if (!draft) return;
      const touches = (s: typeof settings) => triggerStageIds(s).includes(input.stageId);
      if (!touches(settings) && !touches(draft.settings)) return;
      const opportunity = await lever.getOpportunity(input.opportunityId, { expandApplications: true });
      // only what Lever bears out: the candidate is in that stage now
      if (opportunity.stage !== input.stageId) return;
      await keep(input.integrationId, opportunity);
      const postingId = opportunity.postingId ?? null;
      // the posting's tags and the company's tests, read as the assessment would read them, when either settings use the tag rule
      const readsTags = [settings, draft.settings].some((s) => readsPostingTags(s.assessments, postingId));
      const postingTags = readsTags && postingId ? ((await lever.getPosting(postingId).catch(() => null))?.tags ?? []) : [];
      const facts = readsTags ? { postingTags, tests: postingTags.length ? await codesignal.listAllCompanyTests() : [] } : undefined;
      const titles = new Map<string, string>();
      for (const id of [testFor(settings, input.stageId, postingId, facts), testFor(draft.settings, input.stageId, postingId, facts)]) {
        if (id && !titles.has(id)) titles.set(id, (await codesignal.getCompanyTest(id).catch(() => null))?.title ?? id);
      }
      const decisions = stageEntryDecisions(settings, draft.settings, input.stageId, postingId, (id) => titles.get(id) ?? id, facts);
      await recordDecisions(db, input.integrationId, decisions.map((decision, i) => ({ opportunityId: input.opportunityId, source: 'stage_entry', decision, key: `${input.eventKey}:${i}` })));
    },

    /** An assessment's result (`sessionId`): what the draft's thresholds would do with the score. */
    async recordDryRunResult(input: { integrationId: string; opportunityId: string; sessionId: string; score: number | null; maxScore: number }): Promise<void> {
      const { db, settings, lever } = await deps.contexts.get(input.integrationId, { fresh: true });
      const draft = await findDraft(db, input.integrationId);
      if (!draft || (!settings.assessments.thresholds && !draft.settings.assessments.thresholds)) return;
      const stages = new Map((await lever.listAllStages()).map((s) => [s.id, s.text]));
      const decisions = resultDecisions(settings, draft.settings, input.score, input.maxScore, (id) => stages.get(id) ?? id);
      await recordDecisions(db, input.integrationId, decisions.map((decision, i) => ({ opportunityId: input.opportunityId, source: 'result', decision, key: `result:${input.sessionId}:${i}` })));
    },
  };
}

export type DryRunActivities = ReturnType<typeof createDryRunActivities>;
