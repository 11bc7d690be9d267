import type { Request, RequestHandler, Response } from 'express';
import {
  GraphQLError,
  Kind,
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ACCESS_DENIED, SandboxError } from './errors';
import type { FaultRegistry } from './faults';
import type { GraphQLContext } from './graphql-context';
import { MAX_COST, costError, depthLimitRule, documentedRateLimit, operationCost } from './query-limits';
import type { FieldRateLimiter } from './rate-limit';
import type { RequestLog, RequestLogEntry, RequestOutcome } from './request-log';
import type { Runtime } from './runtime';
import type { ApiKeyRecord, CompanyData } from './state';

export interface GraphQLEndpointDeps {
  rt: Runtime;
  schema: GraphQLSchema;
  faults: FaultRegistry;
  limiter: FieldRateLimiter;
  requestLog: RequestLog;
}

interface GraphQLBody {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | null;
}

/** Thrown inside the pipeline to end the request with a status and GraphQL-shaped errors. */
class Reject extends Error {
  constructor(
    readonly status: number,
    readonly outcome: RequestOutcome,
    readonly errors: GraphQLFormattedError[],
    readonly headers: Record<string, string> = {},
    readonly data: null | undefined = undefined,
  ) {
    super(errors.map((e) => e.message).join('; '));
  }
}

const VALIDATION_RULES = [...specifiedRules, depthLimitRule()];

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return match ? match[1]!.trim() : null;
}

function readBody(raw: unknown): GraphQLBody {
  const body = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  if (typeof body.query !== 'string' || body.query.trim() === '') throw new Reject(400, 'invalid', [{ message: 'Must provide query string.' }]);
  const variables = body.variables ?? {};
  if (typeof variables !== 'object' || Array.isArray(variables)) throw new Reject(400, 'invalid', [{ message: 'Variables must be an object.' }]);
  const operationName = typeof body.operationName === 'string' && body.operationName !== '' ? body.operationName : null;
  return { query: body.query, variables: variables as Record<string, unknown>, operationName };
}

