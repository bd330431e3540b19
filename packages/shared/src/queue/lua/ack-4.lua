--[[
  Completes a task, only for the holder of the lease (fencing token).

  KEYS[1] lock:<id>  KEYS[2] leases  KEYS[3] task:<id>  KEYS[4] completed
  ARGV[1] id, ARGV[2] token, ARGV[3] results JSON, ARGV[4] completed retention ms,
  ARGV[5] info JSON ("" = none)

  Returns 1 when completed, 0 when the token no longer holds the lease.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], 'status', 'completed', 'results', ARGV[3], 'finishedAt', now, 'updatedAt', now)
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], 'info', ARGV[5]) end
local retention = tonumber(ARGV[4])
redis.call('PEXPIRE', KEYS[3], retention)
redis.call('ZADD', KEYS[4], now, ARGV[1])
-- The index forgets what the hashes forgot, so it stays bounded too.
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - retention)
return 1
