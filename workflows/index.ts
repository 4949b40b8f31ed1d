export { conversationWorkflow } from './conversation';
export { assistantAnswerWorkflow, reanalysisWorkflow } from './tasks';
