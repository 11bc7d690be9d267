/**
 * The CodeSignal objects the service reads, by the names the rest of the code uses: each is the
 * generated type of the fragment or selection that reads it (operations/*.graphql), so its
 * nullability is the schema's.
 */
import type {
  CompanyTestFieldsFragment,
  ListCompanyUsersQuery,
  LiveInterviewFieldsFragment,
  TestSessionFieldsFragment,
  TestSessionStatus as GeneratedTestSessionStatus,
} from './generated/operations';

export type CodeSignalCompanyTest = CompanyTestFieldsFragment;
export type CodeSignalTestSession = TestSessionFieldsFragment;
export type CodeSignalLiveInterview = LiveInterviewFieldsFragment;
export type CodeSignalInterviewerFeedback = NonNullable<NonNullable<LiveInterviewFieldsFragment['interviewersFeedback']>[number]>;
/** A team member: `user` is null until the invited contact has an account (the id interviews need). */
export type CodeSignalCompanyUser = NonNullable<NonNullable<ListCompanyUsersQuery['company']>['contacts'][number]>;

export type TestSessionStatus = GeneratedTestSessionStatus;
export const TEST_SESSION_STATUSES = [
  'pending', 'active', 'gracePeriod', 'finalizing', 'over', 'deleted', 'deletedForPii', 'expired', 'declined', 'archived',
] as const satisfies readonly TestSessionStatus[];


/** Type-check fails when the schema's enum gains a value a list above lacks. */
type Complete<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false;
export const statusListComplete: Complete<TestSessionStatus, (typeof TEST_SESSION_STATUSES)[number]> = true;
