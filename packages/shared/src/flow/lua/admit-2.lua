--[[
  Send budget of one subject (an SMS phone, a chat robot) for one notification: takes a slot
  when every limit of the subject has one free, or, when any limit is spent, merges the
  notification into the subject's pending digest. While a digest is pending, a freed slot is
  kept for its summary: new notifications join the digest instead of overtaking it.
  Idempotent per member: a re-run of the same task (after a crash or a transient send error)
  gets the same answer without taking a second slot or being counted twice.

  A limit is "at most <max> sends in any <window> ms" (a sliding-window log: exact, unlike a
  fixed-window counter, so a burst straddling a minute boundary cannot get 2x through).

  KEYS[1] budget  ZSET member -> ms the slot was taken (sliding window log)
  KEYS[2] digest  HASH gen, count, firing, resolved, latest, rank, firstAt, m:<member>, snap:<gen>

  ARGV[1] member (task id)           ARGV[2] limits "max:windowMs;max:windowMs"
  ARGV[3] firing alerts in it        ARGV[4] latest (JSON: what/alertname/severity)
  ARGV[5] severity rank              ARGV[6] digest ttl ms
  ARGV[7] resolved alerts in it      ARGV[8] brief (JSON kept per merged member for the summary; '' = none)

  Returns {'admitted', now} or {'merged', gen, freeAt, count, now}
    freeAt: ms when every limit has a free slot again, i.e. when the summary may go out
]]
--@include "includes/now-ms.lua"
--@include "includes/budget-limits.lua"
local now = nowMs()
local limits = parseLimits(ARGV[2])

local member = 'm:' .. ARGV[1]
local gen = redis.call('HGET', KEYS[2], 'gen') or '0'
if redis.call('HEXISTS', KEYS[2], member) == 1 then
  return {'merged', gen, budgetFreeAt(KEYS[1], limits, now), redis.call('HGET', KEYS[2], 'count') or '0', now}
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {'admitted', now}
end
local pending = tonumber(redis.call('HGET', KEYS[2], 'count') or '0')
if pending == 0 and budgetFreeAt(KEYS[1], limits, now) <= now then
  takeBudgetSlot(KEYS[1], limits, now, ARGV[1])
  return {'admitted', now}
end

local brief = ARGV[8]
if brief == nil or brief == '' then brief = tostring(now) end
redis.call('HSET', KEYS[2], 'gen', gen, member, brief, 'latest', ARGV[4])
redis.call('HSETNX', KEYS[2], 'firstAt', now)
local count = redis.call('HINCRBY', KEYS[2], 'count', 1)
redis.call('HINCRBY', KEYS[2], 'firing', tonumber(ARGV[3]))
redis.call('HINCRBY', KEYS[2], 'resolved', tonumber(ARGV[7]))
local rank = tonumber(redis.call('HGET', KEYS[2], 'rank') or '255')
if tonumber(ARGV[5]) < rank then redis.call('HSET', KEYS[2], 'rank', ARGV[5]) end
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]))
return {'merged', gen, budgetFreeAt(KEYS[1], limits, now), count, now}
