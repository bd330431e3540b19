export { WEBHOOK_LIMITS, WEBHOOK_SCHEMA } from './schema';
export { validateWebhook, type WebhookProblem } from './validate-webhook';
