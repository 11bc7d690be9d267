import { ExternalApiError } from '../../external-api-error';
import type { IntegrationContexts } from '../../integrations/context';
import { stopFixes, type FlowStop } from '../../workflows/shared/stops';

/**
 * The Lever side of a named stop (src/workflows/shared/stops.ts): confirming that the default Lever user
 * is deactivated (Lever answers 400 or 404 to a `perform_as` naming one, with no documented code), and
 * the private note that says what to fix.
 */
export function createStopActivities({ contexts }: { contexts: IntegrationContexts }) {
  return {
    /** True when the integration's default Lever user is deactivated or no longer exists in Lever. */
    async defaultLeverUserDeactivated({ integrationId }: { integrationId: string }): Promise<boolean> {
      const { lever, settings } = await contexts.get(integrationId, { fresh: true });
      if (!settings.defaultLeverUserId) return false;
      try {
        return (await lever.getUser(settings.defaultLeverUserId)).deactivatedAt != null;
      } catch (err) {
        if (err instanceof ExternalApiError && err.status === 404) return true;
        throw err;
      }
    },
  };
}

export type StopActivities = ReturnType<typeof createStopActivities>;

/** The private note of a stop: what stopped, what to fix, and how to resume. */
export function stopNoteText(stop: FlowStop, what: 'assessment' | 'live interview', commands: { prefix: string; names: { retry: string } } | undefined): string {
  const retry = `${commands?.prefix ?? 'CodeSignal: '}${commands?.names.retry ?? 'retry'}`;
  return [
    `CodeSignal ${what} stopped: ${stop.name} (private note).`,
    stopFixes[stop.name],
    `The answer: ${stop.message}`,
    `Once it is fixed, add the tag “${retry}” (or use Re-sync now on the candidate's timeline in the integration's admin UI): the ${what} resumes at the step that stopped. The tag “${stop.tag}” marks the candidate until then.`,
  ].join('\n');
}
