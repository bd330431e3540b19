--[[
  Adds one task, unless its idempotency key was seen within the window.
  Idempotency check, task hash, ZADD and wake-up are one atomic step, so a crash
  can never record "seen" without the task (or the task without "seen").

  KEYS[1] seq       counter for ids and FIFO order
  KEYS[2] pending   ZSET score = rank * rank base + seq
  KEYS[3] delayed   ZSET id -> due ms
  KEYS[4] marker    ZSET idle workers block on
  KEYS[5] dedup     STRING idempotency key (ignored when ARGV[5] = 0)

  ARGV[1] key base ("{p}:email:"), ARGV[2] severity rank, ARGV[3] payload JSON,
  ARGV[4] max attempts, ARGV[5] dedup ttl ms (0 = no dedup), ARGV[6] delay ms,
  ARGV[7] queue name, ARGV[8] dedup key as given, ARGV[9] rank base (RANK_BASE in
  queue/severity.ts, its one source: TaskQueue reads its pending counts per rank with it)

  Returns {id, duplicate (0|1)}
]]
--@include "includes/now-ms.lua"
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  local seen = redis.call('GET', KEYS[5])
  if seen then return {seen, 1} end
end

local now = nowMs()
local seq = redis.call('INCR', KEYS[1])
local id = tostring(seq)
-- %.0f keeps every digit: tostring() would print 14 significant digits and lose the order.
local score = string.format('%.0f', tonumber(ARGV[2]) * tonumber(ARGV[9]) + seq)
local delay = tonumber(ARGV[6])

local taskKey = ARGV[1] .. 'task:' .. id
redis.call('HSET', taskKey,
  'id', id, 'queue', ARGV[7], 'payload', ARGV[3], 'rank', ARGV[2], 'score', score,
  'attempts', 0, 'maxAttempts', ARGV[4], 'results', '{}',
  'createdAt', now, 'updatedAt', now, 'dedupKey', ARGV[8])

if delay > 0 then
  redis.call('HSET', taskKey, 'status', 'delayed', 'dueAt', now + delay)
  redis.call('ZADD', KEYS[3], now + delay, id)
else
  redis.call('HSET', taskKey, 'status', 'pending')
  redis.call('ZADD', KEYS[2], score, id)
end
-- A delayed task wakes a worker too, so it shortens its block to the new due time.
redis.call('ZADD', KEYS[4], 0, '0')

if ttl > 0 then redis.call('SET', KEYS[5], id, 'PX', ttl) end
return {id, 0}
