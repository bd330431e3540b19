import { AlertKeys, GatewayError, parseDurationMs } from '@alertgw/shared';
import type { AckRecord, LabelSet, Logger, RedisClient, TaskQueue } from '@alertgw/shared';
import { AckStore } from './ack-store';
import type { AlertmanagerClient } from './alertmanager-client';
import type { HandlingTask } from './handling-task';

/** Longest silence an ack may ask for. */
export const MAX_SILENCE_MS = 30 * 86_400_000;
/** Longest comment kept. */
export const MAX_COMMENT_LENGTH = 2000;
/** When a silence could not be expired, the next try (a handling task) is this much later. */
const EXPIRE_RETRY_MS = 30_000;

/** What the handling API can do to one alert; every method names who acts. */
export interface AlertActions {
  /** `via` names the path when not the API (`link`), for the timeline. */
  ack(fingerprint: string, input: { by: string; comment?: string; silence?: string; via?: string }): Promise<{ ack: AckRecord }>;
  unack(fingerprint: string, input: { by: string }): Promise<{ ack: AckRecord; silenceExpired?: boolean }>;
  comment(fingerprint: string, input: { by: string; comment: string }): Promise<void>;
  assign(fingerprint: string, input: { by: string; user: string }): Promise<void>;
}

/** What the actions need. */
export interface AlertActionsDeps {
  redis: RedisClient;
  prefix: string;
  /** Absent: acks cannot create silences (alertmanager.url is empty). */
  alertmanager?: AlertmanagerClient;
  /** Where a silence that could not be expired now is retried (by any replica's handling Worker). */
  handlingQueue: TaskQueue<HandlingTask>;
  /** Whether a user name is in the directory in force (assign). */
  userExists: (name: string) => boolean;
  /** Called with the new ack version after an ack or unack, so this replica's cache has it before the answer. */
  onAckChanged?: (version: number) => Promise<void>;
  logger: Logger;
  now?: () => Date;
}

/**
 * Builds the per-alert actions. An ack with `silence` creates the Alertmanager silence first
 * (matchers = the alert's labels, exactly) and stores its id with the ack; if the ack is then
 * refused, the silence is expired again. Unack expires the silence; if Alertmanager cannot be
 * reached, the expiry becomes a handling task, retried by the handling Worker of any replica.
 * Errors are GatewayErrors: NOT_FOUND, CONFLICT, BAD_REQUEST, UPSTREAM_FAILED.
 */
