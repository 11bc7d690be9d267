import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Runtime } from '@temporalio/worker';
import { createLogger } from '../../src/log';
import { startTracing, urlTemplate, type Tracing } from '../../src/observability/tracing';
import { startAssessmentHarness, type AssessmentHarness } from '../support/assessment-harness';
import { eventually } from '../support/stack';

/**
 * Traces end to end: a Lever stage change → the API's webhook route → Temporal → the candidate and
 * assessment workflows → their activities → Lever and CodeSignal (the sandboxes, over HTTP), all one
 * trace; nothing of the candidate and no key in any span; the trace id on the work's log lines.
 * The provider is process-global: started here, shut down (and the OpenTelemetry API reset) in afterAll.
 */
describe('traces', () => {
  jest.setTimeout(120_000);
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  let h: AssessmentHarness;
  beforeAll(async () => {
    tracing = startTracing({ OTEL_SERVICE_NAME: 'tracing-test' }, 'dev', { exporter });
    h = await startAssessmentHarness({ name: 'Tracing' });
  });
  afterAll(async () => {
    await h?.close();
    await tracing?.shutdown();
  });

  const seed = () => h.sandboxes.lever.seed;
  const port = (url: string) => Number(new URL(url).port);
  const attributesOf = (s: ReadableSpan) => JSON.stringify([s.name, s.attributes, s.events, s.links]);

  it('follows a Lever webhook through the workflows to every Lever and CodeSignal call, in one trace', async () => {
    const test = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    expect((await h.putSettings({ defaultTestByStage: { [seed().stageIds.assessment]: test.id } })).status).toBe(200);
    const c = seed().opportunities.find((o) => o.email && o.name)!;
    const sdkLog = jest.spyOn(Runtime.instance().logger, 'log');

    h.moveToStage(c.id, seed().stageIds.assessment);
    await eventually(async () => {
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: invited');
      expect(h.opportunity(c.id).notes.some((n) => n.fields.some((f) => String(f.value).includes('CodeSignal invitation sent')))).toBe(true);
    }, 60_000);

    // the webhook's server span is the trace's root (Lever sends no traceparent)
    const webhook = await eventually(async () => {
      const span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/webhooks/lever/:integrationId' && s.attributes['http.response.status_code'] === 202);
      expect(span).toBeDefined();
      return span!;
    });
    expect(webhook.name).toBe('POST /webhooks/lever/:integrationId');
    expect(webhook.parentSpanId).toBeUndefined();
    const traceId = webhook.spanContext().traceId;

    const inTrace = await eventually(async () => {
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      const names = spans.map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'SignalWithStartWorkflow:candidateWorkflow',
          'HandleSignal:leverEvent',
          'StartActivity:confirmLeverEvent',
          'RunActivity:confirmLeverEvent',
          'StartChildWorkflow:assessmentWorkflow',
          // the child's first activity (the candidate comes with its input, from confirmLeverEvent's read)
          'StartActivity:sendInvitation',
          'RunActivity:sendInvitation',
        ]),
      );
      const clientSpans = spans.filter((s) => s.kind === SpanKind.CLIENT);
      // a Lever write (the invitation note) and the CodeSignal call that sent the invitation
      expect(clientSpans.some((s) => s.attributes['server.port'] === port(h.sandboxes.lever.apiUrl) && s.name === 'POST /v1/opportunities/{id}/notes')).toBe(true);
      expect(clientSpans.some((s) => s.attributes['server.port'] === port(h.sandboxes.codesignal.graphqlUrl) && s.attributes['http.request.method'] === 'POST')).toBe(true);
      return spans;
    }, 30_000);

    // one root; a workflow's RunWorkflow span ends (and is exported) only when the workflow does, and these wait on
    expect(inTrace.filter((s) => s.parentSpanId === undefined)).toEqual([webhook]);
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const parentName = (name: string) => byId.get(inTrace.find((s) => s.name === name)!.parentSpanId!)?.name;
    expect(parentName('SignalWithStartWorkflow:candidateWorkflow')).toBe(webhook.name);
    expect(parentName('RunActivity:sendInvitation')).toBe('StartActivity:sendInvitation');
    // the workflow's spans carry its identity, nothing more of the workflow's info
    const started = inTrace.find((s) => s.name === 'StartActivity:sendInvitation')!;
    expect(started.attributes.workflowType).toBe('assessmentWorkflow');
    expect(started.attributes).not.toHaveProperty('searchAttributes');
    // client spans: the URL as a template, no query string
    for (const s of inTrace.filter((x) => x.kind === SpanKind.CLIENT)) {
      expect(s.attributes['url.full']).not.toMatch(/[?]|[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect(s.attributes).not.toHaveProperty('url.query');
    }

    // nothing of the candidate and no key in any span the test run exported
    const secrets = [c.email!, c.name, h.integration.leverApiKey, h.integration.codesignalApiKey, ...h.integration.leverWebhookSigningTokens];
    for (const s of exporter.getFinishedSpans()) {
      const text = attributesOf(s);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }

    // the activity's log line (the SDK's, through the worker's logger, written after the activity's span ended) carries the trace and the activity's span
    const sendInvitation = inTrace.find((s) => s.name === 'RunActivity:sendInvitation')!;
    const completed = sdkLog.mock.calls.filter(([, message, meta]) => meta?.activityType === 'sendInvitation' && message === 'Activity completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]![2]).toMatchObject({ trace_id: traceId, span_id: sendInvitation.spanContext().spanId });
    sdkLog.mockRestore();
  });

  it('continues a trace an incoming traceparent names, names a request by its route, never by its path, and leaves probes out', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    expect((await fetch(`${h.stack.baseUrl}/webhooks/lever/${randomUUID()}`, { method: 'POST', headers: { traceparent } })).status).toBe(404);
    expect((await fetch(`${h.stack.baseUrl}/readyz`, { headers: { traceparent } })).status).toBe(200);
    expect((await fetch(`${h.stack.baseUrl}/no/such/jane@example.com?email=jane@example.com`, { headers: { traceparent } })).status).toBe(404);
    const spans = await eventually(async () => {
      const found = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(spans.map((s) => [s.name, s.kind, s.parentSpanId])).toEqual(
      expect.arrayContaining([
        ['POST /webhooks/lever/:integrationId', SpanKind.SERVER, '00f067aa0ba902b7'],
        ['GET', SpanKind.SERVER, '00f067aa0ba902b7'],
      ]),
    );
    for (const s of spans) expect(attributesOf(s)).not.toContain('jane');
  });

  it('writes the active span into every log line written under it, and nothing outside one', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', 'test', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString())), done()) }));
    const span = trace.getTracer('test').startActiveSpan('unit of work', (s) => {
      logger.info({ opportunityId: 'x' }, 'inside');
      s.end();
      return s;
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('names URL paths by template: words kept, ids replaced, query and user info left out', () => {
    expect(urlTemplate(new URL('https://u:p@api.lever.co/v1/opportunities/250d8f03-738a-4bba-a671-8a3d73477145/notes?perform_as=abc'))).toEqual({
      path: '/v1/opportunities/{id}/notes',
      full: 'https://api.lever.co/v1/opportunities/{id}/notes',
    });
    expect(urlTemplate(new URL('https://api.lever.co/v1/users?email=jane%40example.com')).full).toBe('https://api.lever.co/v1/users');
    expect(urlTemplate(new URL('https://app.codesignal.com/graphql')).path).toBe('/graphql');
  });
});

describe('traces over OTLP/HTTP', () => {
  it('POSTs the spans to the configured endpoint as OTLP', async () => {
    const received: Array<{ url?: string; contentType?: string; body: Buffer }> = [];
    const collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url, contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/` }, 'api');
    try {
      expect(tracing).toMatchObject({ enabled: true, destination: `http://127.0.0.1:${port}/v1/traces` });
      trace.getTracer('test').startActiveSpan('otlp-export-check', (s) => s.end());
      await tracing.shutdown();
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ url: '/v1/traces', contentType: 'application/json' });
      expect(received[0]!.body.toString()).toContain('"otlp-export-check"');
      expect(received[0]!.body.toString()).toContain('"lever-codesignal-api"');
    } finally {
      await tracing.shutdown();
      await new Promise((resolve) => collector.close(resolve));
    }
  });

  it('is off without an endpoint: no provider, spans are the API no-op', () => {
    const tracing = startTracing({}, 'worker');
    expect(tracing.enabled).toBe(false);
    expect(trace.getTracer('test').startSpan('nothing').isRecording()).toBe(false);
  });
});
