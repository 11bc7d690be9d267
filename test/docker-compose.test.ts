import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { environmentSchema, loadConfig, requireExternal, runtimeVariables } from '../src/config';
import { temporalUiPath } from '../src/api/temporal-ui-proxy';
import { crossSiteUiWarning } from '../src/startup-checks';

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

/** Resolves ${VAR}, ${VAR:-default} and ${VAR:?message} as `docker compose` does with `env` set (empty counts as unset). */
const interpolate = (value: unknown, env: Record<string, string> = operatorEnv): string =>
  String(value).replace(/\$\{([A-Z_]+)(?:(:[-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (env[name]) return env[name]!;
    if (op === ':-') return arg ?? '';
    throw new Error(`compose requires ${name}: ${arg ?? ''}`);
  });

const environmentOf = (service: string, env: Record<string, string> = operatorEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(compose.services[service].environment ?? {}).map(([k, v]) => [k, interpolate(v, env)]));

interface Service {
  image?: string;
  build?: string;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  restart?: string;
  ports?: string[];
}
const services = compose.services as Record<string, Service>;

/** The variables compose cannot start without (`${VAR:?…}`). */
const requiredVariables = [...new Set([...readFileSync(path.join(root, 'docker-compose.yml'), 'utf8').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!))];

/**
 * What each image has to run a healthcheck with. No Docker engine here, so from the images' Dockerfiles:
 * postgres:16-bookworm (docker-library/postgres) puts PostgreSQL's client programs on PATH;
 * temporalio/auto-setup:1.28.1 (temporalio/docker-builds server.Dockerfile, the auto-setup target builds on
 * temporal-server) copies the temporal CLI and tctl to /usr/local/bin, on base-server (alpine, bash, curl);
 * the service's own image is node:20-bookworm-slim, which purges curl and wget once node is installed.
 */
const programsIn: Record<string, string[]> = {
  'postgres:16-bookworm': ['pg_isready', 'psql', 'sh'],
  'temporalio/auto-setup:1.28.1': ['temporal', 'tctl', 'bash', 'curl', 'sh'],
  'build .': ['node', 'sh'],
};

/** The README's production section, and its block that writes .env. */
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const productionSection = readme.slice(readme.indexOf('\n## Production\n'), readme.indexOf('\n## Tests\n'));

describe('docker-compose.yml', () => {
  it('defines PostgreSQL, Temporal, its UI, the API, the worker, Prometheus and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'grafana', 'postgresql', 'prometheus', 'temporal', 'temporal-ui', 'worker']);
    expect(compose.services.api.build).toBe('.');
    expect(compose.services.worker.build).toBe('.');
    expect(compose.services.temporal.environment.DB).toBe('postgres12');
    expect(compose.services.temporal.environment.POSTGRES_SEEDS).toBe('postgresql');
  });

  it('runs the production entry points that exist in the build output', () => {
    expect(compose.services.api.command).toEqual(['node', 'dist/api/server.js']);
    // the worker as `npm run start:worker` starts it, V8 flags included (docs/benchmarks.md, "5,000 candidates waiting")
    const startWorker = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:worker']!.split(' ');
    // its NAME=value words are the worker's environment, the rest its command
    const isEnv = (word: string) => /^[A-Z_][A-Z0-9_]*=/.test(word);
    expect(compose.services.worker.command).toEqual(startWorker.filter((word) => !isEnv(word)));
    for (const word of startWorker.filter(isEnv)) expect(environmentOf('worker')).toMatchObject({ [word.split('=')[0]!]: word.slice(word.indexOf('=') + 1) });
    expect(compose.services.worker.command).toContain('dist/worker.js');
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
    // no install scripts in either stage: the build needs none, and the project's postinstall is for the dev stack
    for (const stage of stages) expect(stage).toMatch(/^RUN npm ci\b.* --ignore-scripts\b/m);
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
    const known = [...Object.keys(environmentSchema.shape), ...runtimeVariables];
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
    expect(new URL(config.temporalUiUrl!).origin).toBe(ui.TEMPORAL_CORS_ORIGINS);
    expect(config.ADMIN_EMAIL).toBe('ops@example.com');
  });

  it('starts the worker only once the API, which runs the migrations, is healthy; the API once PostgreSQL and Temporal are', () => {
    expect(services.worker!.depends_on).toEqual({
      postgresql: { condition: 'service_healthy' },
      temporal: { condition: 'service_healthy' },
      api: { condition: 'service_healthy' },
    });
    expect(services.api!.depends_on).toEqual({ postgresql: { condition: 'service_healthy' }, temporal: { condition: 'service_healthy' } });
    expect(services['temporal-ui']!.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    for (const [name, service] of Object.entries(services)) {
      // the list form only waits for "started"
      expect([name, Array.isArray(service.depends_on)]).toEqual([name, false]);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition).toBe('service_healthy');
        expect([dependency, services[dependency]?.healthcheck?.test]).toEqual([dependency, expect.any(Array)]);
      }
      // start-up checks exit non-zero while a dependency is away; after a reboot compose keeps no order
      expect([name, service.restart]).toEqual([name, 'unless-stopped']);
    }
  });

  it('runs every healthcheck with a program its image has', () => {
    const checked = Object.entries(services).filter(([, service]) => service.healthcheck);
    expect(checked.map(([name]) => name).sort()).toEqual(['api', 'postgresql', 'temporal']);
    // the service's own image is the Dockerfile's last stage
    const stages = readFileSync(path.join(root, 'Dockerfile'), 'utf8').split(/^FROM /m).slice(1);
    expect(stages[stages.length - 1]).toMatch(/^node:20-bookworm-slim\n/);
    for (const [name, service] of checked) {
      const [form, ...rest] = service.healthcheck!.test;
      const program = form === 'CMD' ? rest[0] : form === 'CMD-SHELL' ? rest[0]!.trim().split(/\s+/)[0] : undefined;
      const image = service.image ?? `build ${service.build}`;
      expect([name, image, programsIn[image]]).toEqual([name, image, expect.arrayContaining([program])]);
    }
  });

  it('calls PostgreSQL healthy only over TCP, and Temporal only once the namespace the apps use answers', () => {
    // while the image runs its init scripts the server listens on its Unix socket only
    expect(services.postgresql!.healthcheck!.test).toEqual(['CMD-SHELL', expect.stringMatching(/^pg_isready -h 127\.0\.0\.1 /)]);
    const temporal = services.temporal!.healthcheck!.test;
    const api = environmentOf('api');
    expect(temporal.slice(0, 5)).toEqual(['CMD', 'temporal', 'operator', 'search-attribute', 'list']);
    expect(temporal[temporal.indexOf('--namespace') + 1]).toBe(api.TEMPORAL_NAMESPACE);
    expect(temporal[temporal.indexOf('--address') + 1]).toBe(api.TEMPORAL_ADDRESS);
    expect(services.api!.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:3000/readyz');
  });

  it('serves the Temporal UI, which has no log-in of its own, only through the API and on its origin', () => {
    expect(services['temporal-ui']!.ports).toBeUndefined();
    const ui = environmentOf('temporal-ui');
    const config = loadConfig(environmentOf('api'));
    expect(ui.TEMPORAL_UI_PUBLIC_PATH).toBe(temporalUiPath);
    expect(config.TEMPORAL_UI_UPSTREAM).toBe('http://temporal-ui:8080');
    expect(config.temporalUiUrl).toBe(`${config.publicUrl}${temporalUiPath}`);
    // the page, the codec endpoint and the session cookie share one origin
    expect(new URL(ui.TEMPORAL_CODEC_ENDPOINT!).origin).toBe(new URL(config.temporalUiUrl!).origin);
    expect(crossSiteUiWarning(config)).toBeUndefined();
  });

  it('the README writes an .env that starts the stack, with the Temporal UI on the API\'s origin', () => {
    const block = /```sh\n(cat > \.env <<EOF\n[\s\S]*?\nEOF\n)chmod 600 \.env\ndocker compose up --build -d\n```/.exec(productionSection);
    expect(block).not.toBeNull();
    const dir = mkdtempSync(path.join(tmpdir(), 'lcs-compose-env-'));
    execFileSync('bash', ['-e', '-c', block![1]!], { cwd: dir });
    const env = Object.fromEntries(
      readFileSync(path.join(dir, '.env'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(env)).toEqual(expect.arrayContaining(requiredVariables));
    for (const name of Object.keys(env)) expect([name, env[name]!.length > 0]).toEqual([name, true]);

    for (const [service, required] of [
      ['api', ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'ADMIN_TOKEN', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY'] as const],
      ['worker', ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY'] as const],
    ] as const) {
      const config = loadConfig(environmentOf(service, env));
      expect(() => requireExternal(config, ...required)).not.toThrow();
      // the generated password goes into DATABASE_URL as it is
      expect(decodeURIComponent(new URL(config.DATABASE_URL!).password)).toBe(env.POSTGRES_PASSWORD);
      expect(crossSiteUiWarning(config)).toBeUndefined();
    }
    const api = loadConfig(environmentOf('api', env));
    expect(api.publicUrl).toBe('https://hooks.example.com');
    expect(api.temporalUiUrl).toBe(`https://hooks.example.com${temporalUiPath}`);
    const ui = environmentOf('temporal-ui', env);
    expect(ui.TEMPORAL_CORS_ORIGINS).toBe(api.publicUrl);
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`${api.publicUrl}/codec`);
  });

  it('keeps .env out of git and of the image build', () => {
    for (const file of ['.gitignore', '.dockerignore']) {
      expect(readFileSync(path.join(root, file), 'utf8').split('\n').map((l) => l.trim())).toContain('.env');
    }
  });
});
