--@include "includes/now-ms.lua"
--@include "includes/task-part.lua"
--[[
  Adds one task to a queue (the body of queue/lua/enqueue-5.lua, also run by the handling
  scripts that schedule delayed work in the same atomic step): idempotency check, task hash,
  pending or delayed ZSET and the workers' wake-up marker. Due times are Redis' clock.

  q: {base = "{p}:<queue>:", seq, pending, delayed, marker, dedup (key, or false)}
  t: {name, rank, rankBase, payload, maxAttempts, dedupTtl (0 = no dedup), delay ms, dedupKey,
      part (optional: key of a shared part the payload is merged onto, see task-part.lua),
      partValue (optional: the part's value, stored unless the part already has one)}

  Returns {id, duplicate (0|1)}
]]
local function enqueueTask(q, t)
  if t.dedupTtl > 0 then
    local seen = redis.call('GET', q.dedup)
    if seen then return {seen, 1} end
  end

  local now = nowMs()
  local seq = redis.call('INCR', q.seq)
  local id = tostring(seq)
  -- %.0f keeps every digit: tostring() would print 14 significant digits and lose the order.
  local score = string.format('%.0f', t.rank * t.rankBase + seq)

  local taskKey = q.base .. 'task:' .. id
  redis.call('HSET', taskKey,
    'id', id, 'queue', t.name, 'payload', t.payload, 'rank', t.rank, 'score', score,
    'attempts', 0, 'maxAttempts', t.maxAttempts, 'results', '{}',
    'createdAt', now, 'updatedAt', now, 'dedupKey', t.dedupKey)

  if t.part and t.part ~= '' then
    redis.call('HSET', taskKey, 'part', t.part)
    holdPart(t.part)
    if t.partValue and t.partValue ~= '' then redis.call('HSETNX', t.part, 'v', t.partValue) end
  end

  if t.delay > 0 then
    redis.call('HSET', taskKey, 'status', 'delayed', 'dueAt', now + t.delay)
    redis.call('ZADD', q.delayed, now + t.delay, id)
  else
    redis.call('HSET', taskKey, 'status', 'pending')
    redis.call('ZADD', q.pending, score, id)
  end
  -- A delayed task wakes a worker too, so it shortens its block to the new due time.
  redis.call('ZADD', q.marker, 0, '0')

  if t.dedupTtl > 0 then redis.call('SET', q.dedup, id, 'PX', t.dedupTtl) end
  return {id, 0}
end
