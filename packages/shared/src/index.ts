// Public surface of @alertgw/shared, exported by name.
export { ERROR_CODES, GatewayError } from './errors';
export { durationProblem, parseDurationMs } from './duration';
export type { ErrorCode } from './errors';
export type { AlertStatus, LabelSet, WebhookAlert, WebhookMessage } from './webhook/types';
export type { ChatOwner, NotificationPayload, Recipient, TaskPrecondition } from './notification';
export type {
  AlertmanagerConfig,
  AuthConfig,
  ChannelOptions,
  ChatConfig,
  ChatProviderConfig,
  ChatRateLimit,
  EmailConfig,
  EscalationTierConfig,
  GatewayConfig,
  HttpMailGatewayConfig,
  IngestConfig,
  AckLinksConfig,
  JwtAlgorithm,
  JwtConfig,
  ListenConfig,
  LogConfig,
  NotifyTarget,
  QueueConfig,
  RedisConfig,
  RedisSentinelConfig,
  RedisTlsConfig,
  RobotConfig,
  RobotType,
  RouteConfig,
  SmsConfig,
  SmsParamConfig,
  SmsTemplateConfig,
  SmtpConfig,
  UserConfig,
} from './config/types';
export { createLogger, maskPhone, maskPhonesIn, redact, type Logger } from './log';
export { createQueueMetrics, createRegistry, registerQueueDepthGauge, type QueueMetrics } from './metrics';
export { locateRedis, answersPing, freePort, startPrivateRedis, type LocatedRedis } from './redis/locate-redis';
export { PartKeys, QueueKeys } from './queue/keys';
export { BY_QUEUE, newPartId, packJson } from './queue/shared-part';
export { TaskQueue, type ClaimBatch, type ClaimResult, type EnqueueInput, type EnqueueResult, type FailResult, type RedisClient, type TaskQueueOptions } from './queue/task-queue';
export { taskForReader } from './queue/task-for-reader';
export { RANK_BASE, severityRank } from './queue/severity';
export type {
  ChannelHandler,
  ClaimedTask,
  ErrorClass,
  RecipientResult,
  RecipientStatus,
  SendOutcome,
  TaskRecord,
  TaskStatus,
} from './queue/types';
export { Worker, type WorkerOptions } from './worker/worker';
export type { GateRefusal, GateVerdict, TaskGate } from './worker/task-gate';
export { classifyError, type SendErrorDetails } from './worker/classify-error';
export { deliveryJson, type DeliveryJson } from './webhook/delivery-json';
export type { DeliverySummary } from './webhook/delivery-summary';
export { buildConfig } from './config/build-config';
export { EXAMPLE_CONFIG_PATH, loadConfig, resolveConfigPath } from './config/load-config';
export type { LoadConfigOptions } from './config/load-config';
export type { ConfigProblem } from './config/config-path';
export { CONFIG_SCHEMA } from './config/schema';
export { isE164 } from './config/check-config';
export { isLoopbackHost, isPlaceholderSecret } from './config/check-hardening';
export { redactUrl, urlOrigin } from './config/safe-url';
export { putNamed, removeNamed, type Named } from './config/named-entries';
export { createResolver } from './resolver/resolve-recipients';
export type { Resolution, Resolver, UnknownUser, Unreachable } from './resolver/resolve-recipients';
export { parseMatcher, parseMatchers } from './resolver/parse-matchers';
export { matches } from './resolver/matcher';
export type { Matcher, MatchType } from './resolver/matcher';
export { checkRoutes } from './resolver/check-routes';
export type { RouteProblem } from './resolver/check-routes';
export { AlertKeys, appendTimelines, getAlert, listAlerts, MAX_PAGE, MAX_INDEXED_SEVERITIES, MAX_TIMELINE, upsertAlerts, upsertCall } from './alerts/index';
export type { AlertPage, AlertQuery, AlertRecord, TimelineEvent, TaskRef, UpsertAlertsInput } from './alerts/index';
export { createOpsServer, startOpsServer } from './ops-server';
export type { OpsServerOptions } from './ops-server';
export {
  compileEscalations,
  describeProblems,
  DIRECTORY_NAME_PATTERN,
  DirectoryKeys,
  DirectoryStore,
  directoryFromConfig,
  explainRouting,
  HandlingKeys,
  isDirectoryName,
  ESCALATION_CHANNEL,
  ESCALATION_CHANNELS,
  HANDLING_QUEUE,
  runHandlingScript,
  validateDirectory,
} from './handling/index';
export type {
  AckRecord,
  ChannelVerdict,
  DirectoryDoc,
  EscalationIndex,
  EscalationTier,
  EscalationVerdict,
  RouteVerdict,
  RoutingExplanation,
  StoredDirectory,
} from './handling/index';
export { createDirectory, ROBOT_PREFIX } from './resolver/directory';
export type { Directory } from './resolver/directory';
export { jwtAlgorithms } from './config/check-config';
export { channelQueue, connectRedis } from './service/connect-redis';
export type { ConnectRedisOptions, ServiceRedis } from './service/connect-redis';
export { runChannelService, SHUTDOWN_GRACE_MS } from './service/run-channel-service';
export { createChannelWorker } from './service/channel-worker';
export { readSecretFile, SECRET_FILE_MAX_BYTES } from './config/read-secret-file';
export { rememberAnswers } from './remember-answers';
export { sendTimeDirectory, SendTimeDirectory } from './service/send-time-directory';
export type { DirectoryAt } from './service/send-time-directory';
export type { ChannelPayload, ChannelWorkerOptions } from './service/channel-worker';
export type { ChannelContext, ChannelParts, ChannelServiceOptions } from './service/run-channel-service';
export { createTimelineRecorder, notificationEvent } from './service/timeline-recorder';
export type { AppendTimeline, Settled, TimelineView } from './service/timeline-recorder';
export { createRedisClient, redisMode } from './redis/create-redis-client';
export type { RedisMode } from './redis/create-redis-client';
export { describeRedis, describeRedisLine } from './redis/describe-redis';
export { luaScripts } from './redis/lua-scripts';
export { isRedisUnavailable } from './redis/redis-unavailable';
export { quitRedis } from './redis/quit-redis';
export { pingWithin, READY_TIMEOUT_MS } from './redis/ping-within';
export type { LuaScripts } from './redis/lua-scripts';
export { runAcceptDelivery } from './delivery/accept-delivery-script';
export type { DeliveryWrite } from './delivery/accept-delivery-script';
export type { ScriptArg, ScriptCall } from './redis/lua-scripts';
export { ajvProblems, type SchemaProblem } from './schema/ajv-problems';
export { AckTokenCodec, type AckClaims, type AckSubject, type AckTokenCheck, type AckTokenRefusal } from './ack-link/ack-token';
export { ackGroupId, readAckGroup, storeAckGroup, MAX_GROUP_ALERTS } from './ack-link/ack-group-store';
export { ACK_CODE_LENGTH, ackCodeOf, readAckCode, storeAckCode } from './ack-link/ack-code-store';
export { ACK_PATH, ackLinkPath, ackLinkSettings, createAckLinkIssuer, type AckLinkIssuer, type AckLinkSettings, type PayloadAckLinks } from './ack-link/ack-links';
export { PAGE_STYLE } from './render/page-style';
export { alertsUrl, matcherFilter, safeHttpUrl, silenceUrl } from './render/links';
export { COLOURS, severityColour } from './render/severity-colour';
export { buildAlertGroupView, formatDuration, formatTime, groupAlertName, MAX_ALERTS_PER_SECTION, MAX_VALUE_LENGTH } from './render/group-view';
export type { AlertGroupView, AlertView, FieldView, GroupAckLinks, LinkView } from './render/group-view';
export { FINGERPRINT_PATTERN, isFingerprint } from './webhook/fingerprint';
export type { ScheduleConfig, ScheduleLayerConfig, ScheduleOverrideConfig, ScheduleRestrictionConfig, Weekday } from './config/types';
export { compileSchedule, onCallAt } from './schedule/on-call';
export type { CompiledSchedule, OnCall, OnCallNow, OnCallPath } from './schedule/on-call';
export { withTimeZones } from './handling/index';
export { isScheduleTarget, SCHEDULE_PREFIX, targetProblem } from './resolver/directory';
export type { TargetExpansion } from './resolver/directory';
export { checkSchedules } from './schedule/check-schedules';
export type { ScheduleVerdict } from './handling/index';
export type { ScheduleHit, SendTimeTarget } from './resolver/resolve-recipients';
export { AT_EXAMPLES, parseAtTime } from './schedule/parse-at';
export { onCallView } from './schedule/on-call-view';
export type { OnCallView } from './schedule/on-call-view';
export { createSendBudget, digestMember } from './flow/send-budget';
export type { AdmitResult, BudgetLimit, BudgetNotification, DigestLatest, DigestSnapshot, FlushResult, SendBudget } from './flow/send-budget';
export { digestDedupKey, digestPayload, scheduleDigest } from './flow/digest-task';
export type { DigestScheduled } from './flow/digest-task';
