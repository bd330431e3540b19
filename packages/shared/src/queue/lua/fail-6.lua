--[[
  Records a failed attempt, only for the holder of the lease (fencing token):
  retryable with attempts left -> delayed (backoff); otherwise -> dead letters.

  KEYS[1] lock:<id>  KEYS[2] leases  KEYS[3] task:<id>  KEYS[4] delayed  KEYS[5] dead  KEYS[6] marker
  ARGV[1] id, ARGV[2] token, ARGV[3] results JSON, ARGV[4] error text,
  ARGV[5] delay ms, ARGV[6] retryable (1|0), ARGV[7] dead retention ms (0 = keep),
  ARGV[8] info JSON ("" = none)

  Returns 1 when delayed, 2 when dead-lettered, 0 when the token no longer holds the lease
  (another claim took it over; an expired lease nobody took is still held).
]]
--@include "includes/now-ms.lua"
--@include "includes/holds-lease.lua"
--@include "includes/task-part.lua"
if not holdsLease(KEYS[1], KEYS[3], ARGV[2]) then return 0 end
local now = nowMs()
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], 'results', ARGV[3], 'lastError', ARGV[4], 'updatedAt', now)
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], 'info', ARGV[8]) end
local task = redis.call('HMGET', KEYS[3], 'attempts', 'maxAttempts')
if ARGV[6] == '1' and tonumber(task[1]) < tonumber(task[2]) then
  local dueAt = now + tonumber(ARGV[5])
  redis.call('HSET', KEYS[3], 'status', 'delayed', 'dueAt', dueAt)
  redis.call('ZADD', KEYS[4], dueAt, ARGV[1])
  redis.call('ZADD', KEYS[6], 0, '0')
  return 1
end
redis.call('HSET', KEYS[3], 'status', 'dead', 'finishedAt', now)
redis.call('ZADD', KEYS[5], now, ARGV[1])
local retention = tonumber(ARGV[7])
if retention > 0 then
  redis.call('PEXPIRE', KEYS[3], retention)
  releasePart(KEYS[3], now + retention)
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - retention)
end
return 2
