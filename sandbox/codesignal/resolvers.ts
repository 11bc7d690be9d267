import { GraphQLError, isInterfaceType, isObjectType, type GraphQLSchema, type GraphQLTypeResolver } from 'graphql';
import { companyResolvers } from './company-resolvers';
import { ACCESS_DENIED } from './errors';
import type { FieldResolver, GraphQLContext, ResolverMap } from './graphql-context';
import { interviewResolvers } from './interview-resolvers';
import { FIELD_PERMISSIONS, hasPermission } from './permissions';
import { publicLinkResolvers } from './public-links';
import { sessionResolvers } from './session-resolvers';
import { testResolvers } from './test-resolvers';

// publicLinkResolvers after sessionResolvers: it replaces two of their session fields
const AREAS: ResolverMap[] = [companyResolvers, testResolvers, sessionResolvers, interviewResolvers, publicLinkResolvers];

/** Root fields check the key's permissions first, so a missing one reads "Access Denied" at that field's path. */
function guarded(fieldName: string, resolve: FieldResolver): FieldResolver {
  const needed = FIELD_PERMISSIONS[fieldName];
  if (!needed) throw new Error(`no permission mapped for root field ${fieldName}`);
  return (source, args, ctx: GraphQLContext, info) => {
    if (!hasPermission(ctx.apiKey.permissions, needed)) throw new GraphQLError(ACCESS_DENIED);
    return resolve(source, args, ctx, info);
  };
}

/** Installs every area's resolvers on the schema built from the SDL (like graphql-tools' addResolversToSchema). */
export function attachResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const area of AREAS) {
    for (const [typeName, fields] of Object.entries(area)) {
      const type = schema.getType(typeName);
      if (isInterfaceType(type) && '__resolveType' in fields) {
        type.resolveType = fields.__resolveType as GraphQLTypeResolver<unknown, unknown>;
        continue;
      }
      if (!isObjectType(type)) throw new Error(`resolvers given for unknown object type ${typeName}`);
      const defs = type.getFields();
      for (const [fieldName, resolve] of Object.entries(fields as Record<string, FieldResolver>)) {
        const def = defs[fieldName];
        if (!def) throw new Error(`resolver for unknown field ${typeName}.${fieldName}`);
        def.resolve = typeName === 'Query' || typeName === 'Mutation' ? guarded(fieldName, resolve) : resolve;
      }
    }
  }
  for (const rootType of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(rootType?.getFields() ?? {})) {
      if (!field.resolve) throw new Error(`root field ${rootType?.name}.${field.name} has no resolver`);
    }
  }
  return schema;
}
