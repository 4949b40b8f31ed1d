export { conversationWorkflow } from './conversation/workflow';
export { assistantAnswerWorkflow, reanalysisWorkflow } from './tasks';
