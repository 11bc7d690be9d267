import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes an operator filters on in the Temporal Web UI; never put secrets here. */
export const IntegrationIdKey = defineSearchAttributeKey('IntegrationId', SearchAttributeType.KEYWORD);
export const LeverOpportunityIdKey = defineSearchAttributeKey('LeverOpportunityId', SearchAttributeType.KEYWORD);
export const LeverStageKey = defineSearchAttributeKey('LeverStage', SearchAttributeType.KEYWORD);

export const customSearchAttributes = [IntegrationIdKey, LeverOpportunityIdKey, LeverStageKey];
