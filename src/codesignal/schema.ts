import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  GraphQLScalarType,
  Kind,
  buildSchema,
  executeSync,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** The public schema file (reference), the only one the service's operations are checked against. */
const SCHEMA_DIR = path.join(__dirname, 'schema');
export const PUBLIC_SCHEMA_FILE = path.join(SCHEMA_DIR, 'codesignal.graphql');

/** The SDL the service's types are generated from and the sandbox serves. */
export function codeSignalSdl(): string {
  return readFileSync(PUBLIC_SCHEMA_FILE, 'utf8');
}

function parseTimestamp(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError('Timestamp must be milliseconds since the Unix epoch');
  return Math.trunc(n);
}

/** `Timestamp` is a number of ms (reference §1); inputs also accept digit strings. */
const timestampBehaviour: Pick<GraphQLScalarType, 'serialize' | 'parseValue' | 'parseLiteral'> = {
  serialize: (value: unknown) => (value === null || value === undefined ? null : parseTimestamp(value)),
  parseValue: parseTimestamp,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING) return parseTimestamp(ast.kind === Kind.STRING ? ast.value : Number(ast.value));
    throw new TypeError('Timestamp must be milliseconds since the Unix epoch');
  },
};

/** A fresh executable schema (the sandbox attaches resolvers to its own copy). */
export function buildCodeSignalSchema(): GraphQLSchema {
  const schema = buildSchema(codeSignalSdl());
  const timestamp = schema.getType('Timestamp');
  if (!(timestamp instanceof GraphQLScalarType)) throw new Error('Timestamp scalar missing');
  Object.assign(timestamp, timestampBehaviour);
  return schema;
}

let checkingSchema: GraphQLSchema | undefined;

/** The documents select no type-specific fields, so any possible type of an interface reads the same. */
const anyPossibleType: GraphQLTypeResolver<unknown, unknown> = (value, _context, _info, abstractType) => {
  const named = typeof value === 'object' && value !== null ? (value as { __typename?: unknown }).__typename : undefined;
  return typeof named === 'string' ? named : checkingSchema!.getPossibleTypes(abstractType)[0]?.name;
};

export type ResponseCheck<T> = { ok: true; data: T } | { ok: false; problems: string[] };

/**
 * Checks an answer's `data` against the schema the types were generated from, by executing the document
 * over it: a null where the schema says non-null, an unknown enum value or a malformed scalar is named by
 * its path (never its value). What passes is exactly the generated type, so no second schema is kept.
 */
export function checkResponse<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables, data: unknown): ResponseCheck<TData> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, problems: ['(root): no data object'] };
  checkingSchema ??= buildCodeSignalSchema();
  const result = executeSync({
    schema: checkingSchema,
    document,
    rootValue: data,
    variableValues: variables as Record<string, unknown>,
    typeResolver: anyPossibleType,
  });
  if (result.errors?.length) {
    return { ok: false, problems: result.errors.slice(0, 3).map((e) => `${e.path?.join('.') ?? '(root)'}: ${e.message.replace(/: .*$/s, '')}`) };
  }
  return { ok: true, data: result.data as TData };
}
