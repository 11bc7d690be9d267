/**
 * The GraphQL operations the service sends, by operation name. Field and argument names are
 * CodeSignal's (reference codesignal-api.md, schema snapshot 5ca23f17); `sourcingCandidate*` is the
 * sandbox's extension (no public sourcing API exists). Each selection matches a schema in schemas.ts.
 */
export interface GraphQLOperation {
  operationName: string;
  query: string;
}

const op = (operationName: string, query: string): GraphQLOperation => ({ operationName, query });

const COMPANY_TEST_FIELDS = /* GraphQL */ `
fragment CompanyTestFields on CompanyTest {
  id title externalTitle internalDescription duration labels createDate
  scoringModel { type }
  scoreRangeLabels { label scoreRange { min max } }
}`;

// depth 5 and cost ≈ 30, far under the limits of 10 and 10 000
const TEST_SESSION_FIELDS = /* GraphQL */ `
fragment TestSessionFields on CompanyTestSession {
  id status maxScore createDate startDate finishDate expirationDate invitationUrl
  verificationStatus
  verificationRejectionReasons { name description }
  integrityReviewFinalized integrityReviewSuggested
  reactivatedSession { newSessionId reactivationDate }
  retakeSession { id status }
  testTaker { email firstName lastName }
  test { id title }
  result {
    score solvedTaskCount url totalTimeClosed
    versionedCodingScore { version value }
    taskResults {
      score timeSpent
      sessionTask { maxScore task { id title } }
      integrityReport { status suspicionScore }
    }
  }
}`;

const LIVE_INTERVIEW_FIELDS = /* GraphQL */ `
fragment LiveInterviewFields on LiveInterview {
  id candidateEmail candidateName status proctoringStatus url shortenedUrl startDate finishDate
  trackCandidateLocation disableDescriptionCopy
  interviewersFeedback {
    author { id username profile { name email } }
    notes recommendedLevel evaluation
    categories { name attributes { name score notes } }
  }
}`;

const SOURCING_CANDIDATE_FIELDS = /* GraphQL */ `
fragment SourcingCandidateFields on SourcingCandidate {
  id firstName lastName email profileUrl tags status replied createDate statusUpdatedAt importRequestedAt externalRef
  statusUpdatedBy { id }
  importedBy { id }
}`;

export const listCompanyTests = op('ListCompanyTests', /* GraphQL */ `
query ListCompanyTests($first: Int!, $offset: Int) {
  companyTests(first: $first, offset: $offset, sortBy: title, sortDirection: asc) {
    totalCount
    pageInfo { hasNextPage }
    tests { ...CompanyTestFields }
  }
}${COMPANY_TEST_FIELDS}`);

export const getCompanyTest = op('GetCompanyTest', /* GraphQL */ `
query GetCompanyTest($id: ID!) {
  companyTest(id: $id) { ...CompanyTestFields }
}${COMPANY_TEST_FIELDS}`);

export const createTestSession = op('CreateTestSession', /* GraphQL */ `
mutation CreateTestSession($input: TestSessionInput!) {
  createCompanyTestSession(sessionFields: $input) { ...TestSessionFields }
}${TEST_SESSION_FIELDS}`);

export const getTestSession = op('GetTestSession', /* GraphQL */ `
query GetTestSession($id: ID!) {
  companyTestSession(id: $id) { ...TestSessionFields }
}${TEST_SESSION_FIELDS}`);

export const resendTestSession = op('ResendTestSession', /* GraphQL */ `
mutation ResendTestSession($id: ID!) {
  resendCompanyTestSession(id: $id) { ...TestSessionFields }
}${TEST_SESSION_FIELDS}`);

export const extendTestSession = op('ExtendTestSession', /* GraphQL */ `
mutation ExtendTestSession($id: ID!, $expirationDate: Timestamp!) {
  editCompanyTestSessionExpiration(id: $id, expirationDate: $expirationDate) { ...TestSessionFields }
}${TEST_SESSION_FIELDS}`);

