import { getOperationAST, type DocumentNode } from 'graphql';
import * as ops from './generated/operations';

/**
 * The GraphQL operations the service sends, typed by GraphQL Code Generator from the .graphql files in
 * operations/ against schema/codesignal.graphql (`npm run codegen`).
 */
export const listCompanyTests = ops.ListCompanyTestsDocument;
export const getCompanyTest = ops.GetCompanyTestDocument;
export const createTestSession = ops.CreateTestSessionDocument;
export const getTestSession = ops.GetTestSessionDocument;
export const resendTestSession = ops.ResendTestSessionDocument;
export const extendTestSession = ops.ExtendTestSessionDocument;
export const reactivateTestSession = ops.ReactivateTestSessionDocument;
export const deleteTestSession = ops.DeleteTestSessionDocument;
export const listTestSessions = ops.ListTestSessionsDocument;
export const getPublicLinkSession = ops.GetPublicLinkSessionDocument;
export const createLiveInterview = ops.CreateLiveInterviewDocument;
export const getLiveInterview = ops.GetLiveInterviewDocument;
export const listLiveInterviews = ops.ListLiveInterviewsDocument;
export const editLiveInterview = ops.EditLiveInterviewDocument;
export const deleteLiveInterview = ops.DeleteLiveInterviewDocument;
export const getCompany = ops.GetCompanyDocument;
export const listCompanyUsers = ops.ListCompanyUsersDocument;

/** The name the operation is sent under (and named by in errors and the key TEST). */
export function operationName(document: DocumentNode): string {
  return getOperationAST(document)?.name?.value ?? 'anonymous';
}

export function operationType(document: DocumentNode): 'query' | 'mutation' | 'subscription' | undefined {
  return getOperationAST(document)?.operation;
}
