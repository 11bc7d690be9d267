export { assessmentWorkflow } from './assessment-workflow';
export { candidateWorkflow } from './candidate-workflow';
export { sourcingImportWorkflow } from './import-workflow';
export { interviewWorkflow } from './interview-workflow';
export { publicLinkScanWorkflow, publicLinkSessionWorkflow } from '../public-links/workflows';
