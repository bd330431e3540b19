--[[
  Takes one generation of a subject's digest for its summary, once every limit of the
  budget has a free slot. The taken digest is kept as a snapshot, so a re-run of the same digest task
  sends the same summary (and takes no second slot); a different task asking for an
  already flushed generation gets 'empty', so a summary never goes out twice.

  KEYS[1] budget  ZSET member -> ms the slot was taken
  KEYS[2] digest  HASH (see admit-2.lua)

  ARGV[1] generation   ARGV[2] digest task id   ARGV[3] limits "max:windowMs;..." (see admit-2.lua)
  ARGV[4] digest ttl ms

  Returns {'flush', snapshot JSON} | {'wait', freeAt, now} | {'empty'}
    snapshot: {gen, count, firing, resolved, latest (JSON), rank, firstAt, by, at, items}
    items: the briefs (JSON strings) of the merged members that came with one
]]
--@include "includes/now-ms.lua"
--@include "includes/budget-limits.lua"
local gen = ARGV[1]
local snapField = 'snap:' .. gen
local snap = redis.call('HGET', KEYS[2], snapField)
if snap then
  if cjson.decode(snap).by == ARGV[2] then return {'flush', snap} end
  return {'empty'}
end
if (redis.call('HGET', KEYS[2], 'gen') or '0') ~= gen or not redis.call('HGET', KEYS[2], 'count') then
  return {'empty'}
end

local now = nowMs()
local limits = parseLimits(ARGV[3])
local freeAt = budgetFreeAt(KEYS[1], limits, now)
if freeAt > now then
  return {'wait', freeAt, now}
end
-- The member is digestMember(gen) of send-budget.ts.
takeBudgetSlot(KEYS[1], limits, now, 'digest:' .. gen)

local d = redis.call('HGETALL', KEYS[2])
local fields = {}
local items = {}
for i = 1, #d, 2 do
  fields[d[i]] = d[i + 1]
  if string.sub(d[i], 1, 2) == 'm:' and string.sub(d[i + 1], 1, 1) == '{' then items[#items + 1] = d[i + 1] end
end
snap = cjson.encode({ items = items,
  gen = tonumber(gen), count = tonumber(fields.count), firing = tonumber(fields.firing or '0'),
  resolved = tonumber(fields.resolved or '0'),
  latest = fields.latest or '{}', rank = tonumber(fields.rank or '255'),
  firstAt = tonumber(fields.firstAt or now), by = ARGV[2], at = now,
})
-- Start the next generation empty; keep this snapshot and the previous one for re-runs.
for name, _ in pairs(fields) do
  local old = string.match(name, '^snap:(%d+)$')
  if string.sub(name, 1, 2) == 'm:' or (old and tonumber(old) < tonumber(gen) - 1)
      or name == 'count' or name == 'firing' or name == 'resolved' or name == 'latest' or name == 'rank' or name == 'firstAt' then
    redis.call('HDEL', KEYS[2], name)
  end
end
redis.call('HSET', KEYS[2], snapField, snap, 'gen', tostring(tonumber(gen) + 1))
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
return {'flush', snap}
