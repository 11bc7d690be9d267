import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { environmentSchema, loadConfig, requireExternal, runtimeVariables } from '../../src/config';
import { migrate, migrationsDir } from '../../src/db/migrate';
import { checkDatabase } from '../../src/startup-checks';
import { workerVersionFrom } from '../../src/worker-versioning';

/**
 * The Kubernetes manifests (deploy/kubernetes): the example overlay rendered as `kubectl apply -k` would
 * (no kubectl or kustomize here: a renderer for exactly the kustomize fields the manifests use, which
 * refuses any other), every resource validated offline against Kubernetes's own OpenAPI schemas by
 * kubernetes-validate (scripts/install-kubernetes-validate.sh, run before `npm test`), and the invariants
 * the service needs checked on the rendered output.
 */
const root = path.join(__dirname, '..', '..');
const kubernetesDir = path.join(root, 'deploy', 'kubernetes');
const overlayDir = path.join(kubernetesDir, 'overlays', 'example');
const validatorPath = process.env.KUBERNETES_VALIDATE_PATH || path.join(root, '.tools', 'bin', 'kubernetes-validate');
const kubernetesVersion = '1.34.0';

/** docs/benchmarks.md: worker RSS with 100 candidates in flight (bench:assessments), and the highest peak measured. */
const workerBusyRssMiB = 660;
const workerPeakRssMiB = 773;

// ---------------------------------------------------------------------------------------------------------
// A small kustomize: resources (files and directories), namespace, images, patches (strategic merge, by the
// patch's own kind and name), secretGenerator/configMapGenerator (envs, literals) with fixed names.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}
interface Generator {
  name: string;
  envs?: string[];
  literals?: string[];
}
interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path: string }[];
  secretGenerator?: Generator[];
  configMapGenerator?: Generator[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  replacements?: Replacement[];
}
interface Replacement {
  source: { kind: string; name: string; fieldPath: string };
  targets: { select: { kind: string; name: string }; fieldPaths: string[] }[];
}
const renderable = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches', 'secretGenerator', 'configMapGenerator', 'generatorOptions', 'replacements']);

/** Files read instead of others: the git-ignored secrets.env is never read, its committed example is. */
const substitutes: Record<string, string> = { 'secrets.env': 'secrets.env.example' };
const readInput = (dir: string, file: string): string => readFileSync(path.join(dir, substitutes[file] ?? file), 'utf8');

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNamed = (value: unknown): value is JsonObject & { name: string } => isObject(value) && typeof value.name === 'string';

/** Strategic merge as kustomize applies it to the fields patched here: maps merge, lists of named items merge by name, null deletes. */
function strategicMerge(base: Json, patch: Json): Json {
  if (isObject(base) && isObject(patch)) {
    const merged: JsonObject = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = key in base ? strategicMerge(base[key]!, value) : value;
    }
    return merged;
  }
  if (Array.isArray(base) && Array.isArray(patch) && base.every(isNamed) && patch.every(isNamed)) {
    const merged = base.map((item) => {
      const change = patch.find((p) => p.name === item.name);
      return change ? strategicMerge(item, change) : item;
    });
    return [...merged, ...patch.filter((p) => !base.some((item) => item.name === p.name))];
  }
  return patch;
}

function generate(kind: 'Secret' | 'ConfigMap', generator: Generator, dir: string): Resource {
  const unknown = Object.keys(generator).filter((key) => !['name', 'envs', 'literals'].includes(key));
  if (unknown.length > 0) throw new Error(`${kind} generator ${generator.name}: cannot render ${unknown.join(', ')}`);
  const lines = [...(generator.envs ?? []).flatMap((file) => readInput(dir, file).split('\n')), ...(generator.literals ?? [])];
  const entries = lines
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      if (at <= 0) throw new Error(`${kind} generator ${generator.name}: not KEY=VALUE: ${line}`);
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return kind === 'Secret'
    ? { apiVersion: 'v1', kind, metadata: { name: generator.name }, type: 'Opaque', data: Object.fromEntries(entries.map(([k, v]) => [k, Buffer.from(v).toString('base64')])) }
    : { apiVersion: 'v1', kind, metadata: { name: generator.name }, data: Object.fromEntries(entries) };
}

