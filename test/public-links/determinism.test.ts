import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The public-link workflows live with their domain (src/public-links/workflows.ts), outside
 * src/workflows, so test/workflows/determinism.test.ts does not see them: the same rules, here.
 */
const file = path.join(__dirname, '..', '..', 'src', 'public-links', 'workflows.ts');
const forbidden: Array<[string, RegExp]> = [
  ['Node built-ins', /from ['"](node:|fs|path|http|https|crypto|child_process|os)['"]/],
  ['Date.now()', /Date\.now\(/],
  ['Math.random()', /Math\.random\(/],
  ['setTimeout', /\bsetTimeout\(/],
  ['process.env', /process\.env/],
  ['activity implementations (import them as types only)', /^import (?!type)[^;]*from ['"](\.\.\/activities|\.\/activities)/m],
  ['I/O clients', /from ['"](pg|express|@temporalio\/client|@temporalio\/worker|\.\.\/db|\.\.\/lever|\.\.\/codesignal|\.\/db|\.\/routes|\.\/schedule)/],
  ['log lines (candidate data stays out of logs)', /\blog\.(info|warn|error|debug)\(/],
];

describe('public-link workflow code determinism', () => {
  const source = readFileSync(file, 'utf8');
  it.each(forbidden)('uses no %s', (_name, pattern) => expect(pattern.test(source)).toBe(false));
});
