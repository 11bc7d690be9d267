import type { IntegrationSettings, TagCommandSettings } from '../../integrations/settings';
import type { ParsedTagCommand, TagCommandName } from '../../workflows/tag-commands/messages';

/** `extend <n>d` takes 1 to this many days. */
export const maxExtendDays = 30;

const normalize = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Reads a Lever tag as a tag command (README "Assessments"): `<prefix><name>` (`<prefix><extend> <n>d`,
 * n from 1 to 30), prefix and name compared case-insensitively with spaces collapsed. A tag that starts
 * with the prefix and a command's name but does not parse (`CodeSignal: extend 99d`, `CodeSignal: retry
 * now`) is a look-alike (`unknown`, with what is wrong). Anything else is no command (null): the status
 * tags share the prefix (`CodeSignal: cancelled` is not `cancel`).
 */
export function parseTagCommand(tag: string, settings: Pick<TagCommandSettings, 'prefix' | 'names'>): ParsedTagCommand | null {
  const prefix = normalize(settings.prefix);
  const text = normalize(tag);
  if (!text.startsWith(prefix)) return null;
  const rest = text.slice(prefix.length).trim();
  // longest names first, so a name that begins another is not taken for it
  const names = (Object.entries(settings.names) as Array<[TagCommandName, string]>).sort((a, b) => b[1].length - a[1].length);
  for (const [command, name] of names) {
    const n = normalize(name);
    if (rest !== n && !rest.startsWith(`${n} `)) continue;
    const args = rest.slice(n.length).trim();
    if (command === 'extend') {
      const m = /^(\d{1,6}) ?d(ays?)?$/.exec(args);
      if (!m) return { command: 'unknown', problem: args ? `“${args}” is not a number of days such as “7d”` : 'it does not say by how many days, such as “7d”' };
      const days = Number(m[1]);
      if (days < 1 || days > maxExtendDays) return { command: 'unknown', problem: `an extension is 1 to ${maxExtendDays} days, not ${days}` };
      return { command: 'extend', days };
    }
    if (args) return { command: 'unknown', problem: `“${name}” takes nothing after it` };
    return { command };
  }
  return null;
}

/** The tags the integration writes itself (status and threshold tags): never commands, whatever the names. */
export function ownTags(settings: IntegrationSettings): Set<string> {
  const thresholds = settings.assessments.thresholds;
  return new Set([
    ...Object.values(settings.assessments.tags),
    settings.assessments.approval.pendingTag,
    settings.assessments.approval.declinedTag,
    settings.assessments.approval.noActionTag,
    settings.assessments.integrityReview.tag,
    ...(thresholds ? [thresholds.pass.tag, thresholds.fail.tag] : []),
    ...Object.values(settings.interviews.tags),
  ]);
}

/** The commands as a recruiter writes them, for the note on a tag that was not understood. */
export function understoodCommands(settings: Pick<TagCommandSettings, 'prefix' | 'names'>): string {
  const tag = (text: string) => `“${settings.prefix}${text}”`;
  const { names } = settings;
  return [
    `${tag(names.resend)} (the invitation again)`,
    `${tag(`${names.extend} 7d`)} (1 to ${maxExtendDays} days more)`,
    `${tag(names.retake)} (a new attempt at a finished test)`,
    `${tag(names.cancel)}`,
    `${tag(names.retry)} (Lever read again, the flow resumed)`,
    `${tag(names.approve)} / ${tag(names.decline)} (a rejection waiting for approval)`,
    `${tag(names.confirmIntegrity)} / ${tag(names.clearIntegrity)} (a result waiting for an integrity decision)`,
  ].join(', ');
}
