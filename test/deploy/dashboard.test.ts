import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DashboardCursorSync,
  FieldColorModeId,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type VariableType,
} from '@grafana/schema';
import { stringify } from 'yaml';
import { z } from 'zod';
import dashboardJson from '../../deploy/grafana/dashboards/lever-codesignal.json';
import { alertRules, expectPromtoolSuccess, promtool, root, temporaryDirectory } from './promtool';

/**
 * deploy/grafana/dashboards/lever-codesignal.json against Grafana's dashboard schema (@grafana/schema, the
 * `Dashboard` type Grafana's own code uses), its PromQL against Prometheus's parser, and its metric names,
 * like the alert rules', against docs/observability.md.
 */

// ---- compile time: `npm run typecheck` fails when the JSON drifts from the Dashboard type ----

/**
 * What a JSON module's type can be: TypeScript widens a JSON file's strings to `string` and its numbers to
 * `number`, so the enums and literal unions of the schema are widened the same way; structure, required
 * fields and the types of every field stay as the schema has them. The values are checked at run time by
 * the zod schema below, whose output type is itself checked against `Dashboard`.
 */
type Widened<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends readonly (infer E)[]
        ? Widened<E>[]
        : T extends object
          ? { [K in keyof T]: Widened<T[K]> }
          : T;
const dashboardAsWritten: Widened<Dashboard> = dashboardJson;

// ---- run time: a zod schema derived from @grafana/schema's Dashboard, Panel, RowPanel, VariableModel, DataQuery ----

const dataSourceRef = z.strictObject({ type: z.string().optional(), uid: z.string().optional() });
/** raw GridPos; inside Grafana's 24 columns */
const gridPos = z
  .strictObject({
    h: z.number().int().positive(),
    w: z.number().int().positive().max(24),
    x: z.number().int().min(0).max(23),
    y: z.number().int().min(0),
    static: z.boolean().optional(),
  })
  .refine((pos) => pos.x + pos.w <= 24, { message: 'gridPos: x + w is beyond the 24 columns' });
/** DataQuery (refId required) with the Prometheus data source's fields; here every query has an expression */
const prometheusQuery = z.strictObject({
  refId: z.string().min(1),
  datasource: dataSourceRef.optional(),
  hide: z.boolean().optional(),
  queryType: z.string().optional(),
  expr: z.string().min(1),
  legendFormat: z.string().optional(),
  range: z.boolean().optional(),
  instant: z.boolean().optional(),
  interval: z.string().optional(),
  format: z.enum(['time_series', 'table', 'heatmap']).optional(),
});
const fieldConfig = z.strictObject({
  unit: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  decimals: z.number().optional(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  noValue: z.string().optional(),
  color: z.strictObject({ mode: z.enum(FieldColorModeId), fixedColor: z.string().optional(), seriesBy: z.enum(['min', 'max', 'last']).optional() }).optional(),
  thresholds: z.strictObject({ mode: z.enum(ThresholdsMode), steps: z.array(z.strictObject({ color: z.string(), value: z.number().nullable() })) }).optional(),
  custom: z.record(z.string(), z.unknown()).optional(),
});
const fieldConfigSource = z.strictObject({
  defaults: fieldConfig,
  overrides: z.array(
    z.strictObject({
      matcher: z.strictObject({ id: z.string(), options: z.unknown().optional() }),
      properties: z.array(z.strictObject({ id: z.string(), value: z.unknown().optional() })),
    }),
  ),
});
/** Panel; id, title, gridPos and queries required here (Grafana fills them in, a provisioned file should not rely on it) */
const panel = z.strictObject({
  type: z.string().min(1).refine((type) => type !== 'row', { message: 'a row is a RowPanel' }),
  id: z.number().int().positive(),
  title: z.string().min(1),
  description: z.string().optional(),
  datasource: dataSourceRef.optional(),
  gridPos,
  fieldConfig: fieldConfigSource.optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  targets: z.array(prometheusQuery).min(1),
  interval: z.string().optional(),
  maxDataPoints: z.number().optional(),
  transparent: z.boolean().optional(),
});
const rowPanel = z.strictObject({
  type: z.literal('row'),
  id: z.number().int().positive(),
  title: z.string().optional(),
  collapsed: z.boolean(),
  gridPos,
  panels: z.array(panel),
  datasource: dataSourceRef.optional(),
  repeat: z.string().optional(),
});
const variableTypes = ['query', 'adhoc', 'groupby', 'constant', 'datasource', 'interval', 'textbox', 'custom', 'system', 'snapshot', 'switch'] as const satisfies readonly VariableType[];
// every VariableType is listed (a new one in @grafana/schema fails the typecheck here)
const everyVariableType: Exclude<VariableType, (typeof variableTypes)[number]> extends never ? true : false = true;
const variableOption = z.strictObject({ text: z.union([z.string(), z.array(z.string())]), value: z.union([z.string(), z.array(z.string())]), selected: z.boolean().optional() });
const variable = z.strictObject({
  name: z.string().regex(/^\w+$/),
  type: z.enum(variableTypes),
  label: z.string().optional(),
  description: z.string().optional(),
  datasource: dataSourceRef.nullable().optional(),
  query: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  current: variableOption.optional(),
  options: z.array(variableOption).optional(),
  includeAll: z.boolean().optional(),
  multi: z.boolean().optional(),
  allValue: z.string().optional(),
  regex: z.string().optional(),
  hide: z.enum(VariableHide).optional(),
  refresh: z.enum(VariableRefresh).optional(),
  sort: z.enum(VariableSort).optional(),
  skipUrlSync: z.boolean().optional(),
});
const annotationQuery = z.strictObject({
  name: z.string(),
  enable: z.boolean(),
  iconColor: z.string(),
  datasource: dataSourceRef.nullable().optional(),
  hide: z.boolean().optional(),
  builtIn: z.number().optional(),
  type: z.string().optional(),
});
const dashboardSchema = z.strictObject({
  uid: z.string().regex(/^[\w-]{1,40}$/),
  title: z.string().min(1),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  editable: z.boolean().optional(),
  graphTooltip: z.enum(DashboardCursorSync).optional(),
  schemaVersion: z.number().int().min(36),
  version: z.number().int().optional(),
  refresh: z.string().optional(),
  time: z.strictObject({ from: z.string(), to: z.string() }).optional(),
  timezone: z.string().optional(),
  templating: z.strictObject({ list: z.array(variable).optional() }).optional(),
  annotations: z.strictObject({ list: z.array(annotationQuery).optional() }).optional(),
  panels: z.array(z.union([rowPanel, panel])),
});

type ParsedDashboard = z.infer<typeof dashboardSchema>;
type Panel = z.infer<typeof panel>;

/** Grafana's variables as they are when every value is selected, and the interval Grafana picks for rates. */
const substitutions: Record<string, string> = { integration_id: '.*', __rate_interval: '5m', __interval: '1m', __range: '6h' };
const substitute = (expr: string): string =>
  expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_m, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    if (!(name in substitutions)) throw new Error(`unknown dashboard variable $${name} in ${expr}`);
    return substitutions[name]!;
  });

