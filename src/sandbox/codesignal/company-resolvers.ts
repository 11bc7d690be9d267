import { GraphQLError } from 'graphql';
import { ACCESS_DENIED } from './errors';
import type { GraphQLContext, ResolverMap } from './graphql-context';
import type { CompanyData, UserRecord } from './state';

/** Users of the key's company by id or username; other companies' users are invisible. */
function findUser(data: CompanyData, args: { userId?: string | null; username?: string | null }): UserRecord | null {
  const byId = args.userId !== undefined && args.userId !== null;
  const byName = args.username !== undefined && args.username !== null;
  if (byId === byName) throw new GraphQLError('Exactly one of userId or username is required');
  const users = [...data.users.values()];
  return (byId ? data.users.get(args.userId!) : users.find((u) => u.username === args.username)) ?? null;
}

export const companyResolvers: ResolverMap = {
  Query: {
    company: (_: unknown, args: { id?: string | null }, ctx: GraphQLContext) => {
      if (args.id && args.id !== ctx.data.id) throw new GraphQLError(ACCESS_DENIED);
      return ctx.data;
    },
    user: (_: unknown, args: { userId?: string | null; username?: string | null }, ctx: GraphQLContext) => findUser(ctx.data, args),
  },
  Company: {
    logo: (c: CompanyData, _args: unknown, ctx: GraphQLContext) => `${ctx.rt.baseUrl()}/company-logo/${c.id}.png`,
    status: () => 'active',
    contacts: (c: CompanyData) => [...c.users.values()],
    ownedEmailDomains: (c: CompanyData) => [...new Set([...c.users.values()].map((u) => u.email.split('@')[1] ?? '').filter(Boolean))],
  },
  Contact: {
    id: (u: UserRecord) => u.contactId,
    status: (u: UserRecord) => u.contactStatus,
    // pending or expired contacts never accepted the invite, so they have no user account yet
    user: (u: UserRecord) => (u.contactStatus === 'active' ? u : null),
    lastVisitDate: () => null,
  },
  User: {
    profile: (u: UserRecord) => ({ name: u.name, email: u.email, avatarUrl: null }),
    companyFields: (_u: UserRecord, _args: unknown, ctx: GraphQLContext) => ({ company: ctx.data }),
  },
};
