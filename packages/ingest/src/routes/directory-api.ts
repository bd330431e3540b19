import express, { type Request, type Response, type Router } from 'express';
import {
  AT_EXAMPLES,
  GatewayError,
  isDirectoryName,
  onCallView,
  parseAtTime,
  maskPhone,
  putNamed,
  removeNamed,
  ROBOT_PREFIX,
  type DirectoryDoc,
  type DirectoryStore,
  type GatewayConfig,
  type LabelSet,
  type Named,
  type RobotConfig,
  type RoutingExplanation,
  type UserConfig,
} from '@alertgw/shared';
import type { LiveDirectory } from '../handling/live-directory';
import { whileStarting } from '../http-reply';
import { principalOf } from '../jwt-auth';
import { checkPathParam } from './path-params';
import { createMatchPool, type MatchPool } from '../matching/match-pool';

/** What the directory API needs. */
export interface DirectoryApiDeps {
  store: DirectoryStore;
  live: LiveDirectory;
  config: Pick<GatewayConfig, 'channels' | 'ownerLabel'> & Partial<Pick<GatewayConfig, 'schedulesTimeZone'>>;
  /** False until the live directory is loaded: its routes answer 503 meanwhile. */
  ready?: () => boolean;
  /** Where POST /api/v1/routes/test matches (a pool of its own when absent). */
  matching?: MatchPool;
}

const BODY_LIMIT = '256kb';
// Most matching time one POST /api/v1/routes/test may take before it is refused (and stopped).
const ROUTE_TEST_BUDGET_MS = 1_000;

/** Groups as they are derived: every group some user lists, with its members in directory order. */
export function groupsOf(users: readonly UserConfig[]): Array<{ name: string; members: string[] }> {
  const groups = new Map<string, string[]>();
  for (const user of users) for (const g of user.groups ?? []) groups.set(g, [...(groups.get(g) ?? []), user.name]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, members]) => ({ name, members }));
}

/**
 * The notification directory in Redis, changed live (no restart; every replica within a
 * second). Groups are not objects of their own: a group is the users that list it, so
 * PUT /groups/:name sets exactly who lists it and DELETE removes it from everyone.
 *
 * GET    /api/v1/directory                      everything, with its version
 * GET    /api/v1/users[/:name]   PUT /api/v1/users/:name {email?, phone?, groups?}   DELETE
 * GET    /api/v1/robots[/:name]  PUT /api/v1/robots/:name {type, webhookUrl: "${VAR}", secret?: "${VAR}", mentions?}  DELETE
 * GET    /api/v1/groups[/:name]  PUT /api/v1/groups/:name {members: [...]}           DELETE
 * GET    /api/v1/routes[/:name]  PUT /api/v1/routes/:name {matchers, notify, channels?, cc?, escalate?}  DELETE
 * GET    /api/v1/schedules[/:name]  PUT /api/v1/schedules/:name {timeZone?, layers, overrides?}  DELETE
 * GET    /api/v1/oncall[/:schedule]?at=<ISO time or duration from now>   who is on, until when, and why
 * PUT    /api/v1/mandatory {notify: [...]}
 * POST   /api/v1/routes/test {labels: {...}, status?}   who would be notified, and why
 *
 * Every change is validated whole with the config's rules; a refused one answers 400 with
 * every problem, and the rules in force stay. Phone numbers (users', robots' mentions) are
 * masked for viewers. A robot holds only references to its webhook URL and secret.
 */
