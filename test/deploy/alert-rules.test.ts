import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { alertRules, expectPromtoolSuccess, prometheusDir, promtool, readYaml, root, temporaryDirectory } from './promtool';

/**
 * The alerting rules (deploy/prometheus/alerts.yml), their unit tests (alerts.test.yml) and the scrape
 * configuration of docker-compose.yml's Prometheus (prometheus.yml), checked by Prometheus's own promtool.
 */
const alertsFile = path.join(prometheusDir, 'alerts.yml');
const unitTestsFile = path.join(prometheusDir, 'alerts.test.yml');
const configFile = path.join(prometheusDir, 'prometheus.yml');

interface AlertTestCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
}
interface UnitTests {
  rule_files: string[];
  tests: { name: string; interval?: string; input_series: unknown[]; alert_rule_test?: AlertTestCase[] }[];
}

describe('Prometheus alerting rules', () => {
  it('pass `promtool check rules`', () => {
    expect(expectPromtoolSuccess('check', 'rules', alertsFile)).toContain('SUCCESS');
  });

  it('pass their unit tests, `promtool test rules alerts.test.yml`', () => {
    expect(expectPromtoolSuccess('test', 'rules', unitTestsFile)).toContain('SUCCESS');
  });

  it('have, each one, a unit test where it fires and one where it does not', () => {
    const cases = readYaml<UnitTests>(unitTestsFile).tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const { alert } of alertRules()) {
      const own = cases.filter((c) => c.alertname === alert);
      expect([alert, own.some((c) => (c.exp_alerts ?? []).length > 0)]).toEqual([alert, true]);
      expect([alert, own.some((c) => (c.exp_alerts ?? []).length === 0)]).toEqual([alert, true]);
    }
    // and no test names an alert that does not exist (promtool would only report "no alerts", i.e. pass)
    const names = new Set(alertRules().map((rule) => rule.alert));
    expect(cases.map((c) => c.alertname).filter((name) => !names.has(name))).toEqual([]);
  });

  it('carry a severity, a summary, a description and a runbook; per-integration alerts name the integration', () => {
    const rules = alertRules();
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect([rule.alert, rule.labels?.severity]).toEqual([rule.alert, expect.stringMatching(/^(critical|warning)$/)]);
      for (const annotation of ['summary', 'description', 'runbook']) {
        expect([rule.alert, annotation, rule.annotations?.[annotation]]).toEqual([rule.alert, annotation, expect.stringMatching(/\S/)]);
      }
      if (/\bby \([^)]*\bintegration_id\b/.test(rule.expr)) {
        expect([rule.alert, rule.annotations!.summary]).toEqual([rule.alert, expect.stringContaining('{{ $labels.integration_id }}')]);
        expect([rule.alert, rule.annotations!.description]).toEqual([rule.alert, expect.stringContaining('{{ $labels.integration_id }}')]);
      }
    }
  });

  it('fail their unit tests when an expectation is wrong (the check can fail)', () => {
    const dir = temporaryDirectory();
    copyFileSync(alertsFile, path.join(dir, 'alerts.yml'));
    const tests = readYaml<UnitTests>(unitTestsFile);
    // one group only, the fastest to evaluate: unchanged it passes, so the failure below is the changed expectation
    const group = tests.tests.find((test) => test.name === 'LeverRateLimitedShareHigh')!;
    writeFileSync(path.join(dir, 'right.test.yml'), stringify({ ...tests, tests: [group] }));
    expect(promtool('test', 'rules', path.join(dir, 'right.test.yml'))).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });

    // the severity of its first expected alert changed
    const wrongGroup = structuredClone(group);
    wrongGroup.alert_rule_test!.find((c) => (c.exp_alerts ?? []).length > 0)!.exp_alerts![0]!.exp_labels!.severity = 'info';
    writeFileSync(path.join(dir, 'wrong.test.yml'), stringify({ ...tests, tests: [wrongGroup] }));
    const wrong = promtool('test', 'rules', path.join(dir, 'wrong.test.yml'));
    expect(wrong.status).not.toBe(0);
    expect(wrong.output).toContain('FAILED');
    expect(wrong.output).toContain('LeverRateLimitedShareHigh');
    expect(wrong.output).toContain('severity="warning"');
  });

  it('fail `promtool check rules` on an expression that does not parse', () => {
    const dir = temporaryDirectory();
    const broken = parse(readFileSync(alertsFile, 'utf8')) as { groups: { rules: { expr: string }[] }[] };
    broken.groups[0]!.rules[0]!.expr = 'sum by (task_queue) (rate(temporal_workflow_failed[5m])';
    writeFileSync(path.join(dir, 'alerts.yml'), stringify(broken));
    const result = promtool('check', 'rules', path.join(dir, 'alerts.yml'));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/parse error/i);
  });
});

describe('prometheus.yml (docker-compose.yml)', () => {
  interface ScrapeConfig {
    job_name: string;
    metrics_path?: string;
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; type: string; port: number }[];
  }
  const config = readYaml<{ rule_files: string[]; scrape_configs: ScrapeConfig[] }>(configFile);

  it('passes `promtool check config`, which also checks the rule files it loads', () => {
    const output = expectPromtoolSuccess('check', 'config', configFile);
    expect(output).toContain('SUCCESS: 1 rule files found');
    expect(config.rule_files).toEqual(['alerts.yml']);
  });

  it('scrapes the API and the worker on the metrics port docker-compose.yml gives them', () => {
    const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, unknown> }>;
    };
    const port = (service: string) => Number(compose.services[service]!.environment!.METRICS_PORT);
    const jobs = Object.fromEntries(config.scrape_configs.map((job) => [job.job_name, job]));
    expect(Object.keys(jobs).sort()).toEqual(['lever-codesignal-api', 'lever-codesignal-worker']);
    expect(jobs['lever-codesignal-api']!.static_configs).toEqual([expect.objectContaining({ targets: [`api:${port('api')}`] })]);
    // every worker replica (docker compose up --scale worker=N), each scraped on its own
    expect(jobs['lever-codesignal-worker']!.dns_sd_configs).toEqual([{ names: ['worker'], type: 'A', port: port('worker') }]);
    for (const job of Object.values(jobs)) expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    // LcsMetricsTargetDown selects the jobs by name
    const up = alertRules().find((rule) => rule.alert === 'LcsMetricsTargetDown')!;
    const selector = new RegExp(`^(?:${/job=~"([^"]+)"/.exec(up.expr)![1]})$`);
    for (const name of Object.keys(jobs)) expect([name, selector.test(name)]).toEqual([name, true]);
  });
});
