// Public surface of @alertgw/ingest (for tests, benchmarks and embedding), exported by name.
export { createApp } from './app';
export type { AppDeps, IngestApp } from './app';
export { createAcceptDelivery } from './accept-delivery';
export type { AcceptDelivery, AcceptDeps } from './accept-delivery';
export { createAuthCheck } from './auth';
export type { AuthCheck } from './auth';
export { deliveryKey } from './delivery-key';
export { createIngestMetrics } from './ingest-metrics';
export type { IngestMetrics, RejectReason } from './ingest-metrics';
export { planTasks } from './plan-tasks';
export type { PlannedTask, RecipientResolver, TaskPlan } from './plan-tasks';
export { ingestRedisOptions } from './redis-options';
export { createJwtAuth, principalOf } from './jwt-auth';
export type { JwtAuth, Principal, Role } from './jwt-auth';
export { createHandlingRuntime } from './handling-runtime';
export type { HandlingRuntime, HandlingRuntimeOptions } from './handling-runtime';