/**
 * The metric names docs/observability.md lists (backticked) in its "Metrics" section, which of them are
 * histograms, and the labels of the service's metrics (its table says both).
 */
const documentedMetrics = (): { names: Set<string>; histograms: Set<string>; labels: Map<string, Set<string>>; perIntegration: Set<string> } => {
  const docs = readFileSync(path.join(root, 'docs', 'observability.md'), 'utf8');
  const start = docs.indexOf('\n## Metrics\n');
  const end = docs.indexOf('\n## ', start + 1);
  const section = docs.slice(start, end === -1 ? undefined : end);
  const names = new Set([...section.matchAll(/`((?:lcs|temporal)_[a-z0-9_]+)(?:\{[^}`]*\})?`/g)].map((m) => m[1]!));
  const rows = [...section.matchAll(/^\| `(lcs_[a-z0-9_]+)` \| (\w+) \| ([^|]*) \|/gm)].map(([, name, type, labels]) => ({
    name: name!,
    type: type!,
    labels: new Set([...labels!.matchAll(/`(\w+)`/g)].map((m) => m[1]!)),
  }));
  // the Temporal SDK's histograms are its *_latency metrics
  const histograms = new Set([
    ...rows.filter((row) => row.type === 'histogram').map((row) => row.name),
    ...[...names].filter((name) => name.startsWith('temporal_') && name.endsWith('_latency')),
  ]);
  const labels = new Map(rows.map((row) => [row.name, row.labels]));
  const perIntegration = new Set(rows.filter((row) => row.labels.has('integration_id')).map((row) => row.name));
  return { names, histograms, labels, perIntegration };
};

/** Labels every scraped series has besides its own: the target's (prometheus.yml). */
const targetLabels = new Set(['job', 'instance', 'component']);
/**
 * The labels an expression selects (`metric{label=…}`) or groups by (`by (label) (…metric…)`) on each of the
 * service's metrics; `le` on a histogram's buckets.
 */
const serviceLabelUses = (expr: string): { metric: string; label: string }[] => {
  const uses: { metric: string; label: string }[] = [];
  for (const [, metric, matchers] of expr.matchAll(/\b(lcs_\w+?)(?:_bucket|_sum|_count)?\{([^}]*)\}/g)) {
    for (const [, label] of matchers!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) uses.push({ metric: metric!, label: label! });
  }
  for (const [, grouping, metric, suffix] of expr.matchAll(/\bby\s*\(([^)]*)\)\s*\((?:\s*\w*\s*\()*\s*(lcs_\w+?)(_bucket|_sum|_count)?\b/g)) {
    for (const label of grouping!.split(',').map((l) => l.trim()).filter(Boolean)) {
      if (!(label === 'le' && suffix === '_bucket')) uses.push({ metric: metric!, label });
    }
  }
  return uses;
};

/** PromQL words that are not metric names (keywords, functions and aggregations are followed by "(" and skipped anyway). */
const keywords = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan']);
/** Prometheus's own series, not the service's */
const prometheusOwn = new Set(['up']);
/** The metric names an expression selects: label matchers, label lists, ranges and strings removed. */
const metricNamesIn = (expr: string): string[] => {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+\w+/g, ' ');
  return [...stripped.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((word) => !keywords.has(word.toLowerCase()));
};

/** Every (query) panel, those inside rows included. */
const panelsOf = (dashboard: ParsedDashboard): Panel[] =>
  dashboard.panels.flatMap((p) => (p.type === 'row' ? (p as z.infer<typeof rowPanel>).panels : [p as Panel]));

describe('the Grafana dashboard', () => {
  const parsed = dashboardSchema.safeParse(dashboardJson);

  it('is a Grafana Dashboard (@grafana/schema), as the zod schema derived from its types says', () => {
    expect(parsed.error ? z.prettifyError(parsed.error) : 'valid').toBe('valid');
    // the zod schema's output is a Dashboard: this assignment is checked by `npm run typecheck`
    const typed: Dashboard = parsed.data!;
    expect(typed.uid).toBe('lever-codesignal');
    expect(dashboardAsWritten.title).toBe(typed.title);
    expect(everyVariableType).toBe(true);
  });

  it('the schema rejects what Grafana would not load (so the check can fail)', () => {
    const broken = (change: (d: typeof dashboardJson & Record<string, unknown>) => void): boolean => {
      const copy = structuredClone(dashboardJson) as typeof dashboardJson & Record<string, unknown>;
      change(copy);
      return dashboardSchema.safeParse(copy).success;
    };
    expect(broken(() => undefined)).toBe(true);
    expect(broken((d) => void delete (d as Partial<typeof d>).schemaVersion)).toBe(false);
    expect(broken((d) => void ((d.panels[1] as { gridPos: unknown }).gridPos = { x: 20, y: 0, w: 8, h: 8 }))).toBe(false);
    expect(broken((d) => void ((d.panels[1] as { gridPos: unknown }).gridPos = { x: '0', y: 0, w: 8, h: 8 }))).toBe(false);
    expect(broken((d) => void ((d.panels[1] as { targets: unknown[] }).targets = [{ refId: 'A' }]))).toBe(false);
    expect(broken((d) => void ((d.panels[1] as Record<string, unknown>).gridpos = {}))).toBe(false);
    expect(broken((d) => void (d.templating.list[1]!.type = 'dropdown'))).toBe(false);
  });

  it('gives every panel a unique id and a place inside 24 columns that no other panel takes', () => {
    const dashboard = parsed.data!;
    const all = [...dashboard.panels, ...panelsOf(dashboard).filter((p) => !dashboard.panels.includes(p))];
    const ids = all.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, number>();
    for (const { id, gridPos: pos } of dashboard.panels) {
      expect([id, pos.x + pos.w <= 24]).toEqual([id, true]);
      for (let x = pos.x; x < pos.x + pos.w; x++) {
        for (let y = pos.y; y < pos.y + pos.h; y++) {
          expect([id, x, y, cells.get(`${x},${y}`)]).toEqual([id, x, y, undefined]);
          cells.set(`${x},${y}`, id);
        }
      }
    }
  });

  it('queries the Prometheus data source variable, and filters by the integration_id variable', () => {
    const dashboard = parsed.data!;
    const { perIntegration } = documentedMetrics();
    expect(perIntegration.size).toBeGreaterThanOrEqual(10);
    const variables = Object.fromEntries((dashboard.templating?.list ?? []).map((v) => [v.name, v]));
    expect(variables.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.integration_id).toMatchObject({ type: 'query', includeAll: true, allValue: '.*', datasource: { type: 'prometheus', uid: '${datasource}' } });
    for (const p of panelsOf(dashboard)) {
      expect([p.title, p.datasource]).toEqual([p.title, { type: 'prometheus', uid: '${datasource}' }]);
      for (const target of p.targets) {
        expect([p.title, target.datasource ?? p.datasource]).toEqual([p.title, { type: 'prometheus', uid: '${datasource}' }]);
        // a metric with an integration_id label is filtered by the variable
        for (const match of target.expr.matchAll(/\b(lcs_\w+?)(?:_bucket|_sum|_count)?\b(\{[^}]*\})?/g)) {
          if (!perIntegration.has(match[1]!)) continue;
          expect([p.title, match[0]]).toEqual([p.title, expect.stringContaining('integration_id=~"$integration_id"')]);
        }
      }
      expect([p.title, new Set(p.targets.map((t) => t.refId)).size]).toEqual([p.title, p.targets.length]);
    }
  });

  it('parses, with every PromQL expression of the dashboard and of the alert rules, in `promtool check rules`', () => {
    const expressions = [
      ...panelsOf(parsed.data!).flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: substitute(t.expr) }))),
      ...alertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
    ];
    const dir = temporaryDirectory();
    const file = path.join(dir, 'expressions.yml');
    const rules = expressions.map(({ expr }, i) => ({ record: `lcs_check:expression_${i}`, expr }));
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard-and-alert-expressions', rules }] }));
    expect(expectPromtoolSuccess('check', 'rules', file)).toContain(`SUCCESS: ${expressions.length} rules found`);

    // and promtool does reject a broken one
    writeFileSync(file, stringify({ groups: [{ name: 'broken', rules: [{ record: 'lcs_check:broken', expr: substitute('sum by (le (rate(lcs_ingress_request_duration_seconds_bucket[$__rate_interval]))') }] }] }));
    expect(promtool('check', 'rules', file).status).not.toBe(0);
  });

  it('selects and groups the service\'s metrics, like the alert rules, only by labels docs/observability.md gives them', () => {
    const { labels } = documentedMetrics();
    expect(labels.get('lcs_webhooks_received_total')).toEqual(new Set(['integration_id', 'source', 'event', 'outcome', 'http_status']));
    const expressions = [
      ...panelsOf(parsed.data!).flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
      ...alertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
    ];
    const isDocumented = ({ metric, label }: { metric: string; label: string }) => targetLabels.has(label) || !!labels.get(metric)?.has(label);
    const uses = expressions.flatMap(({ where, expr }) => serviceLabelUses(expr).map((use) => ({ where, ...use })));
    expect(uses.length).toBeGreaterThan(40);
    expect(uses.filter((use) => !isDocumented(use))).toEqual([]);
    // the check sees a label the metric does not have
    expect(serviceLabelUses('sum by (integration_id, le) (rate(lcs_ingress_request_duration_seconds_bucket{source="lever"}[5m]))').filter((use) => !isDocumented(use))).toEqual([
      { metric: 'lcs_ingress_request_duration_seconds', label: 'integration_id' },
    ]);
  });

  it('uses, like the alert rules, only metric names that docs/observability.md lists', () => {
    const { names, histograms } = documentedMetrics();
    // the catalogue was read: the service's table and the Temporal SDK's paragraph
    expect(names).toEqual(expect.any(Set));
    expect([...names].filter((n) => n.startsWith('lcs_')).length).toBeGreaterThanOrEqual(13);
    expect(names.has('temporal_workflow_task_schedule_to_start_latency')).toBe(true);
    const isDocumented = (name: string): boolean => {
      if (names.has(name) || prometheusOwn.has(name)) return true;
      const series = /^(.+)_(?:bucket|sum|count)$/.exec(name);
      return !!series && histograms.has(series[1]!);
    };
    const variableQueries = (parsed.data!.templating?.list ?? []).flatMap((v) => (typeof v.query === 'object' && typeof v.query.query === 'string' ? [v.query.query] : []));
    const used = [
      ...panelsOf(parsed.data!).flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
      ...alertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
      ...variableQueries.map((query) => ({ where: 'variable', expr: /^label_values\((\w+),/.exec(query)?.[1] ?? query })),
    ].flatMap(({ where, expr }) => metricNamesIn(expr).map((name) => ({ where, name })));
    expect(used.length).toBeGreaterThan(40);
    expect(used.filter(({ name }) => !isDocumented(name))).toEqual([]);
    // a rename in the catalogue breaks this test
    expect(metricNamesIn('sum by (integration_id) (rate(lcs_webhooks_received_total{outcome="rejected"}[5m])) / on (x) group_left up offset 1d')).toEqual(['lcs_webhooks_received_total', 'up']);
    expect(isDocumented('lcs_webhooks_recieved_total')).toBe(false);
    expect(isDocumented('lcs_external_requests_total_bucket')).toBe(false);
    expect(isDocumented('lcs_ingress_request_duration_seconds_bucket')).toBe(true);
  });
});
