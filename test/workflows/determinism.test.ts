import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Workflow code is replayed; it must not reach for I/O, the clock or randomness outside Temporal's APIs. */
const dir = path.join(__dirname, '..', '..', 'src', 'workflows');
const files = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'));

const forbidden: Array<[string, RegExp]> = [
  ['Node built-ins', /from ['"](node:|fs|path|http|https|crypto|child_process|os)['"]/],
  ['Date.now()', /Date\.now\(/],
  ['Math.random()', /Math\.random\(/],
  ['setTimeout', /\bsetTimeout\(/],
  ['process.env', /process\.env/],
  ['activity implementations (import them as types only)', /^import (?!type)[^;]*from ['"](\.\.\/)+activities/m],
  ['I/O clients (types only)', /^import (?!type)[^;]*from ['"](pg|express|@temporalio\/client|@temporalio\/worker|(\.\.\/)+(db|lever|codesignal|integrations|api)\/)/m],
];

describe('workflow code determinism', () => {
  it('finds the workflow files', () => expect(files.length).toBeGreaterThan(0));

  it.each(files)('%s uses no forbidden API', (file) => {
    const source = readFileSync(path.join(dir, file), 'utf8');
    for (const [name, pattern] of forbidden) {
      expect({ file, name, found: pattern.test(source) }).toEqual({ file, name, found: false });
    }
  });
});
