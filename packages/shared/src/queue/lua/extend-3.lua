--[[
  Renews a lease if the caller still holds it.

  KEYS[1] lock:<id>  KEYS[2] leases
  ARGV[1] id, ARGV[2] fencing token, ARGV[3] lease ms

  Returns 1 when renewed, 0 when the lease is lost (expired or taken).
]]
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[3]), ARGV[1])
return 1
