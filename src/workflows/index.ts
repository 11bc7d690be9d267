export { assessmentWorkflow } from './assessment/assessment-workflow';
export { candidateWorkflow } from './candidate/candidate-workflow';
export { sourcingImportWorkflow } from './sourcing/import-workflow';
export { interviewWorkflow } from './interview/interview-workflow';
export { publicLinkScanWorkflow, publicLinkSessionWorkflow } from './public-links/public-links-workflows';
export { reconciliationWorkflow } from './reconciliation/reconciliation-workflow';
export { backfillWorkflow } from './backfill/backfill-workflow';
export { erasureWorkflow } from './erasure/erasure-workflow';
export { tagCommandsWorkflow } from './tag-commands/tag-commands-workflow';
