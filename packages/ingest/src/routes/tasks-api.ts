import express, { type Router } from 'express';
import { GatewayError, taskForReader, type NotificationPayload, type TaskQueue, type TaskStatus } from '@alertgw/shared';
import { sendError } from '../http-reply';
import { queryInt, queryOne } from '../query-params';
import { checkPathParam } from './path-params';

/** A task id in a path: `<n>` or `<channel>:<n>`; the channel is then looked up among the queues. */
const TASK_ID = /^(?:[A-Za-z0-9_-]{1,64}:)?[0-9]{1,16}$/;

const STATUSES: readonly TaskStatus[] = ['pending', 'active', 'delayed', 'completed', 'dead'];
const MAX_TASK_PAGE = 500;

/**
 * GET /api/v1/tasks?channel=&status=&offset=&limit= (status defaults to pending; channel may
 * be left out when there is only one) and GET /api/v1/tasks/:id, where id is "<channel>:<n>"
 * or "<n>" with ?channel= (task numbers are per channel). Viewers read tasks, so answers
 * carry only the allow-listed fields of taskForReader, phone numbers masked.
 */
export function tasksApi(deps: { queues: ReadonlyMap<string, TaskQueue<NotificationPayload>> }): Router {
  const router = express.Router();
  const names = [...deps.queues.keys()];
  checkPathParam(router, 'id', (id) => TASK_ID.test(id), 'task id (<n> or <channel>:<n>)');

  const pickQueue = (channel: string | undefined): TaskQueue<NotificationPayload> => {
    if (channel === undefined && names.length === 1) return deps.queues.get(names[0])!;
    if (channel === undefined) throw new GatewayError('BAD_REQUEST', `channel is required: one of ${names.join(', ')}`);
    const queue = deps.queues.get(channel);
    if (!queue) throw new GatewayError('BAD_REQUEST', `unknown channel; one of ${names.join(', ')}`);
    return queue;
  };

  router.get('/api/v1/tasks', async (req, res) => {
    const queue = pickQueue(queryOne(req, 'channel'));
    const status = (queryOne(req, 'status') ?? 'pending') as TaskStatus;
    if (!STATUSES.includes(status)) throw new GatewayError('BAD_REQUEST', `status must be one of ${STATUSES.join(', ')}`);
    const offset = queryInt(req, 'offset', 0);
    const limit = queryInt(req, 'limit', 50, MAX_TASK_PAGE);
    const [items, counts] = await Promise.all([queue.list(status, { offset, limit }), queue.counts()]);
    res.json({ channel: queue.name, status, offset, limit, total: counts[status], items: items.map(taskForReader) });
  });

  router.get('/api/v1/tasks/:id', async (req, res) => {
    const raw = String(req.params.id);
    const colon = raw.lastIndexOf(':');
    const channel = colon >= 0 ? raw.slice(0, colon) : queryOne(req, 'channel');
    const id = colon >= 0 ? raw.slice(colon + 1) : raw;
    const task = await pickQueue(channel).get(id);
    if (!task) return sendError(res, 404, 'not_found', 'no such task (never created, or expired after completion)');
    res.json(taskForReader(task));
  });
  return router;
}
