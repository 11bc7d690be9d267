import { proxyActivities } from '@temporalio/workflow';
import type { TagCommandActivities } from '../../activities/tag-commands/tag-command-activities';
import type { TagCommandsInput, TagCommandsSummary } from './messages';

/** Listing the command tags: a few Lever pages at the shared rate limit; a failed run is left to the next one. */
const scan = proxyActivities<TagCommandActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
});
/**
 * One command: its steps are recorded in PostgreSQL (tag_commands), so a retry resumes where the last
 * attempt stopped and never acts twice; a command still failing is open in PostgreSQL and the next run
 * takes it up again.
 */
const command = proxyActivities<TagCommandActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

const message = (err: unknown) => (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));

/**
 * One look for tag commands of an integration (the action of its Schedule `tag-commands/<id>`, README
 * "Assessments"): the command tags Lever shows on opportunities, and the commands a previous run left
 * unfinished, each acted on once, answered with a note and removed.
 */
export async function tagCommandsWorkflow(input: TagCommandsInput): Promise<TagCommandsSummary> {
  const { integrationId } = input;
  const found = await scan.findTagCommands({ integrationId });
  const summary: TagCommandsSummary = { integrationId, enabled: found.enabled, found: found.commands.length, results: [], failed: 0, errors: [], truncated: found.truncated };
  for (const c of found.commands) {
    try {
      summary.results.push(await command.runTagCommand({ integrationId, ...c }));
    } catch (err) {
      summary.failed += 1;
      if (summary.errors.length < 20) summary.errors.push(`${c.opportunityId} “${c.tag}”: ${message(err)}`);
    }
  }
  return summary;
}
