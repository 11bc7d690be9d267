import { parseStoredSettings } from '../../../src/integrations/settings';
import { ownTags, parseTagCommand, understoodCommands } from '../../../src/activities/tag-commands/parse';

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
});
