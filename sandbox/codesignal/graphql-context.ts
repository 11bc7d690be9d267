import type { GraphQLFieldResolver, GraphQLTypeResolver } from 'graphql';
import type { Runtime } from './runtime';
import type { ApiKeyRecord, CompanyData } from './state';

/** Per-request context: the company that owns the API key is the only data a request can see. */
export interface GraphQLContext {
  rt: Runtime;
  data: CompanyData;
  apiKey: ApiKeyRecord;
}

/** Sources and args differ per field; each resolver declares its own, so the map itself stays loose. */
export type FieldResolver = GraphQLFieldResolver<any, GraphQLContext, any>;

/** Field resolvers per object type, plus `__resolveType` for interfaces. */
export type ResolverMap = Record<string, Record<string, FieldResolver> | { __resolveType: GraphQLTypeResolver<unknown, GraphQLContext> }>;

/** Offset pagination shared by every list field: clamps like a server would, never throws. */
export function paginate<T>(items: T[], first: number | null | undefined, offset: number | null | undefined): { page: T[]; hasNextPage: boolean } {
  const start = Math.max(0, offset ?? 0);
  const size = first === null || first === undefined ? items.length : Math.max(0, first);
  const page = items.slice(start, start + size);
  return { page, hasNextPage: start + page.length < items.length };
}
