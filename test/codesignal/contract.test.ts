import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkResponse } from '../../src/codesignal/schema';
import * as documents from '../../src/codesignal/documents';

const root = path.resolve(__dirname, '../..');

/**
 * Runs scripts/codegen.ts's `generate` (its one target: the public schema), with an extra document, in
 * its own Node process as `npm run typecheck` does (the generator's plugins are ES modules jest cannot load).
 */
async function generateWith(extraDocument?: string): Promise<{ ok: boolean; output: string }> {
  const extra = extraDocument === undefined ? [] : [path.join(mkdtempSync(path.join(tmpdir(), 'lcs-codegen-')), 'probe.graphql')];
  if (extraDocument !== undefined) writeFileSync(extra[0]!, extraDocument);
  const program = `
    const { codeSignalTargets, generate } = require('./scripts/codegen');
    const targets = codeSignalTargets();
    if (targets.length !== 1) { process.stdout.write('expected one codegen target, got ' + targets.length); process.exit(1); }
    const t = targets[0];
    generate({ ...t, documentFiles: [...t.documentFiles, ...${JSON.stringify(extra)}] })
      .then((out) => process.stdout.write(out), (err) => { process.stdout.write(String(err.message)); process.exit(1); });`;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', program], { cwd: root });
    return { ok: true, output: stdout };
  } catch (err) {
    return { ok: false, output: String((err as { stdout?: string }).stdout ?? err) };
  }
}

/** The generated types and the runtime check follow one schema file: the public one, as the reference documents it. */
describe('CodeSignal contract: schema file, generated types and the runtime check', () => {
  it('generates the committed types from documents that all validate', async () => {
    expect(await generateWith()).toMatchObject({ ok: true, output: expect.stringContaining('export const') });
  });

  it.each([
    ['a field the reference does not document', 'query Probe { company { contacts { user { username } } } }', 'Cannot query field "username" on type "User"'],
    ['the profile the old client read', 'query Probe { company { contacts { user { profile { name } } } } }', 'Cannot query field "profile" on type "User"'],
    ['an operation CodeSignal does not have', 'mutation Probe { createTestSession(testId: "t") { id } }', 'Cannot query field "createTestSession" on type "Mutation"'],
    ['a sourcing operation against the public schema', 'query Probe { sourcingCandidates(first: 1) { totalCount } }', 'Cannot query field "sourcingCandidates" on type "Query"'],
    ['a wrong argument', 'query Probe { companyTestSession(sessionId: "x") { id } }', 'Unknown argument "sessionId"'],
  ])('fails type generation (npm run typecheck) on %s', async (_what, text, message) => {
    const result = await generateWith(text);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(message);
  });

  it('has no schema file besides the public one: no sourcing extension for any operation to lean on', () => {
    expect(readdirSync(path.join(root, 'src', 'codesignal', 'schema'))).toEqual(['codesignal.graphql']);
  });

  const session = {
    id: 's1', status: 'over', maxScore: 100, createDate: null, startDate: null, finishDate: null, expirationDate: null, invitationUrl: null,
    verificationStatus: null, verificationRejectionReasons: null, integrityReviewFinalized: true, integrityReviewSuggested: null,
    reactivatedSession: null, retakeSession: null, testTaker: { email: null, firstName: null, lastName: null }, test: null,
    result: {
      score: 80, solvedTaskCount: null, url: null, totalTimeClosed: null, versionedCodingScore: null,
      taskResults: [{ score: 40, timeSpent: null, sessionTask: { maxScore: 50, task: { id: 't1', title: null } }, integrityReport: { status: 'ready', suspicionScore: null } }, null],
    },
  };

  it('accepts every null the schema allows, and reads it as the generated type', () => {
    const checked = checkResponse(documents.getTestSession, { id: 's1' }, { companyTestSession: session });
    expect(checked).toEqual({ ok: true, data: { companyTestSession: session } });
  });

  it('names the path of a null where the schema promises a value, an unknown enum value or a wrong scalar, never the value', () => {
    const broken = { ...session, id: null, status: 'teleported', maxScore: 'lots', testTaker: { email: 'ada@example.org', firstName: 1, lastName: null } };
    const checked = checkResponse(documents.getTestSession, { id: 's1' }, { companyTestSession: broken });
    expect(checked.ok).toBe(false);
    const problems = checked.ok ? [] : checked.problems;
    expect(problems.join('\n')).toMatch(/companyTestSession\.id: Cannot return null for non-nullable field CompanyTestSession\.id/);
    expect(problems.join('\n')).not.toMatch(/teleported|lots/);
  });
});
