export { assessmentWorkflow } from './assessment-workflow';
export { candidateWorkflow } from './candidate-workflow';
