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
-- A local, not the global: ~8 calls per task, every accept enqueues one per channel.
local rcall = redis.call
local function enqueueTask(q, t)
  if t.dedupTtl > 0 then
    local seen = rcall('GET', q.dedup)
    if seen then return {seen, 1} end
  end

  local now = nowMs()
  local seq = rcall('INCR', q.seq)
  -- string.format, not tostring(): tostring prints 14 significant digits (it would lose the
  -- order of a score) and costs more.
  local id = string.format('%d', seq)
  local score = string.format('%.0f', t.rank * t.rankBase + seq)
  local nowText = string.format('%.0f', now)

  -- One HSET with every field: each redis.call costs about as much again as the write itself.
  -- Numbers go as text, which Redis would otherwise format per argument.
  local taskKey = q.base .. 'task:' .. id
  local due = t.delay > 0 and string.format('%.0f', now + t.delay)
  local part = t.part and t.part ~= '' and t.part
  local fields = {
    'id', id, 'queue', t.name, 'payload', t.payload, 'rank', string.format('%d', t.rank), 'score', score,
    'attempts', '0', 'maxAttempts', t.maxAttempts, 'results', '{}',
    'createdAt', nowText, 'updatedAt', nowText, 'dedupKey', t.dedupKey, 'status', due and 'delayed' or 'pending' }
  local n = #fields
  if due then
    fields[n + 1], fields[n + 2] = 'dueAt', due
    n = n + 2
  end
  if part then fields[n + 1], fields[n + 2] = 'part', part end
  rcall('HSET', taskKey, unpack(fields))

  if part then
    holdPart(part)
    if t.partValue and t.partValue ~= '' then rcall('HSETNX', part, 'v', t.partValue) end
  end

  if due then
    rcall('ZADD', q.delayed, due, id)
  else
    rcall('ZADD', q.pending, score, id)
  end
  -- A delayed task wakes a worker too, so it shortens its block to the new due time.
  rcall('ZADD', q.marker, '0', '0')

  if t.dedupTtl > 0 then rcall('SET', q.dedup, id, 'PX', string.format('%d', t.dedupTtl)) end
  return {id, 0}
end
