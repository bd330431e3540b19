import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { GatewayError } from '../errors';
import { redisConfigProblems } from '../redis/redis-config-problems';
import { ajvProblems } from '../schema/ajv-problems';
import { checkConfig } from './check-config';
import { ROBOT_REFERENCE_KEYS } from './check-robots';
import { findPlaceholderSecrets } from './check-hardening';
import { pointerToPath, type ConfigProblem } from './config-path';
import { CONFIG_SCHEMA } from './schema';
import { findLiteralSecrets } from './secret-keys';
import { substituteEnv } from './substitute-env';
import type { GatewayConfig } from './types';

// coerceTypes: `${PORT:-9097}` substitutes to a string, and YAML reads `templateId: 123456`
// as a number; both mean what they say.
const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: true });
addFormats(ajv, ['uri']);
const validate = ajv.compile<GatewayConfig>(CONFIG_SCHEMA);

/** The CONFIG_INVALID error listing every problem, one per line, each with its path. */
export function configInvalid(problems: readonly ConfigProblem[], source?: string): GatewayError {
  const head = `invalid configuration${source ? ` in ${source}` : ''} (${problems.length} problem${problems.length === 1 ? '' : 's'}):`;
  // Sorted by path (users[2] before users[10]), so the problems of one section stand together.
  const sorted = [...problems].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
  const lines = sorted.map((p) => `  ${p.path}: ${p.message}`);
  return new GatewayError('CONFIG_INVALID', [head, ...lines].join('\n'), {
    details: { problems: sorted.map((p) => ({ ...p })) },
  });
}

/** Keys left empty in YAML (`routes:` with everything below commented out) mean "use the default". */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}

/**
 * Turns a parsed config tree into a GatewayConfig: refuses literal secrets, substitutes
 * `${ENV}` / *_FILE, refuses documentation placeholders, applies defaults, validates the schema
 * and the cross references.
 * Throws GatewayError CONFIG_INVALID listing every problem. Tests use it to make configs
 * from small objects: `buildConfig({ users: [...] })`.
 */
export function buildConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source?: string): GatewayConfig {
  const tree = raw === null || raw === undefined ? {} : dropNulls(raw);
  // dropNulls made a copy, so blanking refused secrets does not touch the caller's tree.
  const problems = findLiteralSecrets(tree, true);
  // Robots' references stay unresolved: notifier-chat reads them when it sends (checkRobots).
  const substituted = substituteEnv(tree, env, problems, [], ROBOT_REFERENCE_KEYS);
  // Before the schema and the other checks, which then skip these paths ("too short" would add nothing).
  problems.push(...findPlaceholderSecrets(substituted));
  const valid = validate(substituted);
  if (!valid) {
    // A failed substitution leaves "" behind; its schema complaint would only repeat the cause.
    const reported = new Set(problems.map((p) => p.path));
    for (const p of ajvProblems(validate.errors)) {
      const path = pointerToPath(p.pointer);
      if (!reported.has(path)) problems.push({ path, message: p.message });
    }
  }
  // The raw section too: a password typed into redis.url is refused before substitution hides it.
  problems.push(...redisConfigProblems((tree as { redis?: unknown }).redis, (substituted as Partial<GatewayConfig>).redis));
  problems.push(...crossChecks(substituted as GatewayConfig, valid, problems));
  if (problems.length > 0) throw configInvalid(problems, source);
  const cfg = substituted as GatewayConfig;
  // Every schedule names its zone from here on: resolvers and the live directory need no default.
  for (const schedule of cfg.schedules) schedule.timeZone ??= cfg.schedulesTimeZone;
  return cfg;
}

/** Runs checkConfig, skipping paths that already have a problem. */
function crossChecks(cfg: GatewayConfig, valid: boolean, known: readonly ConfigProblem[]): ConfigProblem[] {
  const reported = new Set(known.map((p) => p.path));
  // On a tree that failed the schema the checks still run, so one start lists every problem.
  return checkConfig(cfg, { tolerant: !valid }).filter((p) => !reported.has(p.path));
}