// Which session the mutation answers (old or new) is not documented: ask for both ids.
export const reactivateTestSession = op('ReactivateTestSession', /* GraphQL */ `
mutation ReactivateTestSession($id: ID!, $sendNotificationEmail: Boolean) {
  reactivateCompanyTestSession(id: $id, sendNotificationEmail: $sendNotificationEmail) {
    id
    reactivatedSession { newSessionId }
  }
}`);

export const deleteTestSession = op('DeleteTestSession', /* GraphQL */ `
mutation DeleteTestSession($id: ID!, $sendNotificationEmail: Boolean) {
  deleteCompanyTestSession(id: $id, sendNotificationEmail: $sendNotificationEmail)
}`);

export const createLiveInterview = op('CreateLiveInterview', /* GraphQL */ `
mutation CreateLiveInterview($input: LiveInterviewInput) {
  createLiveInterview(interviewFields: $input) { ...LiveInterviewFields }
}${LIVE_INTERVIEW_FIELDS}`);

export const getLiveInterview = op('GetLiveInterview', /* GraphQL */ `
query GetLiveInterview($id: ID!) {
  liveInterview(liveInterviewId: $id) { ...LiveInterviewFields }
}${LIVE_INTERVIEW_FIELDS}`);

export const listLiveInterviews = op('ListLiveInterviews', /* GraphQL */ `
query ListLiveInterviews($candidateEmail: String, $first: Int, $offset: Int) {
  liveInterviews(candidateEmail: $candidateEmail, first: $first, offset: $offset) { ...LiveInterviewFields }
}${LIVE_INTERVIEW_FIELDS}`);

export const editLiveInterview = op('EditLiveInterview', /* GraphQL */ `
mutation EditLiveInterview($id: ID!, $input: LiveInterviewInput!) {
  editLiveInterview(id: $id, interviewFields: $input) { ...LiveInterviewFields }
}${LIVE_INTERVIEW_FIELDS}`);

export const deleteLiveInterview = op('DeleteLiveInterview', /* GraphQL */ `
mutation DeleteLiveInterview($id: ID!) {
  deleteLiveInterview(id: $id)
}`);

export const listInterviewTemplates = op('ListInterviewTemplates', /* GraphQL */ `
query ListInterviewTemplates($first: Int!, $offset: Int!) {
  interviewTemplates(first: $first, offset: $offset) {
    totalCount
    pageInfo { hasNextPage }
    interviewTemplates { id name defaultExpirationTime isCompanyDefault }
  }
}`);

// `company` without an id is the company that owns the API key.
export const getCompany = op('GetCompany', /* GraphQL */ `
query GetCompany {
  company { id name }
}`);

// Contacts are the team members of the key's company.
export const listCompanyUsers = op('ListCompanyUsers', /* GraphQL */ `
query ListCompanyUsers {
  company {
    id
    contacts { id name email status user { id username } }
  }
}`);

export const getSourcingCandidate = op('GetSourcingCandidate', /* GraphQL */ `
query GetSourcingCandidate($id: ID!) {
  sourcingCandidate(id: $id) { ...SourcingCandidateFields }
}${SOURCING_CANDIDATE_FIELDS}`);

export const listSourcingCandidates = op('ListSourcingCandidates', /* GraphQL */ `
query ListSourcingCandidates($first: Int!, $offset: Int, $status: SourcingCandidateStatus, $importRequested: Boolean) {
  sourcingCandidates(first: $first, offset: $offset, status: $status, importRequested: $importRequested) {
    totalCount
    pageInfo { hasNextPage }
    candidates { ...SourcingCandidateFields }
  }
}${SOURCING_CANDIDATE_FIELDS}`);

export const setSourcingCandidateStatus = op('SetSourcingCandidateStatus', /* GraphQL */ `
mutation SetSourcingCandidateStatus($id: ID!, $status: SourcingCandidateStatus!, $externalRef: String) {
  setSourcingCandidateStatus(id: $id, status: $status, externalRef: $externalRef) { ...SourcingCandidateFields }
}${SOURCING_CANDIDATE_FIELDS}`);
