/** Alert handling pieces more than one service needs: the directory store and model, key layout, scripts, routing explanations. */
export { DIRECTORY_NAME_PATTERN, isDirectoryName } from './directory-name';
export { DirectoryStore, directoryFromConfig, withTimeZones } from './directory-store';
export { compileEscalations, type EscalationIndex, type EscalationTier } from './escalation-plan';
export { explainRouting, type ChannelVerdict, type EscalationVerdict, type RouteVerdict, type RoutingExplanation, type ScheduleVerdict } from './explain-routing';
export { DirectoryKeys, ESCALATION_CHANNEL, ESCALATION_CHANNELS, HANDLING_QUEUE, HandlingKeys } from './handling-keys';
export { runHandlingScript } from './handling-scripts';
export type { AckRecord, DirectoryDoc, StoredDirectory } from './types';
export { describeProblems, validateDirectory } from './validate-directory';
