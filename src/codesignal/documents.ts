import { getOperationAST, Kind, type DocumentNode } from 'graphql';
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

/** A root field an operation selects: what CodeSignal's per-field rate limits count (reference §2). */
export interface RootField {
  name: string;
  mutation: boolean;
}

/** The root fields of the operation (each document here has exactly one), `__typename` and the like left out. */
export function rootFields(document: DocumentNode): RootField[] {
  const operation = getOperationAST(document);
  if (!operation) return [];
  const mutation = operation.operation === 'mutation';
  return operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD && !s.name.value.startsWith('__') ? [{ name: s.name.value, mutation }] : []));
}
