/** SANDBOX EXTENSION resolvers (not CodeSignal's public API; see sourcing.ts). */
import { paginate, type GraphQLContext, type ResolverMap } from './graphql-context';
import * as sourcing from './sourcing';
import type { SourcingCandidateRecord, SourcingCandidateStatus } from './state';

export const sourcingResolvers: ResolverMap = {
  Query: {
    sourcingCandidate: (_: unknown, args: { id: string }, ctx: GraphQLContext) => ctx.data.sourcingCandidates.get(args.id) ?? null,
    sourcingCandidates: (
      _: unknown,
      args: { first: number; offset?: number | null; status?: SourcingCandidateStatus | null; importRequested?: boolean | null },
      ctx: GraphQLContext,
    ) => {
      const all = [...ctx.data.sourcingCandidates.values()]
        .filter((c) => (!args.status || c.status === args.status) && (args.importRequested === null || args.importRequested === undefined || (c.importRequestedAt !== null) === args.importRequested))
        .sort((a, b) => b.createDate - a.createDate);
      const { page, hasNextPage } = paginate(all, args.first, args.offset);
      return { totalCount: all.length, candidates: page, pageInfo: { hasNextPage } };
    },
  },
  Mutation: {
    setSourcingCandidateStatus: (_: unknown, args: { id: string; status: SourcingCandidateStatus; externalRef?: string | null }, ctx: GraphQLContext) =>
      sourcing.changeStatus(ctx.rt, ctx.data, args.id, { status: args.status, source: 'api', userId: null, externalRef: args.externalRef }),
  },
  SourcingCandidate: {
    statusUpdatedBy: (c: SourcingCandidateRecord, _a: unknown, ctx: GraphQLContext) => (c.statusUpdatedByUserId ? ctx.data.users.get(c.statusUpdatedByUserId) ?? null : null),
    importedBy: (c: SourcingCandidateRecord, _a: unknown, ctx: GraphQLContext) => (c.importRequestedByUserId ? ctx.data.users.get(c.importRequestedByUserId) ?? null : null),
  },
};