/** The pod specs of a workload (Deployment, Job). */
const podSpecOf = (resource: Resource): PodSpec | undefined => (resource.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;

/** A replacement's fieldPath: dot-separated map keys only (no list selectors here). */
function fieldAt(resource: Resource, fieldPath: string): unknown {
  let value: unknown = resource;
  for (const key of fieldPath.split('.')) {
    if (!isObject(value) || !(key in value)) throw new Error(`replacement: ${resource.kind} ${resource.metadata.name} has no ${fieldPath}`);
    value = value[key];
  }
  return value;
}
function setFieldAt(resource: Resource, fieldPath: string, value: unknown): void {
  const keys = fieldPath.split('.');
  let parent = resource as unknown as JsonObject;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(parent[key])) throw new Error(`replacement: ${resource.kind} ${resource.metadata.name} has no ${fieldPath}`);
    parent = parent[key];
  }
  parent[keys.at(-1)!] = value as Json;
}

function renderKustomization(dir: string): Resource[] {
  const k = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((key) => !renderable.has(key));
  if (unknown.length > 0) throw new Error(`${path.relative(root, dir)}/kustomization.yaml: the test's renderer cannot render ${unknown.join(', ')}`);
  const generated = [...(k.secretGenerator ?? []), ...(k.configMapGenerator ?? [])];
  if (generated.length > 0 && k.generatorOptions?.disableNameSuffixHash !== true) {
    throw new Error('generated names with a hash suffix (and the references kustomize rewrites) are not rendered: set generatorOptions.disableNameSuffixHash');
  }
  const resources: Resource[] = [];
  for (const entry of k.resources ?? []) {
    const target = path.join(dir, entry);
    if (statSync(target).isDirectory()) resources.push(...renderKustomization(target));
    else resources.push(...parseAllDocuments(readFileSync(target, 'utf8')).map((doc) => doc.toJS() as Resource).filter(Boolean));
  }
  for (const generator of k.secretGenerator ?? []) resources.push(generate('Secret', generator, dir));
  for (const generator of k.configMapGenerator ?? []) resources.push(generate('ConfigMap', generator, dir));
  for (const { path: file, ...rest } of k.patches ?? []) {
    if (Object.keys(rest).length > 0) throw new Error(`patch ${file}: only a strategic-merge patch file naming its target is rendered`);
    const patches = parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => doc.toJS() as Resource & { $patch?: string });
    // kustomize 5.5 fails on a file holding several `$patch: delete` documents: one per file
    if (patches.length > 1 && patches.some((p) => p.$patch)) throw new Error(`patch ${file}: one \`$patch: delete\` per file`);
    for (const { $patch: directive, ...patch } of patches) {
      const at = resources.findIndex((r) => r.kind === patch.kind && r.metadata.name === patch.metadata.name);
      if (at < 0) throw new Error(`patch ${file}: no ${patch.kind} ${patch.metadata.name} to patch`);
      if (directive === 'delete') resources.splice(at, 1);
      else if (directive !== undefined) throw new Error(`patch ${file}: cannot render $patch: ${directive}`);
      else resources[at] = strategicMerge(resources[at] as unknown as Json, patch as unknown as Json) as unknown as Resource;
    }
  }
  // kustomize applies replacements after patches: a patch cannot delete a replacement's source in the same kustomization
  for (const { source, targets } of k.replacements ?? []) {
    const from = resources.find((r) => r.kind === source.kind && r.metadata.name === source.name);
    if (!from) throw new Error(`replacement: no ${source.kind} ${source.name}`);
    const value = fieldAt(from, source.fieldPath);
    for (const { select, fieldPaths } of targets) {
      const to = resources.find((r) => r.kind === select.kind && r.metadata.name === select.name);
      if (!to) throw new Error(`replacement: no ${select.kind} ${select.name}`);
      for (const fieldPath of fieldPaths) setFieldAt(to, fieldPath, structuredClone(value));
    }
  }
  for (const image of k.images ?? []) {
    for (const resource of resources) {
      const spec = podSpecOf(resource);
      for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
        const [name, tag] = container.image.split(':') as [string, string | undefined];
        if (name === image.name) container.image = `${image.newName ?? name}${image.newTag ?? tag ? `:${image.newTag ?? tag}` : ''}`;
      }
    }
  }
  if (k.namespace) for (const resource of resources) if (resource.kind !== 'Namespace') resource.metadata.namespace = k.namespace;
  return resources;
}

// ---------------------------------------------------------------------------------------------------------

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
}
type Selector = { matchLabels: Record<string, string> };