function formatError(rt: Runtime, error: GraphQLError): GraphQLFormattedError {
  const original = error.originalError;
  if (original && !(original instanceof SandboxError) && !(original instanceof GraphQLError)) {
    rt.logger.error({ err: original, path: error.path }, 'resolver failed');
    return { message: 'Internal server error', ...(error.locations ? { locations: error.locations } : {}), ...(error.path ? { path: error.path } : {}) };
  }
  return error.toJSON();
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * `POST /graphql`: Bearer key → company, then faults, parsing, validation (incl. depth 10),
 * cost (≤ 10 000), per-field rate limits, execution, and — for injected drops — a destroyed socket.
 */
export function graphqlEndpoint(deps: GraphQLEndpointDeps): RequestHandler {
  const { rt, schema, faults, limiter, requestLog } = deps;

  const throttled = (fields: Array<{ name: string; limit: number }>): Reject => {
    const errors = fields.map((f) => ({ message: `You are trying to access '${f.name}' too often`, path: [f.name] }));
    return rt.options.throttleAs === 'http429'
      ? new Reject(429, 'throttled', errors, { 'retry-after': '1' })
      : new Reject(200, 'throttled', errors, {}, null);
  };

  const unauthorized = (): Reject =>
    rt.options.invalidKeyAs === 'http401'
      ? new Reject(401, 'unauthorized', [{ message: 'Unauthorized: missing or invalid API key' }], { 'www-authenticate': 'Bearer' })
      : new Reject(200, 'unauthorized', [{ message: ACCESS_DENIED }], {}, null);

  function prepare(body: GraphQLBody): { document: DocumentNode; operation: OperationDefinitionNode; variables: Record<string, unknown> } {
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (err) {
      throw new Reject(400, 'invalid', [err instanceof GraphQLError ? err.toJSON() : { message: String(err) }]);
    }
    const invalid = validate(schema, document, VALIDATION_RULES);
    if (invalid.length) throw new Reject(400, 'invalid', invalid.map((e) => e.toJSON()));
    const operation = getOperationAST(document, body.operationName);
    if (!operation) {
      const message = body.operationName ? `Unknown operation named "${body.operationName}".` : 'Must provide operation name if query contains multiple operations.';
      throw new Reject(400, 'invalid', [{ message }]);
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables);
    if (coerced.errors) throw new Reject(400, 'invalid', coerced.errors.map((e) => e.toJSON()));
    const fragments = new Map<string, FragmentDefinitionNode>(
      document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    );
    const cost = operationCost(schema, operation, fragments, coerced.coerced);
    if (cost > MAX_COST) throw new Reject(400, 'invalid', [costError(cost).toJSON()]);
    return { document, operation, variables: body.variables };
  }

  function rootFields(operation: OperationDefinitionNode): Array<{ name: string; limit: number }> {
    const rootType = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
    return operation.selectionSet.selections.flatMap((sel) => {
      if (sel.kind !== Kind.FIELD || sel.name.value.startsWith('__')) return [];
      const field = rootType?.getFields()[sel.name.value];
      if (!field) return [];
      const limit = operation.operation === 'mutation' ? rt.options.mutationRateLimitPerSecond : rt.options.rateLimitPerSecond ?? documentedRateLimit(schema, field) ?? 10;
      return [{ name: field.name, limit }];
    });
  }

  return async (req: Request, res: Response) => {
    const started = Date.now();
    rt.learnBaseUrl(`${req.protocol}://${req.get('host') ?? '127.0.0.1'}`);
    const entry: Omit<RequestLogEntry, 'id'> = {
      at: rt.now(),
      companyId: null,
      apiKeyPrefix: null,
      operationName: null,
      operationType: null,
      rootFields: [],
      variables: null,
      httpStatus: null,
      outcome: 'ok',
      errors: [],
      durationMs: 0,
    };
    const finish = (status: number | null, outcome: RequestOutcome, errors: GraphQLFormattedError[]): void => {
      const done = { ...entry, httpStatus: status, outcome, errors: errors.map((e) => e.message), durationMs: Date.now() - started };
      requestLog.add(done);
      rt.logger.debug({ companyId: done.companyId, operationName: done.operationName, rootFields: done.rootFields, status, outcome }, 'codesignal sandbox graphql request');
    };
    try {
      const token = bearerToken(req.get('authorization'));
      const owner = token ? rt.store.resolveKey(token) : undefined;
      if (token) entry.apiKeyPrefix = token.slice(0, 6);
      if (!owner) throw unauthorized();
      const { data, apiKey }: { data: CompanyData; apiKey: ApiKeyRecord } = owner;
      entry.companyId = data.id;
      const body = readBody(req.body);
      entry.operationName = body.operationName;
      entry.variables = body.variables;
      await sleep(faults.latencyMs(data.id));
      const { document, operation, variables } = prepare(body);
      const fields = rootFields(operation);
      Object.assign(entry, { operationType: operation.operation, rootFields: fields.map((f) => f.name), operationName: body.operationName ?? operation.name?.value ?? null });
      const fault = faults.beforeExecution(data.id);
      if (fault?.kind === 'error') throw new Reject(fault.status, 'fault', [{ message: fault.status === 503 ? 'Service Unavailable' : 'Internal Server Error' }]);
      if (fault?.kind === 'throttle') throw throttled(fields);
      const over = limiter.check(apiKey.key, fields);
      if (over.length) throw throttled(fields.filter((f) => over.includes(f.name)));
      const context: GraphQLContext = { rt, data, apiKey };
      const result = (await execute({ schema, document, operationName: body.operationName, variableValues: variables, contextValue: context })) as ExecutionResult;
      const errors = (result.errors ?? []).map((e) => formatError(rt, e));
      if (operation.operation === 'mutation' && faults.dropAfterCommit(data.id)) {
        finish(null, 'dropped', []);
        req.socket.destroy();
        return;
      }
      res.status(200).json({ data: result.data ?? null, ...(errors.length ? { errors } : {}) });
      finish(200, errors.length ? 'errors' : 'ok', errors);
    } catch (err) {
      const reject = err instanceof Reject ? err : new Reject(500, 'fault', [{ message: 'Internal server error' }]);
      if (!(err instanceof Reject)) rt.logger.error({ err }, 'graphql endpoint failed');
      res.status(reject.status).set(reject.headers).json({ ...(reject.data === null ? { data: null } : {}), errors: reject.errors });
      finish(reject.status, reject.outcome, reject.errors);
    }
  };
}
