--[[
  Gives a claimed task back untouched (graceful shutdown): the attempt does not count.

  KEYS[1] lock:<id>  KEYS[2] leases  KEYS[3] task:<id>  KEYS[4] pending  KEYS[5] marker
  ARGV[1] id, ARGV[2] token

  Returns 1 when released, 0 when the token no longer holds the lease (another claim took it).
]]
--@include "includes/now-ms.lua"
--@include "includes/holds-lease.lua"
if not holdsLease(KEYS[1], KEYS[3], ARGV[2]) then return 0 end
local now = nowMs()
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'attempts', -1)
redis.call('HSET', KEYS[3], 'status', 'pending', 'updatedAt', now)
redis.call('ZADD', KEYS[4], redis.call('HGET', KEYS[3], 'score'), ARGV[1])
redis.call('ZADD', KEYS[5], 0, '0')
return 1
