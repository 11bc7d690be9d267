import { parseStoredSettings } from '../../../src/integrations/settings';
import { ownTags, parseTagCommand, understoodCommands } from '../../../src/activities/tag-commands/parse';
import { approvalFor } from '../../../src/workflows/assessment/assessment-workflow';
import { assessmentRunSettings } from '../../../src/integrations/settings';

describe('tag command parsing', () => {
  const settings = parseStoredSettings({});
  const parse = (tag: string) => parseTagCommand(tag, settings.tagCommands);

  it('reads the commands, prefix and names case-insensitively, spaces collapsed', () => {
    expect(parse('CodeSignal: resend')).toEqual({ command: 'resend' });
    expect(parse('codesignal:   RETAKE ')).toEqual({ command: 'retake' });
    expect(parse('CodeSignal: cancel')).toEqual({ command: 'cancel' });
    expect(parse('CodeSignal: retry')).toEqual({ command: 'retry' });
    expect(parse('CodeSignal: extend 7d')).toEqual({ command: 'extend', days: 7 });
    expect(parse('CodeSignal: extend 1 d')).toEqual({ command: 'extend', days: 1 });
    expect(parse('CodeSignal: extend 30days')).toEqual({ command: 'extend', days: 30 });
  });

  it('a look-alike that does not parse says what is wrong', () => {
    expect(parse('CodeSignal: extend 99d')).toEqual({ command: 'unknown', problem: 'an extension is 1 to 30 days, not 99' });
    expect(parse('CodeSignal: extend 0d')).toEqual({ command: 'unknown', problem: 'an extension is 1 to 30 days, not 0' });
    expect(parse('CodeSignal: extend')).toMatchObject({ command: 'unknown' });
    expect(parse('CodeSignal: extend a week')).toMatchObject({ command: 'unknown', problem: '“a week” is not a number of days such as “7d”' });
    expect(parse('CodeSignal: retry now')).toEqual({ command: 'unknown', problem: '“retry” takes nothing after it' });
  });

  it('status tags and other tags are no commands', () => {
    expect(parse('CodeSignal: cancelled')).toBeNull();
    expect(parse('CodeSignal: invited')).toBeNull();
    expect(parse('CodeSignal interview: cancelled')).toBeNull();
    expect(parse('resend')).toBeNull();
    expect(ownTags(settings).has('CodeSignal: cancelled')).toBe(true);
  });

  it('follows the configured prefix and names', () => {
    const custom = parseStoredSettings({ tagCommands: { prefix: 'CS/', names: { resend: 'nochmal senden', extend: 'verlängern' } } }).tagCommands;
    expect(parseTagCommand('cs/ Nochmal  Senden', custom)).toEqual({ command: 'resend' });
    expect(parseTagCommand('CS/verlängern 3d', custom)).toEqual({ command: 'extend', days: 3 });
    expect(parseTagCommand('CodeSignal: resend', custom)).toBeNull();
    expect(understoodCommands(custom)).toContain('“CS/verlängern 7d”');
  });

  it('refuses two commands with one name', () => {
    expect(() => parseStoredSettings({ tagCommands: { names: { resend: 'go', retry: 'GO' } } })).toThrow(/names\.retry|is the same as names\.resend/);
  });

  describe('approval of rejections: tag commands and settings', () => {
    it('reads approve and decline; "declined" (a status tag) and the approval tags are no commands', () => {
      expect(parse('CodeSignal: approve')).toEqual({ command: 'approve' });
      expect(parse('codesignal:  DECLINE')).toEqual({ command: 'decline' });
      expect(parse('CodeSignal: approve now')).toMatchObject({ command: 'unknown' });
      expect(parse('CodeSignal: declined')).toBeNull();
      expect(parse('CodeSignal: rejection pending approval')).toBeNull();
      for (const tag of ['CodeSignal: rejection pending approval', 'CodeSignal: rejection declined', 'CodeSignal: no decision, no action']) expect(ownTags(settings).has(tag)).toBe(true);
      expect(understoodCommands(settings.tagCommands)).toContain('“CodeSignal: approve” / “CodeSignal: decline”');
    });

    it('integrity review: reads "integrity confirmed" / "integrity cleared"; off by default; the review tag is no command', () => {
      expect(parse('CodeSignal: integrity confirmed')).toEqual({ command: 'confirmIntegrity' });
      expect(parse('codesignal: Integrity  CLEARED')).toEqual({ command: 'clearIntegrity' });
      expect(parse('CodeSignal: needs integrity review')).toBeNull();
      expect(ownTags(settings).has('CodeSignal: needs integrity review')).toBe(true);
      expect(settings.assessments.integrityReview).toEqual({ enabled: false, tag: 'CodeSignal: needs integrity review', timeoutHours: 168 });
      expect(understoodCommands(settings.tagCommands)).toContain('“CodeSignal: integrity confirmed” / “CodeSignal: integrity cleared”');
    });
  
    it('off by default; the integration default and per-posting overrides; older settings without approval are off', () => {
      expect(approvalFor(assessmentRunSettings(settings), 'p1')).toBeUndefined();
      const on = assessmentRunSettings(parseStoredSettings({ assessments: { approval: { rejections: true, timeoutHours: 24, byPosting: { p2: { rejections: false }, p3: { rejections: true, timeoutHours: 2 } } } } }));
      expect(approvalFor(on, 'p1')?.timeoutMs).toBe(24 * 3600_000);
      expect(approvalFor(on, null)?.timeoutMs).toBe(24 * 3600_000);
      expect(approvalFor(on, 'p2')).toBeUndefined();
      expect(approvalFor(on, 'p3')?.timeoutMs).toBe(2 * 3600_000);
      const older = { ...on } as Partial<typeof on>;
      delete older.approval;
      expect(approvalFor(older as typeof on, 'p1')).toBeUndefined();
    });
  });
});
