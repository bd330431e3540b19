// Public surface of @alertgw/notifier-email, for embedding or testing the channel elsewhere.
export { createEmailChannel, CC_RESULT_PREFIX } from './email-channel';
export type { EmailChannelOptions } from './email-channel';
export { classifySmtpError } from './classify-smtp-error';
export { createRenderer, defaultTemplatesDir } from './render/create-renderer';
export type { MailRenderer, RenderedMail, RendererOptions } from './render/create-renderer';
export { defaultSubject, cleanSubject } from './render/subject';
export { threadHeaders } from './threading';
export { createSmtpTransport } from './transports/smtp';
export { createHttpGatewayTransport } from './transports/http-gateway';
export { startSmtpSink } from './transports/smtp-sink';
export type { MailTransport, OutgoingMail, TransportReceipt } from './transports/types';
export { emailTimelineView } from './timeline-view';
export { payloadFromWebhook, webhookBodyOf } from './preview';
