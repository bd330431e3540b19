--[[
  Takes one permit of the relay's connection budget for a connection about to open, if the
  budget has one free and this replica holds less than its share (includes/lease-semaphore.lua).

  KEYS[1] slots    ZSET "<holder>/<n>" -> lease expiry (ms)
  KEYS[2] holders  ZSET holder -> lease expiry (ms)

  ARGV[1] holder (this replica)   ARGV[2] permit ("<holder>/<n>")
  ARGV[3] total permits           ARGV[4] lease ms

  Returns {1, share} when granted, {0, share, 'share'} when this replica holds its share
  already (only its own connections can free one), {0, share, 'full'} when others hold them all
]]
--@include "includes/now-ms.lua"
--@include "includes/lease-semaphore.lua"
local now = nowMs()
local total = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
semaphorePurge(KEYS[1], KEYS[2], now)
semaphoreHeartbeat(KEYS[1], KEYS[2], ARGV[1], now, lease)
local share = semaphoreShare(KEYS[2], ARGV[1], total)
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  if semaphoreHeldBy(KEYS[1], ARGV[1]) >= share then return {0, share, 'share'} end
  if redis.call('ZCARD', KEYS[1]) >= total then return {0, share, 'full'} end
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
redis.call('PEXPIRE', KEYS[1], lease)
return {1, share}
