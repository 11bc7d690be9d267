import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Prometheus's own checker for the files under deploy/prometheus (Debian's prometheus package, installed by
 * scripts/install-prometheus.sh before `npm test`; PROMTOOL_PATH points at another binary).
 */
export const promtoolPath = process.env.PROMTOOL_PATH || '/usr/bin/promtool';
export const root = path.join(__dirname, '..', '..');
export const prometheusDir = path.join(root, 'deploy', 'prometheus');

export interface PromtoolResult {
  status: number | null;
  /** stdout and stderr together, as promtool prints its findings on either */
  output: string;
}

export const promtool = (...args: string[]): PromtoolResult => {
  const run = spawnSync(promtoolPath, args, { encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw new Error(`cannot run ${promtoolPath} (set PROMTOOL_PATH, or run scripts/install-prometheus.sh): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
};

/** Fails with promtool's own output, so a failing check shows what promtool found. */
export const expectPromtoolSuccess = (...args: string[]): string => {
  const { status, output } = promtool(...args);
  if (status !== 0) throw new Error(`promtool ${args.join(' ')} exited ${status}:\n${output}`);
  return output;
};

export const temporaryDirectory = (): string => mkdtempSync(path.join(tmpdir(), 'lcs-promtool-'));

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RulesFile {
  groups: { name: string; rules: AlertRule[] }[];
}

export const readYaml = <T>(file: string): T => parse(readFileSync(file, 'utf8')) as T;
export const alertRules = (): AlertRule[] => readYaml<RulesFile>(path.join(prometheusDir, 'alerts.yml')).groups.flatMap((group) => group.rules);
