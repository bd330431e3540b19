--[[
  Moves dead letters back to pending. Recipients already served keep their result,
  so a replay only sends to those who did not get it.

  KEYS[1] dead  KEYS[2] pending  KEYS[3] marker
  ARGV[1] key base ("{p}:email:"), ARGV[2] max count, ARGV[3..] ids (none = oldest first)

  Returns the number of tasks replayed.
]]
--@include "includes/now-ms.lua"
--@include "includes/task-part.lua"
local base = ARGV[1]
local ids = {}
if #ARGV > 2 then
  for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
else
  ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
end
local now = nowMs()
local final = { delivered = true, ['dry-run'] = true, suppressed = true, merged = true }
local n = 0
for _, id in ipairs(ids) do
  local taskKey = base .. 'task:' .. id
  if redis.call('ZREM', KEYS[1], id) == 1 and redis.call('EXISTS', taskKey) == 1 then
    local ok, results = pcall(cjson.decode, redis.call('HGET', taskKey, 'results') or '{}')
    local kept = {}
    local any = false
    if ok and type(results) == 'table' then
      for addr, r in pairs(results) do
        if type(r) == 'table' and final[r.status] then kept[addr] = r; any = true end
      end
    end
    -- Its shared part outlived it (task-part.lua) and is held again with it.
    reviveTask(taskKey)
    redis.call('HSET', taskKey, 'status', 'pending', 'attempts', 0, 'updatedAt', now,
      'results', any and cjson.encode(kept) or '{}', 'replayedAt', now)
    redis.call('HINCRBY', taskKey, 'replays', 1)
    redis.call('ZADD', KEYS[2], redis.call('HGET', taskKey, 'score'), id)
    n = n + 1
  end
end
if n > 0 then redis.call('ZADD', KEYS[3], 0, '0') end
return n
