import { ExternalApiError } from '../../external-api-error';
import type { IntegrationContexts } from '../../integrations/context';
import { postingTagTest, testTags, type PostingTagTest } from '../../workflows/assessment/test-choice';

/**
 * The test a posting's tags name (README "Assessments"): the posting from Lever (`GET /postings/:id`),
 * the company's tests from CodeSignal (`companyTests`) only when a tag has the prefix. Reads only.
 */
export function createTestChoiceActivities(deps: { contexts: IntegrationContexts }) {
  return {
    async readPostingTagTest(input: { integrationId: string; postingId: string; prefix: string }): Promise<PostingTagTest> {
      const { lever, codesignal } = await deps.contexts.get(input.integrationId);
      let tags: string[];
      try {
        tags = (await lever.getPosting(input.postingId)).tags ?? [];
      } catch (err) {
        // a posting the key may not read (scope, deleted) is reported like a tag not understood, never fails the assessment
        if (err instanceof ExternalApiError && !err.retryable) return { kind: 'problem', tags: [], problem: `the posting ${input.postingId} could not be read from Lever (${err.message})` };
        throw err;
      }
      if (testTags(tags, input.prefix).length === 0) return { kind: 'none' };
      return postingTagTest(tags, input.prefix, await codesignal.listAllCompanyTests());
    },
  };
}

export type TestChoiceActivities = ReturnType<typeof createTestChoiceActivities>;
