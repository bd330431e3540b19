--[[
  Renews a lease if the caller still holds it.

  KEYS[1] lock:<id>  KEYS[2] leases  KEYS[3] task:<id>
  ARGV[1] id, ARGV[2] fencing token, ARGV[3] lease ms

  Returns 1 when renewed, 0 when the lease is lost (another claim took it over; an expired
  lease nobody took is renewed).
]]
--@include "includes/now-ms.lua"
--@include "includes/holds-lease.lua"
if not holdsLease(KEYS[1], KEYS[3], ARGV[2]) then return 0 end
local now = nowMs()
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[3]), ARGV[1])
return 1
