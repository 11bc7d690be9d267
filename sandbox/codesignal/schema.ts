import type { GraphQLSchema } from 'graphql';
import { buildCodeSignalSchema as buildFromSchemaFiles, codeSignalSdl } from '../../src/codesignal/schema';

/**
 * The sandbox serves the very schema files the service's types are generated from
 * (src/codesignal/schema/codesignal.graphql): CodeSignal's public schema as the reference documents
 * it, and nothing else. A query selecting anything else fails validation, as on the real API.
 */
export const SCHEMA_SDL = codeSignalSdl();

export function buildCodeSignalSchema(): GraphQLSchema {
  return buildFromSchemaFiles();
}
