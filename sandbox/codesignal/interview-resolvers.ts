import { GraphQLError } from 'graphql';
import { ACCESS_DENIED } from './errors';
import { evaluationLabel } from './events';
import { paginate, type GraphQLContext, type ResolverMap } from './graphql-context';
import * as interviews from './interviews';
import type { FeedbackRecord, InterviewRecord, InterviewTemplateRecord } from './state';

/** By name, unnamed templates last; the id breaks ties so pages never overlap. */
const byTemplateName = (a: InterviewTemplateRecord, b: InterviewTemplateRecord): number =>
  (a.name === null ? (b.name === null ? 0 : 1) : b.name === null ? -1 : a.name.localeCompare(b.name)) || a.id.localeCompare(b.id);

export const interviewResolvers: ResolverMap = {
  Query: {
    liveInterview: (_: unknown, args: { liveInterviewId: string }, ctx: GraphQLContext) => {
      const interview = ctx.data.interviews.get(args.liveInterviewId);
      return interview && interview.status !== 'deleted' ? interview : null;
    },
    liveInterviews: (_: unknown, args: { candidateEmail?: string | null; first?: number | null; offset?: number | null }, ctx: GraphQLContext) => {
      const email = args.candidateEmail?.trim().toLowerCase();
      const list = [...ctx.data.interviews.values()]
        .filter((i) => i.status !== 'deleted' && (!email || i.candidateEmail?.toLowerCase() === email))
        .sort((a, b) => b.createDate - a.createDate);
      return paginate(list, args.first, args.offset).page;
    },
    interviewTemplate: (_: unknown, args: { interviewTemplateId: string }, ctx: GraphQLContext) => ctx.data.interviewTemplates.get(args.interviewTemplateId) ?? null,
    interviewTemplates: (_: unknown, args: { companyId?: string | null; globalFilter?: string | null; first: number; offset: number }, ctx: GraphQLContext) => {
      if (args.companyId && args.companyId !== ctx.data.id) throw new GraphQLError(ACCESS_DENIED);
      const filter = args.globalFilter?.trim().toLowerCase();
      const all = [...ctx.data.interviewTemplates.values()]
        .filter((t) => !filter || t.name?.toLowerCase().includes(filter))
        .sort(byTemplateName);
      const { page, hasNextPage } = paginate(all, args.first, args.offset);
      return { totalCount: all.length, interviewTemplates: page, pageInfo: { hasNextPage } };
    },
  },
  Mutation: {
    createLiveInterview: (_: unknown, args: { interviewFields?: interviews.LiveInterviewInput | null }, ctx: GraphQLContext) =>
      interviews.createInterview(ctx.rt, ctx.data, args.interviewFields ?? {}),
    editLiveInterview: (_: unknown, args: { id: string; interviewFields: interviews.LiveInterviewInput }, ctx: GraphQLContext) =>
      interviews.editInterview(ctx.data, args.id, args.interviewFields),
    deleteLiveInterview: (_: unknown, args: { id: string }, ctx: GraphQLContext) => interviews.deleteInterview(ctx.data, args.id),
  },
  LiveInterview: {
    proctoringStatus: () => null,
    interviewersFeedback: (i: InterviewRecord) => i.feedback,
    url: (i: InterviewRecord, _a: unknown, ctx: GraphQLContext) => interviews.roomUrl(ctx.rt, i),
    shortenedUrl: (i: InterviewRecord, _a: unknown, ctx: GraphQLContext) => interviews.shortUrl(ctx.rt, i),
    company: (_i: InterviewRecord, _a: unknown, ctx: GraphQLContext) => ctx.data,
  },
  InterviewerFeedback: {
    author: (f: FeedbackRecord, _a: unknown, ctx: GraphQLContext) => ctx.data.users.get(f.authorUserId),
    evaluation: (f: FeedbackRecord) => evaluationLabel(f.overallEvaluation),
  },
};
