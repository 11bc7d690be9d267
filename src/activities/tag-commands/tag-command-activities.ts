import { activityInfo, getClient, heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { recordAudit } from '../../audit/audit-log';
import type { CandidateDirectory } from '../../db/candidate-directory';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { IntegrationContext, IntegrationContexts } from '../../integrations/context';
import { listAll } from '../../lever/client';
import { ensureNote, ensureTags } from '../../lever/writes';
import type { Logger } from '../../log';
import { AssessmentActionRefusedError, runAssessmentAction, UnknownAssessmentError, type AssessmentAction } from '../../temporal/assessment-actions';
import { resyncCandidate } from '../../temporal/candidate-resync';
import type { AssessmentSummary } from '../../workflows/assessment/messages';
import { assessmentsQuery } from '../../workflows/candidate/messages';
import { candidateWorkflowId } from '../../workflows/shared/ids';
import type { FoundTagCommand, ParsedTagCommand, TagCommandResult, TagCommandsScan } from '../../workflows/tag-commands/messages';
import { earlierAttemptMayHaveWritten } from '../shared/attempt';
import { countTagCommand } from './metrics';
import { ownTags, parseTagCommand, understoodCommands } from './parse';
import {
  closeTagCommand, findOpenTagCommand, listOpenTagCommands, markActionStarted, markNotePosted, openTagCommand, recordTagCommandOutcome, type TagCommandRow,
} from './repository';

/** Pages of 100 opportunities per command tag and run; the rest waits for the next run. */
export const maxPagesPerTag = 10;
/** Commands one run takes on at most (the rest stay tagged, or open, for the next run). */
export const maxCommandsPerRun = 200;

export interface TagCommandActivityDeps {
  contexts: IntegrationContexts;
  /** The admin UI's candidate directory, kept by `retry` as by "Re-sync now"; without it not written. */
  directory?: Pick<CandidateDirectory, 'record'>;
  logger?: Logger;
  /** The Temporal client the commands run through; default: the worker's own (`getClient()`). */
  client?: () => Client;
}

type Acted = { outcome: 'done' | 'refused' | 'not_understood'; message: string };

/** The note's reference marker (src/lever/writes.ts): one note per command, however often it is written. */
const noteRef = (row: TagCommandRow) => `tag-command/${row.id}`;
/** The Temporal Update id of the command's action: a repeat is the same Update, which Temporal runs once. */
const updateId = (row: TagCommandRow) => `tag-command/${row.id}`;

const verbs: Record<string, string> = { resend: 'resend', extend: 'extend', retake: 'retake', cancel: 'cancel', approve: 'approve', decline: 'decline', confirmIntegrity: 'confirm the integrity problem of', clearIntegrity: 'clear the integrity review of' };

/** The candidate's assessments (oldest first); none when the candidate has no workflow. */
async function assessmentsOf(client: Client, integrationId: string, opportunityId: string): Promise<AssessmentSummary[]> {
  try {
    return await client.workflow.getHandle(candidateWorkflowId(integrationId, opportunityId)).query(assessmentsQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}

function doneMessage(action: AssessmentAction, assessmentId: string, retakeId: string | undefined): string {
  switch (action.action) {
    case 'resend': return `the invitation of assessment ${assessmentId} is sent again`;
    case 'extend': return `assessment ${assessmentId} is extended by ${action.days} day${action.days === 1 ? '' : 's'}`;
    case 'cancel': return `assessment ${assessmentId} is cancelled`;
    case 'retake': return `assessment ${retakeId ?? '?'} is a retake of assessment ${assessmentId}: the candidate gets a new invitation`;
    case 'approve': return `the rejection of assessment ${assessmentId} is approved`;
    case 'decline': return `the rejection of assessment ${assessmentId} is declined: nothing is done`;
    case 'confirmIntegrity': return `the integrity problem of assessment ${assessmentId} is confirmed: the result counts as failed`;
    case 'clearIntegrity': return `the integrity review of assessment ${assessmentId} is cleared: the result stands`;
  }
}

function noteText(row: TagCommandRow, understood: string): string {
  const tag = `“${row.tag}”`;
  if (row.outcome === 'done') return `CodeSignal tag command ${tag}: done — ${row.message}. The tag was removed.`;
  if (row.outcome === 'refused') return `CodeSignal tag command ${tag}: not done — ${row.message}. The tag was removed.`;
  return `CodeSignal tag command ${tag} was not understood: ${row.message}. Understood: ${understood}. The tag was removed; nothing was done.`;
}

/** Lever does not say who added a tag: the audit log records a decision's author as "Lever tag" with the tag. */
const decisions = new Set(['approve', 'decline', 'confirmIntegrity', 'clearIntegrity']);
const decided: Record<string, string> = { approve: 'approved', decline: 'declined', confirmIntegrity: 'confirmed', clearIntegrity: 'cleared' };

const auditStatus: Record<string, number> = { done: 200, refused: 409, not_understood: 400 };

/**
 * The tag commands' activities (src/workflows/tag-commands, README "Assessments"): one lists the
 * opportunities carrying a command tag, one runs a command. A command's steps are recorded in
 * tag_commands, so however often `runTagCommand` is retried, the worker crashes or a Lever answer is
 * lost, the action is sent once (and as the same Temporal Update), the note is posted once (found again
 * by its marker), the audit entry written once (a unique index), and the tag removed.
 */
export function createTagCommandActivities(deps: TagCommandActivityDeps) {
  const client = deps.client ?? getClient;

  async function act(ctx: IntegrationContext, row: TagCommandRow, parsed: ParsedTagCommand): Promise<Acted> {
    const target = { integrationId: row.integrationId, opportunityId: row.opportunityId };
    if (parsed.command === 'unknown') return { outcome: 'not_understood', message: parsed.problem };
    if (parsed.command === 'retry') {
      // what "Re-sync now" does: Lever read again and signalled as a late webhook; open sessions re-read
      await markActionStarted(ctx.db, row.id, null);
      const resync = await resyncCandidate({ client: client(), taskQueue: activityInfo().taskQueue, lever: ctx.lever, directory: deps.directory, logger: deps.logger }, target);
      const reread = resync.reread.length > 0 ? `; ${resync.reread.length} open assessment${resync.reread.length === 1 ? '' : 's'} or interview${resync.reread.length === 1 ? '' : 's'} read CodeSignal again` : '';
      const resumed = resync.resumed.map((r) => `the stopped ${r.what === 'assessment' ? 'assessment' : 'live interview'} (${r.stop}) resumed at the step that stopped`);
      return { outcome: 'done', message: `Lever was read again and the candidate's flow resumed from what it shows${reread}${resumed.length ? `; ${resumed.join('; ')}` : ''}` };
    }
    const action: AssessmentAction = parsed.command === 'extend' ? { action: 'extend', days: parsed.days } : { action: parsed.command };
    const verb = verbs[parsed.command]!;
    // the candidate's current assessment: the one an earlier attempt chose, else the latest
    let assessmentId = row.assessmentId;
    const uncertain = row.actionStarted; // an earlier attempt may have sent it
    if (!assessmentId) {
      const all = await assessmentsOf(client(), row.integrationId, row.opportunityId);
      // a decision goes to the assessment waiting for one
      const current = (decisions.has(action.action) ? all.find((a) => a.pendingDecision) : undefined) ?? all.at(-1);
      if (!current) return { outcome: 'refused', message: `no assessment to ${verb}` };
      assessmentId = (await markActionStarted(ctx.db, row.id, current.assessmentId)).assessmentId!;
    }
    try {
      const done = await runAssessmentAction(client(), { ...target, assessmentId }, action, { updateId: updateId(row) });
      return { outcome: 'done', message: doneMessage(action, assessmentId, done.assessmentId) };
    } catch (err) {
      if (!(err instanceof UnknownAssessmentError || err instanceof AssessmentActionRefusedError)) throw err;
      if (uncertain && (action.action === 'retake' || action.action === 'cancel')) {
        // refused now because the earlier attempt did it (its workflow has moved on since)
        const all = await assessmentsOf(client(), row.integrationId, row.opportunityId);
        const retake = all.find((a) => a.retakeOf === assessmentId);
        if (action.action === 'retake' && retake) return { outcome: 'done', message: doneMessage(action, assessmentId, retake.assessmentId) };
        if (action.action === 'cancel' && all.find((a) => a.assessmentId === assessmentId)?.status === 'cancelled') return { outcome: 'done', message: doneMessage(action, assessmentId, undefined) };
      }
      if (uncertain && decisions.has(action.action)) {
        const outcome = (await assessmentsOf(client(), row.integrationId, row.opportunityId)).find((a) => a.assessmentId === assessmentId)?.decision;
        if (outcome === decided[action.action]) return { outcome: 'done', message: doneMessage(action, assessmentId, undefined) };
      }
      return { outcome: 'refused', message: err.message };
    }
  }

  /** The audit entry of the command, and its count in the metrics, once (unique index audit_log_tag_command on its target). */
  async function audit(db: Db, row: TagCommandRow): Promise<void> {
    if (!row.outcome || row.outcome === 'gone') return;
    try {
      await recordAudit(db, {
        actor: decisions.has(row.command) ? `Lever tag “${row.tag}”` : 'service',
        actorKind: 'service',
        sourceIp: null,
        action: `tag command ${row.command}`,
        integrationId: row.integrationId,
        target: `opportunityId=${row.opportunityId} tagCommand=${row.id}`,
        outcome: auditStatus[row.outcome] ?? 200,
        details: { leverTag: row.tag, outcome: row.outcome, message: row.message, ...(row.assessmentId ? { assessmentId: row.assessmentId } : {}), ...(row.days ? { days: row.days } : {}), ...(decisions.has(row.command) ? { decidedBy: 'Lever tag' } : {}) },
      });
      countTagCommand(row.integrationId, row.command, row.outcome);
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err; // written by an earlier attempt
    }
  }

  return {
    /**
     * The commands to run: every command tag (or look-alike) of the account that Lever's tag list shows
     * on some opportunity (`GET /tags`, one request), then per such tag the opportunities carrying it
     * (`GET /opportunities?tag=…`, paged), all through the integration's shared rate-limited client;
     * and the commands a previous run left open.
     */
    async findTagCommands({ integrationId }: { integrationId: string }): Promise<TagCommandsScan> {
      const { db, lever, settings } = await deps.contexts.get(integrationId, { fresh: true });
      const scan: TagCommandsScan = { enabled: settings.tagCommands.enabled, commandTags: [], commands: [], truncated: false };
      if (!scan.enabled) return scan;
      const own = ownTags(settings);
      const tags = await listAll((page) => lever.listTags(page));
      scan.commandTags = tags.filter((t) => (t.count ?? 1) > 0 && !own.has(t.text) && parseTagCommand(t.text, settings.tagCommands) !== null).map((t) => t.text);
      const found = new Map<string, FoundTagCommand>();
      const add = (c: FoundTagCommand) => {
        if (found.size >= maxCommandsPerRun) scan.truncated = true;
        else found.set(JSON.stringify([c.opportunityId, c.tag]), c);
      };
      for (const c of await listOpenTagCommands(db, integrationId, maxCommandsPerRun)) add(c);
      for (const tag of scan.commandTags) {
        let offset: string | undefined;
        for (let page = 0; ; page++) {
          if (page >= maxPagesPerTag) {
            scan.truncated = true;
            break;
          }
          const listed = await lever.listOpportunities({ tag }, { offset, limit: 100 });
          heartbeat({ tag, page });
          for (const o of listed.data) if (o.tags.includes(tag)) add({ opportunityId: o.id, tag });
          if (listed.next === undefined) break;
          offset = listed.next;
        }
      }
      scan.commands = [...found.values()];
      return scan;
    },

    /**
     * One command, step by step, each step recorded before the next: (1) the tag confirmed on the
     * opportunity and the command opened (or the open one resumed), (2) the action, its outcome recorded,
     * (3) the audit entry, (4) the note, (5) the tag removed and the command closed.
     */
    async runTagCommand({ integrationId, opportunityId, tag }: { integrationId: string; opportunityId: string; tag: string }): Promise<TagCommandResult> {
      const ctx = await deps.contexts.get(integrationId);
      const { db, lever, settings } = ctx;
      const key = { integrationId, opportunityId, tag };
      let opportunity;
      try {
        opportunity = await lever.getOpportunity(opportunityId);
      } catch (err) {
        if (!(err instanceof ExternalApiError && err.status === 404)) throw err;
        const open = await findOpenTagCommand(db, key);
        if (open) await closeTagCommand(db, open.id, 'the opportunity no longer exists in Lever');
        return { opportunityId, tag, outcome: 'gone', message: null };
      }
      const present = opportunity.tags.includes(tag);
      const parsed = present && !ownTags(settings).has(tag) ? parseTagCommand(tag, settings.tagCommands) : null;
      let row = await findOpenTagCommand(db, key);
      let openedNow = false;
      if (!row) {
        // not there (any more), or no command under the current settings: nothing to do
        if (!parsed) return { opportunityId, tag, outcome: 'absent', message: null };
        const opened = await openTagCommand(db, { ...key, command: parsed.command, days: parsed.command === 'extend' ? parsed.days : null, leverUpdatedAt: opportunity.updatedAt ?? null });
        row = opened.row;
        openedNow = opened.created && !earlierAttemptMayHaveWritten();
      }
      if (row.outcome === null) {
        // as recorded when it was opened (settings changed since do not make it another command); an
        // unknown one is read again for what is wrong with it
        const reread = row.command === 'unknown' ? parseTagCommand(row.tag, settings.tagCommands) : null;
        const command: ParsedTagCommand = row.command === 'unknown'
          ? (reread?.command === 'unknown' ? reread : { command: 'unknown', problem: 'it is not a command this integration knows' })
          : row.command === 'extend' ? { command: 'extend', days: row.days ?? 0 } : { command: row.command as Exclude<ParsedTagCommand['command'], 'extend' | 'unknown'> };
        const acted = await act(ctx, row, command);
        row = await recordTagCommandOutcome(db, row.id, acted.outcome, acted.message);
      }
      await audit(db, row);
      const performAs = ctx.performAs();
      if (!row.notePosted) {
        await ensureNote(lever, opportunityId, { ref: noteRef(row), text: noteText(row, understoodCommands(settings.tagCommands)), notifyFollowers: false, performAs }, { mayHaveWritten: !openedNow });
        await markNotePosted(db, row.id);
      }
      // Not there at the start of this attempt: an earlier one removed it (its answer lost); a tag added
      // since is a new command for the next run. `known`: this attempt opened the command and read the tag.
      if (present) await ensureTags(lever, opportunityId, { add: [], remove: [tag], known: openedNow }, performAs, { mayHaveWritten: !openedNow });
      await closeTagCommand(db, row.id);
      deps.logger?.info({ integrationId, opportunityId, command: row.command, outcome: row.outcome }, 'tag command done');
      return { opportunityId, tag, outcome: row.outcome ?? 'done', message: row.message };
    },
  };
}

export type TagCommandActivities = ReturnType<typeof createTagCommandActivities>;
