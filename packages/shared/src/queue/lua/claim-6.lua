--[[
  Claims the most urgent task: promotes due delayed tasks, reclaims expired leases,
  pops the best pending task and locks it with SET NX PX holding a fresh fencing token.

  KEYS[1] pending  KEYS[2] delayed  KEYS[3] leases  KEYS[4] marker
  KEYS[5] fence (counter of tokens)  KEYS[6] dead

  ARGV[1] key base ("{p:q}:"), ARGV[2] lease ms, ARGV[3] worker id,
  ARGV[4] dead retention ms (0 = keep)

  Returns {1, id, token, field, value, ...} (the task hash) when a task was claimed,
  or {0, nextWakeMs, nowMs} where nextWakeMs is the earliest delayed due time or lease
  deadline (-1 when there is none) and nowMs is Redis' clock, so callers need not trust theirs.
]]
local base = ARGV[1]
local leaseMs = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)

-- Due delayed tasks go back to pending with their original score (severity + arrival).
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[2], id)
  local taskKey = base .. 'task:' .. id
  local score = redis.call('HGET', taskKey, 'score')
  if score then
    redis.call('ZADD', KEYS[1], score, id)
    redis.call('HSET', taskKey, 'status', 'pending', 'updatedAt', now)
  end
end

-- A lease past its deadline whose lock is gone means the worker died: at-least-once.
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(expired) do
  if redis.call('EXISTS', base .. 'lock:' .. id) == 0 then
    redis.call('ZREM', KEYS[3], id)
    local taskKey = base .. 'task:' .. id
    local task = redis.call('HMGET', taskKey, 'score', 'attempts', 'maxAttempts')
    if task[1] then
      redis.call('HINCRBY', taskKey, 'stalls', 1)
      if tonumber(task[2]) >= tonumber(task[3]) then
        redis.call('HSET', taskKey, 'status', 'dead', 'lastError', 'lease expired on the last attempt',
          'finishedAt', now, 'updatedAt', now)
        redis.call('ZADD', KEYS[6], now, id)
        if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', taskKey, ARGV[4]) end
      else
        redis.call('HSET', taskKey, 'status', 'pending', 'lastError', 'lease expired (worker lost)', 'updatedAt', now)
        redis.call('ZADD', KEYS[1], task[1], id)
      end
    end
  end
end

while true do
  local popped = redis.call('ZPOPMIN', KEYS[1])
  if #popped == 0 then break end
  local id = popped[1]
  local taskKey = base .. 'task:' .. id
  if redis.call('EXISTS', taskKey) == 1 then
    local token = tostring(redis.call('INCR', KEYS[5]))
    if redis.call('SET', base .. 'lock:' .. id, token, 'NX', 'PX', leaseMs) then
      redis.call('HINCRBY', taskKey, 'attempts', 1)
      redis.call('HSET', taskKey, 'status', 'active', 'token', token, 'owner', ARGV[3],
        'claimedAt', now, 'updatedAt', now)
      redis.call('ZADD', KEYS[3], now + leaseMs, id)
      -- Chain the wake-up: another idle worker takes the next task at once.
      if redis.call('ZCARD', KEYS[1]) > 0 then redis.call('ZADD', KEYS[4], 0, '0') end
      local reply = {1, id, token}
      local fields = redis.call('HGETALL', taskKey)
      for i = 1, #fields do reply[#reply + 1] = fields[i] end
      return reply
    end
  end
end

local nextWake = -1
local d = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #d > 0 then nextWake = tonumber(d[2]) end
local l = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if #l > 0 and (nextWake < 0 or tonumber(l[2]) < nextWake) then nextWake = tonumber(l[2]) end
return {0, nextWake, now}
