/** Alert handling and notification management: acks, escalations, silences, the live directory. */
export { AckStore, type AckRefusal, type AckResult } from './ack-store';
export { createAckCache } from './ack-cache';
export { createAlertActions, MAX_COMMENT_LENGTH, MAX_SILENCE_MS, type AlertActions, type AlertActionsDeps } from './alert-actions';
export { createAlertmanagerClient, type AlertmanagerClient, type AlertmanagerSilence } from './alertmanager-client';
export { createDeliveryHandling, type DeliveryHandling, type DeliveryHandlingDeps, type DeliveryHandlingInput } from './delivery-handling';
export { DIRECTORY_NAME_PATTERN, isDirectoryName } from './directory-name';
export { DirectoryStore, directoryFromConfig } from './directory-store';
export { compileEscalations, type EscalationIndex, type EscalationTier } from './escalation-plan';
export { EscalationRunner, escalationDedupKey, type EscalationRunnerOptions } from './escalation-runner';
export { explainRouting, type ChannelVerdict, type EscalationVerdict, type RouteVerdict, type RoutingExplanation } from './explain-routing';
export { DirectoryKeys, HandlingKeys } from './handling-keys';
export { compileDirectory, LiveDirectory, type CompiledDirectory, type LiveDirectoryOptions } from './live-directory';
export { LiveValue, type LiveValueOptions } from './live-value';
export { RedisEvents, type EventHandler } from './redis-events';
export { SilenceWatcher, type SilenceWatcherOptions } from './silence-watcher';
export type { AckRecord, DirectoryDoc, StoredDirectory } from './types';
export { describeProblems, validateDirectory } from './validate-directory';