export function directoryApi(deps: DirectoryApiDeps): Router {
  const router = express.Router();
  const json = express.json({ limit: BODY_LIMIT, strict: true });
  const { store, live } = deps;
  const matching = deps.matching ?? createMatchPool();
  checkPathParam(router, 'name', isDirectoryName, 'name (letters, digits, . _ @ + -; at most 128)');
  if (deps.ready) {
    router.use(['/api/v1/directory', '/api/v1/users', '/api/v1/robots', '/api/v1/groups', '/api/v1/routes', '/api/v1/mandatory', '/api/v1/schedules', '/api/v1/oncall'], whileStarting(deps.ready));
  }

  const current = () => live.current();
  const operator = (res: Response) => principalOf(res).role === 'operator';
  const view = (res: Response) => (operator(res) ? (u: UserConfig) => u : maskUser);
  const robotView = (res: Response) => (operator(res) ? (r: RobotConfig) => r : maskRobot);
  const change = async (res: Response, edit: (doc: DirectoryDoc) => void) => {
    const stored = await store.update(principalOf(res).sub, edit, current().doc);
    // This replica answers with the new rules in force; the others follow through pub/sub.
    await live.refresh(stored.version);
    return stored;
  };
  // Users and routes are entries named by the path, put whole and deleted by the same rules;
  // the body is only an object here: store.update validates the document it lands in.
  const namedEntries = (list: 'users' | 'routes' | 'schedules' | 'robots', noun: 'user' | 'route' | 'schedule' | 'robot', defaults: Record<string, unknown> = {}) => {
    router.put(`/api/v1/${list}/:name`, json, async (req, res) => {
      const name = String(req.params.name);
      const body = objectBody(req);
      if (body.name !== undefined && body.name !== name) throw new GatewayError('BAD_REQUEST', 'name in the body differs from the path');
      const stored = await change(res, (doc) => {
        putNamed<Named>((doc[list] ??= []), { ...defaults, ...body, name });
      });
      const entries: readonly Named[] = stored.doc[list] ?? [];
      res.json({ version: stored.version, [noun]: entries.find((e) => e.name === name) });
    });
    router.delete(`/api/v1/${list}/:name`, async (req, res) => {
      const name = String(req.params.name);
      const stored = await change(res, (doc) => {
        if (!removeNamed<Named>(doc[list] ?? [], name)) throw new GatewayError('NOT_FOUND', `no such ${noun}`);
      });
      res.json({ version: stored.version });
    });
  };

  router.get('/api/v1/directory', (_req, res) => {
    const dir = current();
    res.json({
      version: dir.version,
      source: dir.source,
      updatedAt: dir.doc.updatedAt,
      updatedBy: dir.doc.updatedBy,
      users: dir.doc.users.map(view(res)),
      robots: (dir.doc.robots ?? []).map(robotView(res)),
      groups: groupsOf(dir.doc.users),
      routes: dir.doc.routes,
      mandatory: dir.doc.mandatory,
      schedules: dir.doc.schedules ?? [],
    });
  });

  router.get('/api/v1/users', (_req, res) => {
    res.json({ version: current().version, items: current().doc.users.map(view(res)) });
  });
  router.get('/api/v1/users/:name', (req, res) => {
    const user = current().doc.users.find((u) => u.name === req.params.name);
    if (!user) throw new GatewayError('NOT_FOUND', 'no such user');
    res.json(view(res)(user));
  });
  namedEntries('users', 'user');

  router.get('/api/v1/robots', (_req, res) => {
    res.json({ version: current().version, items: (current().doc.robots ?? []).map(robotView(res)) });
  });
  router.get('/api/v1/robots/:name', (req, res) => {
    const robot = (current().doc.robots ?? []).find((r) => r.name === req.params.name);
    if (!robot) throw new GatewayError('NOT_FOUND', 'no such robot');
    res.json(robotView(res)(robot));
  });
  namedEntries('robots', 'robot');

  router.get('/api/v1/groups', (_req, res) => {
    res.json({ version: current().version, items: groupsOf(current().doc.users) });
  });
  router.get('/api/v1/groups/:name', (req, res) => {
    const group = groupsOf(current().doc.users).find((g) => g.name === req.params.name);
    if (!group) throw new GatewayError('NOT_FOUND', 'no such group (nobody lists it)');
    res.json(group);
  });
  router.put('/api/v1/groups/:name', json, async (req, res) => {
    const name = String(req.params.name);
    const members = stringList(objectBody(req, ['members']).members, 'members');
    const stored = await change(res, (doc) => {
      const unknown = members.filter((m) => !doc.users.some((u) => u.name === m));
      if (unknown.length) throw new GatewayError('BAD_REQUEST', `unknown user "${unknown[0]}": add users first (PUT /api/v1/users/<name>)`);
      for (const user of doc.users) {
        const others = (user.groups ?? []).filter((g) => g !== name);
        user.groups = members.includes(user.name) ? [...others, name] : others;
      }
    });
    res.json({ version: stored.version, group: groupsOf(stored.doc.users).find((g) => g.name === name) ?? { name, members: [] } });
  });
  router.delete('/api/v1/groups/:name', async (req, res) => {
    const name = String(req.params.name);
    const stored = await change(res, (doc) => {
      if (!doc.users.some((u) => (u.groups ?? []).includes(name))) throw new GatewayError('NOT_FOUND', 'no such group (nobody lists it)');
      for (const user of doc.users) user.groups = (user.groups ?? []).filter((g) => g !== name);
    });
    res.json({ version: stored.version });
  });

  router.get('/api/v1/routes', (_req, res) => {
    res.json({ version: current().version, items: current().doc.routes });
  });
  router.get('/api/v1/routes/:name', (req, res) => {
    const route = current().doc.routes.find((r) => r.name === req.params.name);
    if (!route) throw new GatewayError('NOT_FOUND', 'no such route');
    res.json(route);
  });
  namedEntries('routes', 'route');

  router.get('/api/v1/schedules', (_req, res) => {
    res.json({ version: current().version, items: current().doc.schedules ?? [] });
  });
  router.get('/api/v1/schedules/:name', (req, res) => {
    const schedule = (current().doc.schedules ?? []).find((s) => s.name === req.params.name);
    if (!schedule) throw new GatewayError('NOT_FOUND', 'no such schedule');
    res.json(schedule);
  });
  // A schedule put without a zone gets the configured default, so the stored one names its zone.
  namedEntries('schedules', 'schedule', { timeZone: deps.config.schedulesTimeZone ?? 'UTC' });
  const onCall = (req: Request, res: Response) => {
    const dir = current();
    const atText = req.query.at;
    if (atText !== undefined && typeof atText !== 'string') throw new GatewayError('BAD_REQUEST', `at must be one value: ${AT_EXAMPLES}`);
    const atMs = atText === undefined ? Date.now() : parseAtTime(atText, Date.now(), deps.config.schedulesTimeZone ?? 'UTC');
    if (atMs === undefined) throw new GatewayError('BAD_REQUEST', `at is not a time: ${AT_EXAMPLES}`);
    const names = req.params.name !== undefined ? [String(req.params.name)] : (dir.doc.schedules ?? []).map((s) => s.name);
    const items = names.map((name) => {
      const schedule = dir.directory.schedule(name);
      if (!schedule) throw new GatewayError('NOT_FOUND', 'no such schedule');
      return onCallView(schedule.onCallAt(atMs), dir.directory);
    });
    res.json({ version: dir.version, at: new Date(atMs).toISOString(), items });
  };
  router.get('/api/v1/oncall', onCall);
  router.get('/api/v1/oncall/:name', onCall);

  router.put('/api/v1/mandatory', json, async (req, res) => {
    const notify = stringList(objectBody(req, ['notify']).notify, 'notify');
    const stored = await change(res, (doc) => {
      doc.mandatory = notify;
    });
    res.json({ version: stored.version, mandatory: stored.doc.mandatory });
  });

  router.post('/api/v1/routes/test', json, async (req, res) => {
    const body = objectBody(req, ['labels', 'status', 'at']);
    const labels = body.labels;
    if (!labels || typeof labels !== 'object' || Array.isArray(labels) || !Object.values(labels).every((v) => typeof v === 'string')) {
      throw new GatewayError('BAD_REQUEST', 'labels must be an object of strings, e.g. {"team": "db", "severity": "critical"}');
    }
    if (body.status !== undefined && body.status !== 'firing' && body.status !== 'resolved') {
      throw new GatewayError('BAD_REQUEST', 'status must be firing or resolved');
    }
    const dir = current();
    const input = { doc: dir.doc, config: { channels: deps.config.channels, ownerLabel: deps.config.ownerLabel }, labels: labels as LabelSet, status: body.status as 'firing' | 'resolved' | undefined, atMs: routeTestTime(body.at, deps.config.schedulesTimeZone) };
    // The labels are the caller's: matched against the routes on a worker thread, within a deadline.
    const explained = await matching
      .run<RoutingExplanation>({ op: 'explain', input }, ROUTE_TEST_BUDGET_MS)
      .then((r) => r.result)
      .catch((err: unknown) => {
        if (err instanceof GatewayError && err.details?.deadline) {
          throw new GatewayError('BAD_REQUEST', `labels too costly: matching them against the routes took over ${ROUTE_TEST_BUDGET_MS} ms; use shorter label values`);
        }
        throw err;
      });
    const operator = principalOf(res).role === 'operator';
    const mask = (a: string) => (operator || a.includes('@') ? a : maskPhone(a));
    res.json({
      version: dir.version,
      ...explained,
      // A robot's address is its name: nothing to mask.
      channels: explained.channels.map((c) => ({ ...c, recipients: c.recipients.map((r) => (r.name.startsWith(ROBOT_PREFIX) ? r : { ...r, address: mask(r.address) })) })),
      escalations: explained.escalations.map((e) => ({ ...e, reachable: e.reachable.map((r) => ({ ...r, phone: mask(r.phone) })) })),
    });
  });
  return router;
}