const rendered = renderKustomization(overlayDir);
const find = (kind: string, name: string): Resource => {
  const resource = rendered.find((r) => r.kind === kind && r.metadata.name === name);
  if (!resource) throw new Error(`no ${kind} ${name} in the rendered overlay`);
  return resource;
};
const deployment = (name: string) => find('Deployment', name);
const podLabels = (workload: Resource): Record<string, string> => (workload.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const container = (workload: Resource, name: string): Container => {
  const spec = podSpecOf(workload)!;
  const found = [...(spec.initContainers ?? []), ...spec.containers].find((c) => c.name === name);
  if (!found) throw new Error(`${workload.metadata.name} has no container ${name}`);
  return found;
};
const configMap = (name: string) => (find('ConfigMap', name).data ?? {}) as Record<string, string>;
const secret = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries((find('Secret', name).data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

/** A container's environment as the kubelet gives it: envFrom first, then env, with $(VAR) expanded. */
function environmentOf(c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of c.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name));
    if (source.secretRef) Object.assign(env, secret(source.secretRef.name));
  }
  for (const variable of c.env ?? []) {
    const from = variable.valueFrom;
    const ref = from?.secretKeyRef ?? from?.configMapKeyRef;
    if (ref) {
      const data = from?.secretKeyRef ? secret(ref.name) : configMap(ref.name);
      if (data[ref.key] === undefined) {
        if (ref.optional) continue;
        throw new Error(`${c.name}: ${variable.name} refers to ${ref.name}/${ref.key}, which is missing`);
      }
      env[variable.name] = data[ref.key]!;
    } else env[variable.name] = (variable.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m);
  }
  return env;
}
/** The names a container sets, wherever from. */
const variableNames = (c: Container): string[] => [
  ...(c.envFrom ?? []).flatMap((source) => Object.keys(source.configMapRef ? configMap(source.configMapRef.name) : secret(source.secretRef!.name))),
  ...(c.env ?? []).map((variable) => variable.name),
];
const portNumber = (c: Container, port: number | string): number => {
  if (typeof port === 'number') return port;
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`${c.name} has no port named ${port}`);
  return named.containerPort;
};

/** Kubernetes quantities, in bytes or cores. */
function quantity(value: string): number {
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9, m: 1e-3, '': 1 };
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G|m|)$/.exec(String(value));
  if (!match) throw new Error(`unexpected quantity ${value}`);
  return Number(match[1]) * units[match[2]!]!;
}

