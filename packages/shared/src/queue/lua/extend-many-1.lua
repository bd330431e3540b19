--[[
  Renews many leases at once, each only for the holder of its fencing token. A worker
  renews every lease it holds with one call per tick instead of one timer and one call
  per task.

  KEYS[1] leases
  ARGV[1] key base ("{p}:email:"), ARGV[2] lease ms, then 2 values per task: id, token

  Returns one value per task, in order: 1 when renewed, 0 when the lease is lost (another
  claim took it over; an expired lease nobody took is renewed).
]]
--@include "includes/now-ms.lua"
--@include "includes/holds-lease.lua"
local base = ARGV[1]
local leaseMs = tonumber(ARGV[2])
-- Formatted once per call (Redis 7.0 formats each Lua number argument with "%.17g").
local deadline = string.format('%d', nowMs() + leaseMs)
local out = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local lockKey = base .. 'lock:' .. id
  if holdsLease(lockKey, base .. 'task:' .. id, ARGV[i + 1]) then
    redis.call('SET', lockKey, ARGV[i + 1], 'PX', ARGV[2])
    redis.call('ZADD', KEYS[1], 'XX', deadline, id)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
