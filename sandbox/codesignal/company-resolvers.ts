import { GraphQLError } from 'graphql';
import { ACCESS_DENIED } from './errors';
import type { GraphQLContext, ResolverMap } from './graphql-context';
import type { CompanyData, UserRecord } from './state';

export const companyResolvers: ResolverMap = {
  Query: {
    company: (_: unknown, args: { id?: string | null }, ctx: GraphQLContext) => {
      if (args.id && args.id !== ctx.data.id) throw new GraphQLError(ACCESS_DENIED);
      return ctx.data;
    },
  },
  Company: {
    contacts: (c: CompanyData) => [...c.users.values()],
  },
  Contact: {
    id: (u: UserRecord) => u.contactId,
    status: (u: UserRecord) => u.contactStatus,
    // pending or expired contacts never accepted the invite, so they have no user account yet
    user: (u: UserRecord) => (u.contactStatus === 'active' ? u : null),
  },
};
