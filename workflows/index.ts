export { conversationWorkflow } from './conversation/workflow';
export { assistantAnswerWorkflow, reanalysisWorkflow } from './tasks';
export { webhookDeliveryWorkflow, webhookDispatcherWorkflow } from './webhooks';
export { knowledgeIndexWorkflow } from './knowledge';
export { retentionWorkflow } from './retention';
