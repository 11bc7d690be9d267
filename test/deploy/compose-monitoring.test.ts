import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { prometheusDir, readYaml, root } from './promtool';

/**
 * docker-compose.yml's Prometheus and Grafana. No Docker engine here: the file parses, every mount source
 * exists, the pieces point at each other (data source → Prometheus, provider → mounted dashboards, scrape
 * targets → the apps' METRICS_PORT), and nothing is published beyond the host's loopback.
 */
interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, unknown>;
  volumes?: string[];
  ports?: string[];
  restart?: string;
}
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

/** short-syntax volume entries: "source:target[:mode]" */
const mountsOf = (service: string) =>
  (services[service]!.volumes ?? []).map((entry) => {
    const [source, target, mode] = entry.split(':');
    return { source: source!, target: target!, mode, bind: source!.startsWith('.') || source!.startsWith('/') };
  });
/** the host file a path inside the container comes from, through the service's bind mounts */
const hostPathOf = (service: string, containerPath: string): string | undefined => {
  for (const mount of mountsOf(service)) {
    if (mount.bind && (containerPath === mount.target || containerPath.startsWith(`${mount.target}/`))) {
      return path.join(root, mount.source, path.relative(mount.target, containerPath));
    }
  }
  return undefined;
};

describe('docker-compose.yml: Prometheus and Grafana', () => {
  it('runs pinned Prometheus and Grafana images, restarted like the rest of the stack', () => {
    expect(services.prometheus!.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(services.grafana!.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    for (const name of ['prometheus', 'grafana']) expect([name, services[name]!.restart]).toEqual([name, 'unless-stopped']);
  });

  it('mounts files that exist, read-only, and declares its named volumes', () => {
    for (const name of ['prometheus', 'grafana']) {
      const mounts = mountsOf(name);
      for (const mount of mounts.filter((m) => m.bind)) {
        expect([name, mount.source, existsSync(path.join(root, mount.source))]).toEqual([name, mount.source, true]);
        expect([name, mount.source, mount.mode]).toEqual([name, mount.source, 'ro']);
      }
      for (const mount of mounts.filter((m) => !m.bind)) expect(Object.keys(compose.volumes)).toContain(mount.source);
    }
  });

  it('gives Prometheus the scrape configuration and the alert rules it names', () => {
    const configArgument = services.prometheus!.command!.find((arg) => arg.startsWith('--config.file='))!;
    const configFile = hostPathOf('prometheus', configArgument.slice('--config.file='.length));
    expect(configFile).toBe(path.join(prometheusDir, 'prometheus.yml'));
    const config = readYaml<{ rule_files: string[] }>(configFile!);
    for (const file of config.rule_files) expect(existsSync(path.join(path.dirname(configFile!), file))).toBe(true);
    // more than the week WebhookSourceSilent looks back
    const retention = services.prometheus!.command!.find((arg) => arg.startsWith('--storage.tsdb.retention.time='));
    expect(Number(/=(\d+)d$/.exec(retention ?? '')?.[1])).toBeGreaterThan(7);
  });

  it('sets METRICS_PORT 9464 on the API and the worker, listening where Prometheus reaches it, and publishes it nowhere', () => {
    for (const name of ['api', 'worker']) {
      const environment = services[name]!.environment!;
      expect([name, String(environment.METRICS_PORT)]).toEqual([name, '9464']);
      expect([name, environment.METRICS_HOST]).toEqual([name, '0.0.0.0']);
      for (const port of services[name]!.ports ?? []) expect([name, port]).toEqual([name, expect.not.stringContaining('9464')]);
    }
  });

  it('publishes Prometheus and Grafana on 127.0.0.1 only', () => {
    for (const name of ['prometheus', 'grafana']) {
      const ports = services[name]!.ports ?? [];
      for (const port of ports) expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/)]);
    }
    expect(services.prometheus!.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(services.grafana!.ports).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+:3000$/)]);
  });

  it('requires the Grafana admin password from .env and lets nobody else in', () => {
    const environment = services.grafana!.environment!;
    expect(environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/);
    expect(environment.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(environment.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(composeText).toContain('${GRAFANA_ADMIN_PASSWORD:?');
  });

  it('provisions the Prometheus data source and the dashboards Grafana mounts', () => {
    const provisioning = hostPathOf('grafana', '/etc/grafana/provisioning')!;
    expect(provisioning).toBe(path.join(root, 'deploy', 'grafana', 'provisioning'));
    const sources = readYaml<{ datasources: { name: string; uid: string; type: string; url: string; isDefault?: boolean }[] }>(
      path.join(provisioning, 'datasources', 'prometheus.yml'),
    ).datasources;
    expect(sources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true })]);
    // the dashboard's data source variable defaults to it
    const dashboardFile = path.join(root, 'deploy', 'grafana', 'dashboards', 'lever-codesignal.json');
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { templating: { list: { name: string; current?: { value: string } }[] } };
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')!.current!.value).toBe(sources[0]!.uid);

    const providers = readYaml<{ providers: { type: string; options: { path: string } }[] }>(path.join(provisioning, 'dashboards', 'lever-codesignal.yml')).providers;
    expect(providers).toHaveLength(1);
    const dashboards = hostPathOf('grafana', providers[0]!.options.path)!;
    expect(statSync(dashboards).isDirectory()).toBe(true);
    expect(existsSync(path.join(dashboards, 'lever-codesignal.json'))).toBe(true);
    expect(hostPathOf('grafana', String(services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH))).toBe(dashboardFile);
  });
});