/** Runs kubernetes-validate --strict on the given resources, each in a file of its own. */
function validate(resources: Resource[]): { status: number | null; output: string; files: Map<string, Resource> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lcs-kubernetes-'));
  const files = new Map<string, Resource>();
  resources.forEach((resource, i) => {
    const file = path.join(dir, `${String(i).padStart(2, '0')}-${resource.kind.toLowerCase()}-${resource.metadata.name}.yaml`);
    writeFileSync(file, stringify(resource));
    files.set(file, resource);
  });
  const run = spawnSync(validatorPath, ['--strict', '--kubernetes-version', kubernetesVersion, ...files.keys()], { encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw new Error(`cannot run ${validatorPath} (run scripts/install-kubernetes-validate.sh, or set KUBERNETES_VALIDATE_PATH): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}`, files };
}

const apiDeployment = deployment('lever-codesignal-api');
const workerDeployment = deployment('lever-codesignal-worker');
const migrateJob = find('Job', 'lever-codesignal-migrate');
const api = container(apiDeployment, 'api');
const worker = container(workerDeployment, 'worker');
const appImage = 'registry.example.com/lever-codesignal:0.1.0';
/** The containers that run the service's own image and read its environment. */
const appContainers: [string, Container][] = [
  ['api', api],
  ['worker', worker],
  ['migrate', container(migrateJob, 'migrate')],
  ['api wait-for-migrations', container(apiDeployment, 'wait-for-migrations')],
  ['worker wait-for-migrations', container(workerDeployment, 'wait-for-migrations')],
];

describe('Kubernetes manifests (deploy/kubernetes, example overlay)', () => {
  it('render to the expected resources, all in the overlay namespace, with the overlay image', () => {
    expect(rendered.map((r) => `${r.kind}/${r.metadata.name}`).sort()).toEqual([
      'ConfigMap/lever-codesignal-config',
      'Deployment/lever-codesignal-api',
      'Deployment/lever-codesignal-temporal-ui',
      'Deployment/lever-codesignal-worker',
      'Job/lever-codesignal-migrate',
      'Namespace/lever-codesignal',
      'NetworkPolicy/lever-codesignal-temporal-ui',
      'PodDisruptionBudget/lever-codesignal-api',
      'PodDisruptionBudget/lever-codesignal-worker',
      'ScaledObject/lever-codesignal-worker',
      'Secret/lever-codesignal-secrets',
      'Service/lever-codesignal-api',
      'Service/lever-codesignal-temporal-ui',
    ]);
    for (const r of rendered.filter((r) => r.kind !== 'Namespace')) expect([r.kind, r.metadata.name, r.metadata.namespace]).toEqual([r.kind, r.metadata.name, 'lever-codesignal']);
    for (const [name, c] of appContainers) expect([name, c.image]).toEqual([name, appImage]);
    // the overlay's settings reached the ConfigMap, the base's others stayed
    expect(configMap('lever-codesignal-config')).toMatchObject({ PUBLIC_URL: 'https://hooks.example.com', NODE_ENV: 'production', TEMPORAL_TASK_QUEUE: 'lever-codesignal' });
  });

  it('pass kubernetes-validate --strict against Kubernetes 1.34; only the KEDA ScaledObject (a CRD) has no schema there', () => {
    const { status, output, files } = validate(rendered);
    if (status !== 0) throw new Error(`kubernetes-validate exited ${status}:\n${output}`);
    for (const [file, resource] of files) {
      const lines = output.split('\n').filter((line) => line.includes(file));
      if (resource.kind === 'ScaledObject') expect(lines.join('\n')).toContain("Couldn't find schema for kind ScaledObject");
      else expect([file, lines.some((line) => /^INFO .* passed for resource /.test(line))]).toEqual([file, true]);
    }
    expect(output.split('\n').filter((line) => /^(WARN|ERROR)/.test(line) && !line.includes('kind ScaledObject'))).toEqual([]);
  });

  it('are rejected by kubernetes-validate when broken (the check can fail)', () => {
    const broken = structuredClone(apiDeployment);
    const c = podSpecOf(broken)!.containers[0]!;
    (c.readinessProbe!.httpGet as Record<string, unknown>).paht = '/readyz';
    const wrongType = structuredClone(find('PodDisruptionBudget', 'lever-codesignal-worker'));
    (wrongType.spec as Record<string, unknown>).selector = 'app.kubernetes.io/component=worker';
    const { status, output } = validate([broken, wrongType]);
    expect(status).not.toBe(0);
    expect(output).toContain("'paht' was unexpected");
    expect(output).toMatch(/poddisruptionbudget\/lever-codesignal-worker.*is not of type 'object'/);
  });

  it('are refused by the renderer when they use a kustomize field it cannot render', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lcs-kustomize-'));
    writeFileSync(path.join(dir, 'kustomization.yaml'), stringify({ resources: [], commonLabels: { a: 'b' } }));
    expect(() => renderKustomization(dir)).toThrow('cannot render commonLabels');
  });

  it('give every container resource requests and limits; the worker sized from the benchmarks', () => {
    for (const workload of rendered.filter(podSpecOf)) {
      const spec = podSpecOf(workload)!;
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const resource of ['cpu', 'memory']) {
          const request = c.resources?.requests?.[resource];
          const limit = c.resources?.limits?.[resource];
          expect([workload.metadata.name, c.name, resource, typeof request, typeof limit]).toEqual([workload.metadata.name, c.name, resource, 'string', 'string']);
          expect([workload.metadata.name, c.name, resource, quantity(limit!) >= quantity(request!)]).toEqual([workload.metadata.name, c.name, resource, true]);
        }
      }
    }
    // the request covers the busy RSS, the limit the highest peak measured (docs/benchmarks.md)
    expect(quantity(worker.resources!.requests!.memory!)).toBeGreaterThanOrEqual(workerBusyRssMiB * 2 ** 20);
    expect(quantity(worker.resources!.limits!.memory!)).toBeGreaterThan(workerPeakRssMiB * 2 ** 20);
    expect(readFileSync(path.join(root, 'docs', 'benchmarks.md'), 'utf8')).toContain(`${workerPeakRssMiB} MB`);
  });

  it('probe the API on /readyz and /healthz at its PORT, the worker at its metrics listener', () => {
    const env = environmentOf(api);
    const port = loadConfig(env).PORT;
    expect(api.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(api.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(api.startupProbe?.httpGet?.path).toBe('/healthz');
    for (const probe of [api.readinessProbe, api.livenessProbe, api.startupProbe]) expect(portNumber(api, probe!.httpGet!.port)).toBe(port);
    const metricsPort = loadConfig(environmentOf(worker)).METRICS_PORT;
    for (const probe of [worker.livenessProbe, worker.startupProbe]) expect(portNumber(worker, probe!.tcpSocket!.port)).toBe(metricsPort);
    // Prometheus scrapes both at METRICS_PORT
    for (const [workload, c] of [[apiDeployment, api], [workerDeployment, worker]] as const) {
      const annotations = (workload.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
      expect(Number(annotations['prometheus.io/port'])).toBe(loadConfig(environmentOf(c)).METRICS_PORT);
    }
  });

  it("give the worker more time to stop than its drain (WORKER_SHUTDOWN_GRACE_SECONDS) with a margin", () => {
    const drain = loadConfig(environmentOf(worker)).WORKER_SHUTDOWN_GRACE_SECONDS;
    expect(drain).toBeGreaterThan(0);
    expect(podSpecOf(workerDeployment)!.terminationGracePeriodSeconds!).toBeGreaterThanOrEqual(drain + 10);
  });

  it('select the right pods: Deployments their templates, the Service the API only, each PDB its workload, the NetworkPolicy the UI', () => {
    const workloads = rendered.filter((r) => r.kind === 'Deployment');
    for (const d of workloads) expect(selects((d.spec as { selector: Selector }).selector.matchLabels, podLabels(d))).toBe(true);
    const selectedBy = (selector: Record<string, string>) => workloads.filter((d) => selects(selector, podLabels(d))).map((d) => d.metadata.name);

    const service = find('Service', 'lever-codesignal-api').spec as { selector: Record<string, string>; ports: { targetPort: string | number }[] };
    expect(selectedBy(service.selector)).toEqual(['lever-codesignal-api']);
    expect(portNumber(api, service.ports[0]!.targetPort)).toBe(loadConfig(environmentOf(api)).PORT);

    for (const name of ['lever-codesignal-api', 'lever-codesignal-worker']) {
      const pdb = find('PodDisruptionBudget', name).spec as { selector: Selector };
      expect(selectedBy(pdb.selector.matchLabels)).toEqual([name]);
    }
    const policy = find('NetworkPolicy', 'lever-codesignal-temporal-ui').spec as { podSelector: Selector; ingress: { from: { podSelector: Selector }[] }[] };
    expect(selectedBy(policy.podSelector.matchLabels)).toEqual(['lever-codesignal-temporal-ui']);
    expect(policy.ingress.flatMap((rule) => rule.from.map((peer) => selectedBy(peer.podSelector.matchLabels)))).toEqual([['lever-codesignal-api']]);
  });

  it('set only variables the service knows, and every one each entry requires', () => {
    const known = new Set([...Object.keys(environmentSchema.shape), ...runtimeVariables]);
    for (const [name, c] of appContainers) expect([name, variableNames(c).filter((v) => !known.has(v))]).toEqual([name, []]);
    // the variables requireExternal names in src/api/server.ts and src/worker.ts main()
    expect(() => requireExternal(loadConfig(environmentOf(api)), 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'ADMIN_TOKEN', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY')).not.toThrow();
    expect(() => requireExternal(loadConfig(environmentOf(worker)), 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY')).not.toThrow();
    for (const [, c] of appContainers.slice(2)) expect(() => requireExternal(loadConfig(environmentOf(c)), 'DATABASE_URL')).not.toThrow();

    // the API and the worker share what must be the same in both
    const apiEnv = environmentOf(api);
    const workerEnv = environmentOf(worker);
    for (const shared of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY', 'PUBLIC_URL']) {
      expect([shared, apiEnv[shared]]).toEqual([shared, workerEnv[shared]]);
    }
    // secrets come from the Secret, never from the ConfigMap or a literal
    for (const [, c] of appContainers) {
      for (const variable of c.env ?? []) {
        if (/SECRET|KEY|TOKEN|PASSWORD|DATABASE_URL/.test(variable.name)) expect([c.name, variable.name, variable.valueFrom?.secretKeyRef?.name]).toEqual([c.name, variable.name, 'lever-codesignal-secrets']);
      }
    }
    expect(Object.keys(configMap('lever-codesignal-config')).filter((v) => /SECRET|KEY|TOKEN|PASSWORD|DATABASE_URL/.test(v))).toEqual([]);
  });

  it('serve the Temporal UI through the API, with the codec on the API origin', () => {
    const config = loadConfig(environmentOf(api));
    const upstream = new URL(config.TEMPORAL_UI_UPSTREAM!);
    const uiService = find('Service', 'lever-codesignal-temporal-ui').spec as { type: string; ports: { port: number }[] };
    expect(upstream.hostname).toBe('lever-codesignal-temporal-ui');
    expect(Number(upstream.port)).toBe(uiService.ports[0]!.port);
    expect(uiService.type).toBe('ClusterIP');
    const ui = environmentOf(container(deployment('lever-codesignal-temporal-ui'), 'temporal-ui'));
    expect(ui).toMatchObject({ TEMPORAL_UI_PUBLIC_PATH: '/temporal', TEMPORAL_CODEC_ENDPOINT: `${config.publicUrl}/codec`, TEMPORAL_CORS_ORIGINS: config.publicUrl, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS });
    expect(new URL(config.temporalUiUrl!).origin).toBe(new URL(config.publicUrl).origin);
    expect(rendered.filter((r) => r.kind === 'Ingress')).toEqual([]);
  });

  it('migrate with a Job calling the built migrate(databaseUrl, logger), and start the API and the worker only on a migrated schema', () => {
    const job = container(migrateJob, 'migrate');
    expect(job.command?.slice(0, 2)).toEqual(['node', '-e']);
    const script = job.command![2]!;
    expect(script).toContain("require('./dist/db/migrate').migrate(process.env.DATABASE_URL,");
    expect(script).toContain("require('./dist/log').createLogger(");
    // the modules it requires exist, as tsc -p tsconfig.build.json builds them into dist/ (rootDir src), with that signature
    expect(typeof migrate).toBe('function');
    expect(migrate.length).toBe(2);
    expect(existsSync(path.join(root, 'src', 'db', 'migrate.ts')) && existsSync(path.join(root, 'src', 'log.ts'))).toBe(true);
    expect(path.relative(root, migrationsDir)).toBe('migrations');
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toContain('COPY migrations ./migrations');
    expect((migrateJob.spec as { template: { spec: { restartPolicy: string } } }).template.spec.restartPolicy).toBe('OnFailure');
    for (const workload of [apiDeployment, workerDeployment]) {
      const wait = container(workload, 'wait-for-migrations');
      expect(wait.command![2]).toContain("require('./dist/startup-checks')");
      expect(wait.command![2]).toContain('requireMigrations: true');
    }
    expect(typeof checkDatabase).toBe('function');
  });

  it('scale the worker with KEDA on its own task queue backlog', () => {
    const scaled = find('ScaledObject', 'lever-codesignal-worker');
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
    const spec = scaled.spec as {
      scaleTargetRef: { apiVersion?: string; kind?: string; name: string };
      minReplicaCount: number;
      maxReplicaCount: number;
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    expect(spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: workerDeployment.metadata.name });
    // KEDA owns the replica count; two at least so the worker PDB (one at a time) always leaves one polling
    expect((workerDeployment.spec as { replicas?: number }).replicas).toBeUndefined();
    expect(spec.minReplicaCount).toBeGreaterThanOrEqual(2);
    expect(spec.maxReplicaCount).toBeGreaterThanOrEqual(spec.minReplicaCount);
    expect(spec.triggers).toHaveLength(1);
    const [{ type, metadata }] = spec.triggers as [{ type: string; metadata: Record<string, string> }];
    expect(type).toBe('temporal');
    // the trigger's documented metadata (keda.sh/docs/2.22/scalers/temporal)
    const documented = ['endpoint', 'endpointFromEnv', 'namespace', 'taskQueue', 'targetQueueSize', 'activationTargetQueueSize', 'queueTypes', 'workerDeploymentName', 'workerDeploymentBuildId', 'minConnectTimeout', 'unsafeSsl', 'tlsServerName', 'enableTLS'];
    expect(Object.keys(metadata).filter((key) => !documented.includes(key))).toEqual([]);
    for (const value of Object.values(metadata)) expect(typeof value).toBe('string');
    const env = environmentOf(worker);
    expect(env[metadata.endpointFromEnv!]).toBe(env.TEMPORAL_ADDRESS);
    expect(metadata.taskQueue).toBe(loadConfig(env).TEMPORAL_TASK_QUEUE);
    expect(metadata.namespace).toBe(loadConfig(env).TEMPORAL_NAMESPACE);
    expect(Number(metadata.targetQueueSize)).toBeGreaterThan(0);
  });

  it('keep the real secrets out of git and show kubectl apply -k in the README', () => {
    expect(readFileSync(path.join(overlayDir, '.gitignore'), 'utf8').split('\n')).toContain('secrets.env');
    const keys = readInput(overlayDir, 'secrets.env').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]);
    const needed = new Set(appContainers.flatMap(([, c]) => (c.env ?? []).filter((v) => v.valueFrom?.secretKeyRef && !v.valueFrom.secretKeyRef.optional).map((v) => v.valueFrom!.secretKeyRef!.key)));
    expect([...needed].filter((key) => !keys.includes(key))).toEqual([]);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const production = readme.slice(readme.indexOf('\n## Production\n'), readme.indexOf('\n## Tests\n'));
    expect(production).toContain('### Kubernetes');
    expect(production).toContain('kubectl apply -k deploy/kubernetes/overlays/example');
    expect(production).toContain('delete job lever-codesignal-migrate');
  });
});

/**
 * overlays/worker-controller: the example overlay with the worker run by the Temporal Worker Controller (a
 * WorkerDeployment: one Kubernetes Deployment per version, old versions kept until drained), so Worker
 * Versioning is on there. The controller's CRDs have no schema in kubernetes-validate: the pod template is
 * validated inside a Deployment, the rest checked field by field against the controller's documented spec.
 */
describe('Kubernetes manifests (deploy/kubernetes, worker-controller overlay)', () => {
  const controllerDir = path.join(kubernetesDir, 'overlays', 'worker-controller');
  const controlled = renderKustomization(controllerDir);
  const get = (kind: string, name: string): Resource => {
    const resource = controlled.find((r) => r.kind === kind && r.metadata.name === name);
    if (!resource) throw new Error(`no ${kind} ${name} in the worker-controller overlay`);
    return resource;
  };
  const workerDeploymentSpec = get('WorkerDeployment', 'lever-codesignal-worker').spec as {
    replicas: number;
    workerOptions: { connectionRef: { name: string }; temporalNamespace: string };
    rollout: { strategy: string; steps?: { rampPercentage: number; pauseDuration: string }[] };
    sunset: { scaledownDelay: string; deleteDelay: string };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
  const goSeconds = (d: string): number => {
    const match = /^(\d+)(s|m|h)$/.exec(d);
    if (!match) throw new Error(`not a duration the controller's spec documents: ${d}`);
    return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
  };

  it('replace the rolling worker Deployment and its KEDA ScaledObject by a WorkerDeployment and its Connection', () => {
    const names = (rs: Resource[]) => rs.map((r) => `${r.kind}/${r.metadata.name}`).sort();
    expect(names(controlled)).toEqual(
      [...names(rendered).filter((n) => n !== 'Deployment/lever-codesignal-worker' && n !== 'ScaledObject/lever-codesignal-worker'), 'Connection/lever-codesignal-temporal', 'WorkerDeployment/lever-codesignal-worker'].sort(),
    );
    for (const r of controlled.filter((r) => r.kind !== 'Namespace')) expect([r.kind, r.metadata.name, r.metadata.namespace]).toEqual([r.kind, r.metadata.name, 'lever-codesignal']);
    // everything else exactly as in the example overlay
    for (const r of controlled.filter((r) => !['Connection', 'WorkerDeployment'].includes(r.kind))) expect(r).toEqual(find(r.kind, r.metadata.name));
  });

  it("run each version's pods from the example worker's own pod template (one source), valid for Kubernetes 1.34", () => {
    expect(workerDeploymentSpec.template).toEqual((workerDeployment.spec as { template: unknown }).template);
    const asDeployment: Resource = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'one-version-of-lever-codesignal-worker', namespace: 'lever-codesignal' },
      spec: { selector: { matchLabels: workerDeploymentSpec.template.metadata.labels }, template: workerDeploymentSpec.template },
    };
    const { status, output } = validate([asDeployment]);
    if (status !== 0) throw new Error(`kubernetes-validate exited ${status}:\n${output}`);
    // the worker PodDisruptionBudget still covers every version's pods
    const pdb = get('PodDisruptionBudget', 'lever-codesignal-worker').spec as { selector: Selector };
    expect(selects(pdb.selector.matchLabels, workerDeploymentSpec.template.metadata.labels)).toBe(true);
  });

  it('connect the controller where the pods connect, and keep old versions until their pinned workflows are done', () => {
    const settings = configMap('lever-codesignal-config');
    expect((get('Connection', 'lever-codesignal-temporal').spec as { hostPort: string }).hostPort).toBe(settings.TEMPORAL_ADDRESS);
    expect(workerDeploymentSpec.workerOptions).toEqual({ connectionRef: { name: 'lever-codesignal-temporal' }, temporalNamespace: settings.TEMPORAL_NAMESPACE });
    expect(Number.isInteger(workerDeploymentSpec.replicas) && workerDeploymentSpec.replicas >= 2).toBe(true);
    expect(['Manual', 'AllAtOnce', 'Progressive']).toContain(workerDeploymentSpec.rollout.strategy);
    const ramps = (workerDeploymentSpec.rollout.steps ?? []).map((s) => [s.rampPercentage, goSeconds(s.pauseDuration)] as const);
    for (const [percent, pause] of ramps) expect(percent > 0 && percent < 100 && pause > 0).toBe(true);
    expect(ramps.map(([p]) => p)).toEqual([...ramps.map(([p]) => p)].sort((a, b) => a - b));
    // a drained version is scaled down after an hour at the earliest and deleted after a day: time to look at it, or roll back
    expect(goSeconds(workerDeploymentSpec.sunset.scaledownDelay)).toBeGreaterThanOrEqual(3600);
    expect(goSeconds(workerDeploymentSpec.sunset.deleteDelay)).toBeGreaterThanOrEqual(goSeconds(workerDeploymentSpec.sunset.scaledownDelay));
  });

  it('turn Worker Versioning on in those pods only: the controller names the version and owns the routing', () => {
    const podEnv = environmentOf(workerDeploymentSpec.template.spec.containers.find((c) => c.name === 'worker')!);
    // what the controller adds to every pod of a version (its docs: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_DEPLOYMENT_NAME, TEMPORAL_WORKER_BUILD_ID)
    const injected = { TEMPORAL_ADDRESS: podEnv.TEMPORAL_ADDRESS!, TEMPORAL_NAMESPACE: podEnv.TEMPORAL_NAMESPACE!, TEMPORAL_DEPLOYMENT_NAME: 'lever-codesignal/lever-codesignal-worker', TEMPORAL_WORKER_BUILD_ID: '0.1.0-5d8f7c' };
    expect(workerVersionFrom(loadConfig({ ...podEnv, ...injected }))).toEqual({ deploymentName: 'lever-codesignal/lever-codesignal-worker', buildId: '0.1.0-5d8f7c', managedRouting: true });
    // the controller's names win over the service's own settings, which route nothing there
    expect(workerVersionFrom(loadConfig({ ...podEnv, ...injected, WORKER_BUILD_ID: 'from-a-configmap', WORKER_DEPLOYMENT_NAME: 'other' }))).toEqual({ deploymentName: 'lever-codesignal/lever-codesignal-worker', buildId: '0.1.0-5d8f7c', managedRouting: true });
    // the same pod template outside the controller (the example overlay) runs unversioned
    expect(workerVersionFrom(loadConfig(environmentOf(worker)))).toBeUndefined();
  });

  it('render as kubectl kustomize renders them (when kubectl is installed)', () => {
    const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (kubectl.error || kubectl.status !== 0) {
      console.info('kubectl is not installed: the renderer is not compared with kustomize in this run');
      return;
    }
    // a copy with the git-ignored secrets.env made from its example, as an admin would
    const copy = path.join(mkdtempSync(path.join(tmpdir(), 'lcs-kustomize-')), 'kubernetes');
    cpSync(kubernetesDir, copy, { recursive: true });
    cpSync(path.join(copy, 'overlays', 'example', 'secrets.env.example'), path.join(copy, 'overlays', 'example', 'secrets.env'));
    const key = (r: Resource) => `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
    // kustomize folds long base64 values over lines: Secrets compare by their decoded data
    const decoded = (r: Resource): Resource =>
      r.kind === 'Secret' ? { ...r, data: Object.fromEntries(Object.entries(r.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) } : r;
    const sorted = (rs: Resource[]) => rs.map(decoded).sort((a, b) => key(a).localeCompare(key(b)));
    for (const [overlay, ours] of [['example', rendered], ['worker-controller', controlled]] as const) {
      const run = spawnSync('kubectl', ['kustomize', path.join(copy, 'overlays', overlay)], { encoding: 'utf8', timeout: 60_000 });
      expect([overlay, run.status, run.stderr]).toEqual([overlay, 0, '']);
      const theirs = parseAllDocuments(run.stdout).map((doc) => doc.toJS() as Resource);
      expect(sorted(ours)).toEqual(sorted(theirs));
    }
  });
});