export function createAlertActions(deps: AlertActionsDeps): AlertActions {
  const store = new AckStore(deps.redis, deps.prefix);
  const alerts = new AlertKeys(deps.prefix);
  const now = deps.now ?? (() => new Date());

  const queueExpiry = async (id: string, err: unknown) => {
    deps.logger.warn('could not expire an Alertmanager silence; retrying in the background', { silenceId: id, err: (err as Error).message });
    await deps.handlingQueue.enqueue({ payload: { kind: 'expire-silence', silenceId: id }, severityRank: 0, delayMs: EXPIRE_RETRY_MS });
  };
  const expire = async (id: string): Promise<boolean> => {
    if (!deps.alertmanager) {
      await queueExpiry(id, new Error('alertmanager.url is not configured'));
      return false;
    }
    try {
      await deps.alertmanager.expireSilence(id);
      return true;
    } catch (err) {
      await queueExpiry(id, err);
      return false;
    }
  };
  const readRecord = async (fingerprint: string) => {
    const [status, startsAt, labels] = await deps.redis.hmget(alerts.record(fingerprint), 'status', 'startsAt', 'labels');
    if (!status) throw new GatewayError('NOT_FOUND', 'no record for this fingerprint (never seen, or expired)');
    return { status, startsAt: startsAt ?? '', labels: JSON.parse(labels ?? '{}') as LabelSet };
  };

  return {
    async ack(fingerprint, input) {
      const comment = cleanComment(input.comment);
      const silenceMs = input.silence === undefined ? undefined : silenceDuration(input.silence);
      if (silenceMs !== undefined && !deps.alertmanager) {
        throw new GatewayError('BAD_REQUEST', 'silence needs alertmanager.url in the configuration; ack without "silence", or configure it');
      }
      // A new firing between the read and the script makes it refuse with "changed": read again once.
      for (let attempt = 0; ; attempt++) {
        const record = await readRecord(fingerprint);
        if (record.status !== 'firing') throw new GatewayError('CONFLICT', 'the alert is resolved: nothing to ack');
        let silence: AckRecord['silence'];
        if (silenceMs !== undefined) {
          const endsAt = new Date(now().getTime() + silenceMs);
          const id = await deps.alertmanager!.createSilence({
            labels: record.labels,
            startsAt: now(),
            endsAt,
            createdBy: input.by,
            comment: `Acked in alertgw by ${input.by}${input.via ? ` (${input.via})` : ''}${comment ? `: ${comment}` : ''}`.slice(0, MAX_COMMENT_LENGTH),
          });
          silence = { id, endsAt: endsAt.toISOString() };
        }
        const result = await store.ack({ fingerprint, startsAt: record.startsAt, by: input.by, comment, via: input.via, silence, now: now() });
        if (result.ok) {
          await deps.onAckChanged?.(result.version);
          return { ack: result.ack };
        }
        if (silence) await expire(silence.id);
        if (result.reason === 'changed' && attempt === 0) continue;
        throw refusal(result.reason, result.current);
      }
    },

    async unack(fingerprint, input) {
      const result = await store.unack({ fingerprint, by: input.by, now: now() });
      if (!result.ok) {
        if (result.reason === 'missing') throw new GatewayError('NOT_FOUND', 'no record for this fingerprint (never seen, or expired)');
        throw new GatewayError('CONFLICT', 'the alert is not acked');
      }
      await deps.onAckChanged?.(await store.version());
      if (!result.ack.silence) return { ack: result.ack };
      return { ack: result.ack, silenceExpired: await expire(result.ack.silence.id) };
    },

    async comment(fingerprint, input) {
      const comment = cleanComment(input.comment);
      if (!comment) throw new GatewayError('BAD_REQUEST', 'comment must be a non-empty string');
      if (!(await store.comment({ fingerprint, by: input.by, comment, now: now() }))) {
        throw new GatewayError('NOT_FOUND', 'no record for this fingerprint (never seen, or expired)');
      }
    },

    async assign(fingerprint, input) {
      if (typeof input.user !== 'string' || !deps.userExists(input.user)) {
        throw new GatewayError('BAD_REQUEST', 'user must name a user of the directory (GET /api/v1/users)');
      }
      if (!(await store.assign({ fingerprint, by: input.by, assignee: input.user, now: now() }))) {
        throw new GatewayError('NOT_FOUND', 'no record for this fingerprint (never seen, or expired)');
      }
    },
  };
}

function refusal(reason: string, current?: AckRecord): GatewayError {
  switch (reason) {
    case 'missing':
      return new GatewayError('NOT_FOUND', 'no record for this fingerprint (never seen, or expired)');
    case 'resolved':
      return new GatewayError('CONFLICT', 'the alert is resolved: nothing to ack');
    case 'acked':
      return new GatewayError('CONFLICT', `already acked by ${current?.by ?? 'someone'} at ${current?.at ?? '?'}; unack first to ack again`);
    default:
      return new GatewayError('CONFLICT', 'the alert changed while acking (it fired again); retry');
  }
}

function silenceDuration(text: unknown): number {
  const ms = typeof text === 'string' ? parseDurationMs(text) : undefined;
  if (ms === undefined || ms <= 0) throw new GatewayError('BAD_REQUEST', 'silence must be a duration like "30m", "2h" or "1d"');
  if (ms > MAX_SILENCE_MS) throw new GatewayError('BAD_REQUEST', 'silence must not exceed 30d');
  return ms;
}

/** A comment as stored: a string, control characters except newlines dropped, length capped. */
function cleanComment(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new GatewayError('BAD_REQUEST', 'comment must be a string');
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim();
  if (clean.length > MAX_COMMENT_LENGTH) throw new GatewayError('BAD_REQUEST', `comment must not exceed ${MAX_COMMENT_LENGTH} characters`);
  return clean === '' ? undefined : clean;
}
