import type { CodeSignalClient } from '../codesignal/client';
import type { LeverClient } from '../lever/client';

/**
 * The set-up UI's Lever choices (trigger and threshold stages, the default Lever user, default tests
 * per posting), every page read. Only active users: a deactivated one cannot be the default user.
 */
export async function loadLeverOptions(lever: LeverClient) {
  const [stages, users, postings] = await Promise.all([lever.listAllStages(), lever.listAllUsers(), lever.listAllPostings()]);
  return {
    stages: stages.map((s) => ({ id: s.id, text: s.text })),
    users: users.map((u) => ({ id: u.id, name: u.name, email: u.email })),
    postings: postings.map((p) => ({ id: p.id, text: p.text })),
  };
}

/** The company's tests, for the default-test choices. */
export async function loadCodeSignalOptions(codesignal: CodeSignalClient) {
  const tests = await codesignal.listAllCompanyTests();
  return { tests: tests.map((t) => ({ id: t.id, title: t.title })) };
}
