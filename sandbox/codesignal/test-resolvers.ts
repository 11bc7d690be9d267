import { GraphQLError } from 'graphql';
import { ACCESS_DENIED } from './errors';
import { paginate, type GraphQLContext, type ResolverMap } from './graphql-context';
import type { CompanyData, TestRecord } from './state';

interface CompanyTestsArgs {
  companyId?: string | null;
  first: number;
  offset?: number | null;
  ids?: string[] | null;
  titleSearchText?: string | null;
  labels?: string[] | null;
  sortBy?: 'title' | 'createDate' | null;
  sortDirection?: 'asc' | 'desc' | null;
  targetUserId?: string | null;
}

function ownCompany(ctx: GraphQLContext, companyId: string | null | undefined): CompanyData {
  if (companyId && companyId !== ctx.data.id) throw new GraphQLError(ACCESS_DENIED);
  return ctx.data;
}

function listTests(data: CompanyData, args: CompanyTestsArgs): TestRecord[] {
  if (args.targetUserId && !data.users.has(args.targetUserId)) throw new GraphQLError(`User ${args.targetUserId} does not belong to the queried company`);
  const search = args.titleSearchText?.trim().toLowerCase();
  const tests = [...data.tests.values()].filter(
    (t) =>
      (!args.ids || args.ids.includes(t.id)) &&
      (!search || t.title.toLowerCase().includes(search)) &&
      (!args.labels || args.labels.every((l) => t.labels.includes(l))),
  );
  const direction = args.sortDirection === 'desc' ? -1 : 1;
  const key = args.sortBy ?? 'title';
  return tests.sort((a, b) => direction * (key === 'title' ? a.title.localeCompare(b.title) : a.createDate - b.createDate));
}

export const testResolvers: ResolverMap = {
  Query: {
    companyTests: (_: unknown, args: CompanyTestsArgs, ctx: GraphQLContext) => {
      const tests = listTests(ownCompany(ctx, args.companyId), args);
      const { page, hasNextPage } = paginate(tests, args.first, args.offset);
      return { totalCount: tests.length, tests: page, pageInfo: { hasNextPage } };
    },
    companyTest: (_: unknown, args: { id: string }, ctx: GraphQLContext) => ctx.data.tests.get(args.id) ?? null,
  },
  CompanyTest: {
    testLabels: (t: TestRecord) => t.labels.map((title) => ({ title, variant: 'dim' })),
    testSession: (t: TestRecord, args: { id: string }, ctx: GraphQLContext) => {
      const session = ctx.data.sessions.get(args.id);
      return session?.testId === t.id ? session : null;
    },
    testSessions: (t: TestRecord, args: { first?: number | null; offset?: number | null }, ctx: GraphQLContext) =>
      paginate([...ctx.data.sessions.values()].filter((s) => s.testId === t.id).sort((a, b) => b.createDate - a.createDate), args.first, args.offset).page,
    scoreRangeLabels: (t: TestRecord) => t.scoreRangeLabels.map((l) => ({ label: l.label, scoreRange: { min: l.min, max: l.max } })),
    scoringModel: (t: TestRecord) =>
      t.scoringModel === 'codingScore2023'
        ? { __typename: 'CodingScore2023ScoringModel', type: 'codingScore2023' }
        : { __typename: 'RawScoringModel', type: 'raw' },
    expirationEmailSubject: () => null,
    expirationEmailMessage: () => null,
    completionEmailSubject: () => null,
    completionEmailMessage: () => null,
    emailReminders: (t: TestRecord) => t.emailReminders.map((r) => ({ templateName: r.templateName, timeBeforeExpiration: r.timeBeforeExpiration })),
    resultDateLimit: () => null,
  },
};
