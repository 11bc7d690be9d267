import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { environmentSchema, loadConfig, requireExternal } from '../src/config';

/** No Docker engine here: check what can be checked — the file parses and the app services are fully configured. */
const root = path.join(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });

/** What an operator sets: the variables compose requires (`${VAR:?…}`); the rest take their `:-` defaults. */
const operatorEnv: Record<string, string> = {
  POSTGRES_PASSWORD: 'postgres-password-123',
  ADMIN_TOKEN: 'admin-token-0123456789abcdef',
  LINK_SIGNING_SECRET: 'link-signing-secret-0123456789abcdef0123',
  PUBLIC_URL: 'https://hooks.example.com',
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  ADMIN_EMAIL: 'ops@example.com',
  ADMIN_PASSWORD: 'a long admin password',
};

/** Resolves ${VAR}, ${VAR:-default} and ${VAR:?message} as `docker compose` does with `operatorEnv` set. */
const interpolate = (value: unknown): string =>
  String(value).replace(/\$\{([A-Z_]+)(?:(:[-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (operatorEnv[name] !== undefined) return operatorEnv[name]!;
    if (op === ':-') return arg ?? '';
    throw new Error(`compose requires ${name}: ${arg ?? ''}`);
  });

const environmentOf = (service: string): Record<string, string> =>
  Object.fromEntries(Object.entries(compose.services[service].environment ?? {}).map(([k, v]) => [k, interpolate(v)]));

describe('docker-compose.yml', () => {
  it('defines PostgreSQL, Temporal, its UI, the API and the worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgresql', 'temporal', 'temporal-ui', 'worker']);
    expect(compose.services.api.build).toBe('.');
    expect(compose.services.worker.build).toBe('.');
    expect(compose.services.temporal.environment.DB).toBe('postgres12');
    expect(compose.services.temporal.environment.POSTGRES_SEEDS).toBe('postgresql');
  });

  it('runs the production entry points that exist in the build output', () => {
    expect(compose.services.api.command).toEqual(['node', 'dist/api/server.js']);
    expect(compose.services.worker.command).toEqual(['node', 'dist/worker.js']);
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm run build');
    expect(dockerfile).toContain('COPY migrations ./migrations');
  });

  it('builds a runtime image with production dependencies and the build output only', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages[stages.length - 1]!;
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).not.toMatch(/COPY --from=\S+ \S*node_modules/);
    const copied = [...runtime.matchAll(/^COPY (?:--\S+ )*(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
    expect(copied.filter((source) => /(^|\/)(dev|sandbox|src|test|bench|scripts)(\/|$)/.test(source))).toEqual([]);
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['dev', 'sandbox']));
  });

  it.each([
    ['api', ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'ADMIN_TOKEN', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY'] as const],
    ['worker', ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY'] as const],
  ])('%s gets every variable it needs, and each one parses', (service, required) => {
    const env = environmentOf(service);
    const known = Object.keys(environmentSchema.shape);
    expect(Object.keys(env).filter((name) => !known.includes(name))).toEqual([]);
    const config = loadConfig(env);
    expect(() => requireExternal(config, ...required)).not.toThrow();
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(new URL(config.DATABASE_URL!).hostname).toBe('postgresql');
    expect(config.publicUrl).toBe('https://hooks.example.com');
    expect(config.useSandboxes).toBe(false);
  });

  it('API and worker share the task queue and namespace', () => {
    const api = environmentOf('api');
    const worker = environmentOf('worker');
    expect(api.TEMPORAL_TASK_QUEUE).toBe(worker.TEMPORAL_TASK_QUEUE);
    expect(api.TEMPORAL_NAMESPACE).toBe(worker.TEMPORAL_NAMESPACE);
    expect(api.LINK_SIGNING_SECRET).toBe(worker.LINK_SIGNING_SECRET);
    expect(api.PUBLIC_URL).toBe(worker.PUBLIC_URL);
    expect(api.ENCRYPTION_KEY).toBe(worker.ENCRYPTION_KEY);
  });

  it('points the Temporal UI at the API codec endpoint, and the API at that UI', () => {
    const ui = environmentOf('temporal-ui');
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe('https://hooks.example.com/codec');
    const config = loadConfig(environmentOf('api'));
    expect(config.temporalUiUrl).toBe(ui.TEMPORAL_CORS_ORIGINS);
    expect(config.ADMIN_EMAIL).toBe('ops@example.com');
  });
});
