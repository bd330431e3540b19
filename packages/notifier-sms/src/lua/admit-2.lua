--[[
  Storm control for one phone and one notification: takes a slot of the phone's
  sliding-window budget, or, when the window is full, merges the notification into the
  phone's pending digest. While a digest is pending, a freed slot is kept for its
  summary: new notifications join the digest instead of overtaking it. Idempotent per member: a re-run of the same task (after a
  crash or a transient send error) gets the same answer without taking a second slot
  or being counted twice.

  KEYS[1] budget  ZSET member -> ms the slot was taken (sliding window log)
  KEYS[2] digest  HASH gen, count, firing, resolved, latest, rank, firstAt, m:<member>, snap:<gen>

  ARGV[1] member (task id)          ARGV[2] max SMS per window   ARGV[3] window ms
  ARGV[4] firing alerts in it        ARGV[5] latest (JSON: what/where/severity)
  ARGV[6] severity rank              ARGV[7] digest ttl ms
  ARGV[8] resolved alerts in it

  Returns {'admitted', now} or {'merged', gen, freeAt, count, now}
    freeAt: ms when the oldest slot leaves the window, i.e. when the summary may go out
]]
--@include "includes/now-ms.lua"
local now = nowMs()
local max = tonumber(ARGV[2])
local window = tonumber(ARGV[3])

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)

local function freeAt()
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if oldest[2] == nil then return now end
  return math.max(now, tonumber(oldest[2]) + window)
end

local member = 'm:' .. ARGV[1]
local gen = redis.call('HGET', KEYS[2], 'gen') or '0'
if redis.call('HEXISTS', KEYS[2], member) == 1 then
  return {'merged', gen, freeAt(), redis.call('HGET', KEYS[2], 'count') or '0', now}
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {'admitted', now}
end
local pending = tonumber(redis.call('HGET', KEYS[2], 'count') or '0')
if pending == 0 and redis.call('ZCARD', KEYS[1]) < max then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], window)
  return {'admitted', now}
end

redis.call('HSET', KEYS[2], 'gen', gen, member, now, 'latest', ARGV[5])
redis.call('HSETNX', KEYS[2], 'firstAt', now)
local count = redis.call('HINCRBY', KEYS[2], 'count', 1)
redis.call('HINCRBY', KEYS[2], 'firing', tonumber(ARGV[4]))
redis.call('HINCRBY', KEYS[2], 'resolved', tonumber(ARGV[8]))
local rank = tonumber(redis.call('HGET', KEYS[2], 'rank') or '255')
if tonumber(ARGV[6]) < rank then redis.call('HSET', KEYS[2], 'rank', ARGV[6]) end
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[7]))
return {'merged', gen, freeAt(), count, now}