/** When a route test asks the schedules (body `at`), default now. */
function routeTestTime(at: unknown, zone: string | undefined): number {
  if (at === undefined) return Date.now();
  const ms = typeof at === 'string' ? parseAtTime(at, Date.now(), zone ?? 'UTC') : undefined;
  if (ms === undefined) throw new GatewayError('BAD_REQUEST', `at is not a time: ${AT_EXAMPLES}`);
  return ms;
}

function maskUser(user: UserConfig): UserConfig {
  return user.phone ? { ...user, phone: maskPhone(user.phone) } : user;
}

function maskRobot(robot: RobotConfig): RobotConfig {
  const mobiles = robot.mentions?.mobiles;
  return mobiles ? { ...robot, mentions: { ...robot.mentions, mobiles: mobiles.map(maskPhone) } } : robot;
}

function objectBody(req: Request, allowed?: readonly string[]): Record<string, unknown> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('BAD_REQUEST', 'the body must be a JSON object');
  if (allowed) {
    const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
    if (unknown.length) throw new GatewayError('BAD_REQUEST', `unknown field "${unknown[0]!.slice(0, 40)}" (allowed: ${allowed.join(', ')})`);
  }
  return body as Record<string, unknown>;
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new GatewayError('BAD_REQUEST', `${name} must be a list of strings`);
  return [...new Set(value as string[])];
}
