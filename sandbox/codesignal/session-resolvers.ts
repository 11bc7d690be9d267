import { candidateName, resultUrl, versionedCodingScore } from './events';
import { paginate, type GraphQLContext, type ResolverMap } from './graphql-context';
import * as sessions from './sessions';
import type { CompanyData, SessionRecord, TaskOutcome, TaskRecord, TestRecord } from './state';

/** What `CompanyTestSession.result` resolves to: the outcome plus what its fields need to render. */
interface ResultView {
  session: SessionRecord;
  test: TestRecord;
}

interface TaskResultView {
  session: SessionRecord;
  task: TaskRecord;
  outcome: TaskOutcome;
}

function byFinishDateDesc(a: SessionRecord, b: SessionRecord): number {
  // unfinished sessions last, newest first within each group
  return (b.finishDate ?? -1) - (a.finishDate ?? -1) || b.createDate - a.createDate;
}

function sessionTask(task: TaskRecord): { maxScore: number; task: TaskRecord } {
  return { maxScore: task.maxScore, task };
}

function taskResultViews(session: SessionRecord, test: TestRecord): TaskResultView[] {
  return (session.result?.tasks ?? []).flatMap((outcome) => {
    const task = test.tasks.find((t) => t.id === outcome.taskId);
    return task ? [{ session, task, outcome }] : [];
  });
}

function testOf(ctx: GraphQLContext, session: SessionRecord): TestRecord {
  return sessions.testOf(ctx.data, session);
}

const bool = (value: boolean | null | undefined): boolean => value ?? false;

