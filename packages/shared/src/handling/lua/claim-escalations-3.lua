--[[
  Claims due escalations for one replica. Atomic, so each due escalation goes to exactly one
  caller: it leaves esc:due and enters esc:inflight with a lease. A lease that ran out (the
  replica died before completing) makes the escalation due again; the SMS enqueue is
  idempotent, so a second attempt never sends twice. An escalation whose alert resolved,
  fired again, or got acked is dropped (state cancelled) instead.

  KEYS[1] esc:due  KEYS[2] esc:inflight  KEYS[3] ack:all

  ARGV[1] key base, ARGV[2] now ms, ARGV[3] lease ms, ARGV[4] most to claim

  Returns {next due or lease deadline ms (-1: none), then per claimed escalation:
           {member, startsAt, tier JSON, labels, annotations, receiver, groupKey, generatorURL}}
]]
--@include "includes/escalation-member.lua"
local base = ARGV[1]
local now = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])

for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZADD', KEYS[1], now, m)
end

local out = { -1 }
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)) do
  redis.call('ZREM', KEYS[1], m)
  local fp, tier = parseEscalationMember(m)
  local esc = base .. 'esc:a:' .. fp
  local st = redis.call('HMGET', esc, 'startsAt', 's:' .. tier, 'd:' .. tier)
  local rec = redis.call('HMGET', base .. 'a:' .. fp, 'status', 'startsAt', 'labels', 'annotations', 'receiver', 'groupKey', 'generatorURL')
  local live = st[2] == 'scheduled' or st[2] == 'firing'
  local valid = live and rec[1] == 'firing' and rec[2] == st[1]
  if valid then
    local ack = redis.call('HGET', KEYS[3], fp)
    if ack and cjson.decode(ack).startsAt == st[1] then valid = false end
  end
  if valid then
    redis.call('HSET', esc, 's:' .. tier, 'firing')
    redis.call('ZADD', KEYS[2], now + lease, m)
    out[#out + 1] = { m, st[1], st[3], rec[3], rec[4], rec[5] or '', rec[6] or '', rec[7] or '' }
  elseif live and st[1] then
    redis.call('HSET', esc, 's:' .. tier, 'cancelled')
  end
end

local nextDue = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local nextLease = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local best = -1
if nextDue[2] then best = tonumber(nextDue[2]) end
if nextLease[2] and (best < 0 or tonumber(nextLease[2]) < best) then best = tonumber(nextLease[2]) end
out[1] = best
return out
