--[[
  The heartbeat of one replica of the relay's connection budget: keeps it among the live
  holders and renews the permits of its open connections (includes/lease-semaphore.lua). A
  permit that expired meanwhile (the replica stalled past its lease) is not taken back: it is
  reported lost, and the replica closes that connection, since another may have its place.

  KEYS[1] slots    ZSET "<holder>/<n>" -> lease expiry (ms)
  KEYS[2] holders  ZSET holder -> lease expiry (ms)

  ARGV[1] holder   ARGV[2] total permits   ARGV[3] lease ms   ARGV[4..] permits it holds

  Returns {share, lost permit…}
]]
--@include "includes/now-ms.lua"
--@include "includes/lease-semaphore.lua"
local now = nowMs()
local total = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
semaphorePurge(KEYS[1], KEYS[2], now)
semaphoreHeartbeat(KEYS[1], KEYS[2], ARGV[1], now, lease)
local reply = {semaphoreShare(KEYS[2], ARGV[1], total)}
for i = 4, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + lease, ARGV[i])
  else
    reply[#reply + 1] = ARGV[i]
  end
end
return reply