export const sessionResolvers: ResolverMap = {
  Query: {
    companyTestSession: (_: unknown, args: { id: string }, ctx: GraphQLContext) => ctx.data.sessions.get(args.id) ?? null,
    companyTestSessions: (_: unknown, args: { companyTestId: string; first?: number | null; offset?: number | null; ids?: string[] | null }, ctx: GraphQLContext) => {
      sessions.requireTest(ctx.data, args.companyTestId);
      const all = [...ctx.data.sessions.values()]
        .filter((s) => s.testId === args.companyTestId && (!args.ids || args.ids.includes(s.id)))
        .sort(byFinishDateDesc);
      // a public client hard-codes 20 as the page size; bigger requests are clamped (unconfirmed)
      const first = Math.min(args.first ?? ctx.rt.options.maxTestSessionsPageSize, ctx.rt.options.maxTestSessionsPageSize);
      return paginate(all, first, args.offset).page;
    },
  },
  Mutation: {
    createCompanyTestSession: (_: unknown, args: { sessionFields: sessions.TestSessionInput }, ctx: GraphQLContext) =>
      sessions.createTestSession(ctx.rt, ctx.data, args.sessionFields),
    resendCompanyTestSession: (_: unknown, args: { id: string }, ctx: GraphQLContext) => sessions.resendInvitation(ctx.rt, ctx.data, args.id),
    setCompanyTestSessionReminders: (_: unknown, args: { id: string; reminders: NonNullable<sessions.TestSessionInput['emailReminders']> }, ctx: GraphQLContext) =>
      sessions.setReminders(ctx.data, args.id, args.reminders),
    editCompanyTestSessionExpiration: (_: unknown, args: { id: string; expirationDate: number }, ctx: GraphQLContext) =>
      sessions.extendExpiration(ctx.data, args.id, args.expirationDate),
    editCompanyTestSessionDuration: (_: unknown, args: { id: string; customDuration: number }, ctx: GraphQLContext) =>
      sessions.editDuration(ctx.data, args.id, args.customDuration),
    reactivateCompanyTestSession: (_: unknown, args: { id: string; sendNotificationEmail?: boolean | null }, ctx: GraphQLContext) =>
      sessions.reactivate(ctx.rt, ctx.data, args.id, bool(args.sendNotificationEmail)),
    deleteCompanyTestSession: (_: unknown, args: { id: string; sendNotificationEmail?: boolean | null }, ctx: GraphQLContext) =>
      sessions.deleteSession(ctx.rt, ctx.data, args.id, bool(args.sendNotificationEmail)),
    archiveCompanyTestSession: (_: unknown, args: { id: string }, ctx: GraphQLContext) => sessions.archive(ctx.data, args.id),
    unarchiveCompanyTestSession: (_: unknown, args: { id: string }, ctx: GraphQLContext) => sessions.unarchive(ctx.data, args.id),
    gradeCompanyTestResult: (_: unknown, args: { id: string; taskId: string; score: number }, ctx: GraphQLContext) =>
      sessions.gradeTask(ctx.data, args.id, args.taskId, args.score),
    markCompanyTestResultAsGraded: (_: unknown, args: { id: string }, ctx: GraphQLContext) => sessions.markGraded(ctx.data, args.id),
  },
  CompanyTestSession: {
    test: (s: SessionRecord, _a: unknown, ctx: GraphQLContext) => ctx.data.tests.get(s.testId) ?? null,
    testTaker: (s: SessionRecord) => ({ ...s.candidate }),
    maxScore: (s: SessionRecord, _a: unknown, ctx: GraphQLContext) => testOf(ctx, s).maxScore,
    result: (s: SessionRecord, _a: unknown, ctx: GraphQLContext): ResultView | null => (s.result ? { session: s, test: testOf(ctx, s) } : null),
    tasks: (s: SessionRecord, _a: unknown, ctx: GraphQLContext) => testOf(ctx, s).tasks.map(sessionTask),
    taskCount: (s: SessionRecord, _a: unknown, ctx: GraphQLContext) => testOf(ctx, s).tasks.length,
    sender: () => null,
    publicInvitationId: () => null,
    invitationUrl: (s: SessionRecord, _a: unknown, ctx: GraphQLContext) => sessions.invitationUrl(ctx.rt, s),
    integrations: () => null,
    emailReminders: (s: SessionRecord, _a: unknown, ctx: GraphQLContext) => reminderViews(ctx.data, s),
    retakeSession: (s: SessionRecord, _a: unknown, ctx: GraphQLContext) => (s.retakeSessionId ? ctx.data.sessions.get(s.retakeSessionId) ?? null : null),
  },
  CompanyTestSessionResult: {
    score: (r: ResultView) => r.session.result?.score ?? null,
    solvedTaskCount: (r: ResultView) => r.session.result?.solvedTaskCount ?? null,
    taskResults: (r: ResultView) => taskResultViews(r.session, r.test),
    url: (r: ResultView, _a: unknown, ctx: GraphQLContext) => resultUrl(ctx.rt.baseUrl(), r.session),
    versionedCodingScore: (r: ResultView) => versionedCodingScore(r.test, r.session) ?? null,
    aiInsights: (r: ResultView) => (r.session.result?.aiSummary ? { summary: r.session.result.aiSummary } : null),
    totalTimeClosed: (r: ResultView) => r.session.result?.totalTimeClosed ?? null,
  },
  TestSessionTaskResult: {
    sessionTask: (v: TaskResultView) => sessionTask(v.task),
    score: (v: TaskResultView) => v.outcome.score,
    replayUrl: (v: TaskResultView, _a: unknown, ctx: GraphQLContext) => `${ctx.rt.baseUrl()}/test-result/${v.session.id}/replay/${v.task.id}?accessToken=${v.session.resultAccessToken}`,
    solveTime: (v: TaskResultView) => v.outcome.solveTime,
    timeSpent: (v: TaskResultView) => v.outcome.timeSpent,
    timeOpen: (v: TaskResultView) => v.outcome.timeSpent,
    integrityReport: (v: TaskResultView) => {
      // task results exist only after submission; the analysis is done once the result is final
      if (v.session.status === 'finalizing') return { status: 'pending', suspicionScore: null, solutionSimilarity: null, suspiciousActivity: null, typingLinearity: null };
      const score = v.outcome.suspicionScore;
      return {
        status: 'ready',
        suspicionScore: score,
        solutionSimilarity: score === 'not_applicable' ? null : { score, similarSolutionSources: [] },
        suspiciousActivity: score === 'not_applicable' ? null : { pasteEventsCount: 0, pasteSizes: [], descriptionCopied: false },
        typingLinearity: score === 'not_applicable' ? null : 'high',
      };
    },
  },
  CommonTask: {
    __resolveType: () => 'SingleEnvironmentTask',
  },
};

/** `CompanyTestSession.emailReminders`: the scheduled reminder emails. */
function reminderViews(data: CompanyData, s: SessionRecord): unknown[] {
  const test = sessions.testOf(data, s);
  return sessions.reminderSchedule(s).map((r) => {
    const template = test.emailReminderTemplates.find((t) => t.name === r.templateName);
    return {
      sendDate: r.sendDate,
      templateName: r.templateName,
      email: {
        to: s.candidate.email ?? '',
        subject: template?.subjectLine ?? '',
      },
    };
  });
}
