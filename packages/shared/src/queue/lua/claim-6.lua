--[[
  Claims up to N of the most urgent tasks: promotes due delayed tasks, reclaims expired
  leases, pops the best pending tasks and locks each with SET NX PX holding a fresh
  fencing token. One call for N tasks, so a worker with N free slots pays one round trip;
  per task it costs 3 commands (HMGET, SET, HSET), the rest is done once per call.

  KEYS[1] pending  KEYS[2] delayed  KEYS[3] leases  KEYS[4] marker
  KEYS[5] fence (counter of tokens)  KEYS[6] dead

  ARGV[1] key base ("{p}:email:"), ARGV[2] lease ms, ARGV[3] worker id,
  ARGV[4] dead retention ms (0 = keep), ARGV[5] most tasks to claim

  Returns {count, nextWakeMs, nowMs, then 7 values per claimed task}, most urgent first, the
  values of a task being numbers, payload, results, lastError, dedupKey, info, part (nil for
  a field the hash lacks). Flat, not one array per task: Redis checks every table of a reply
  for its 7 special fields (err, ok, double, ...), a cost per task that a flat reply pays once.
  `numbers` is one text "id token attempts rank maxAttempts createdAt dueAt finishedAt partKey
  queue" (space-separated, "" for a field the hash lacks; the queue name is the rest of the
  text; the part's key goes back to the ack, which then need not read it),
  because every reply value costs a string to build here and another to parse in Node, and
  these are all short; `part` is the value of the task's shared part, not its key ("" when
  the part is missing; nil when the task names none). When fewer than asked were claimed,
  nextWakeMs is the earliest delayed due time or lease deadline (-1 when there is none);
  nowMs is Redis' clock, so callers need not trust theirs.
]]
--@include "includes/now-ms.lua"
--@include "includes/in-slices.lua"
--@include "includes/task-part.lua"
local base = ARGV[1]
local leaseMs = tonumber(ARGV[2])
local now = nowMs()
-- Numbers go to redis.call as text made once per call, not once per task: Redis 7.0 formats
-- every Lua number argument with snprintf("%.17g"), a large share of this script's time.
local nowText = string.format('%d', now)
local deadline = string.format('%d', now + leaseMs)

-- Due delayed tasks go back to pending with their original score (severity + arrival).
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[2], id)
  local taskKey = base .. 'task:' .. id
  local score = redis.call('HGET', taskKey, 'score')
  if score then
    redis.call('ZADD', KEYS[1], score, id)
    redis.call('HSET', taskKey, 'status', 'pending', 'updatedAt', nowText)
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
        if tonumber(ARGV[4]) > 0 then
          redis.call('PEXPIRE', taskKey, ARGV[4])
          releasePart(taskKey, now + tonumber(ARGV[4]))
        end
      else
        redis.call('HSET', taskKey, 'status', 'pending', 'lastError', 'lease expired (worker lost)', 'updatedAt', now)
        redis.call('ZADD', KEYS[1], task[1], id)
      end
    end
  end
end

local max = tonumber(ARGV[5])

local reply = {0, -1, now}
local leases = {}
while reply[1] < max do
  local popped = redis.call('ZPOPMIN', KEYS[1], max - reply[1])
  if #popped == 0 then break end
  -- One INCRBY reserves a token per popped id; tokens of ids that fail below are skipped.
  local token = redis.call('INCRBY', KEYS[5], #popped / 2) - #popped / 2
  for i = 1, #popped, 2 do
    local id = popped[i]
    token = token + 1
    local taskKey = base .. 'task:' .. id
    local v = redis.call('HMGET', taskKey, 'id', 'attempts', 'rank', 'maxAttempts', 'createdAt', 'dueAt', 'finishedAt',
      'queue', 'payload', 'results', 'lastError', 'dedupKey', 'info', 'part')
    -- No hash (expired or deleted): the id is dropped, as nothing could be sent for it.
    local tokenText = string.format('%d', token)
    if v[1] and redis.call('SET', base .. 'lock:' .. id, tokenText, 'NX', 'PX', ARGV[2]) then
      local attempts = string.format('%d', tonumber(v[2]) + 1)
      -- The shared part comes with the task, in this round trip ("" when it is gone).
      local part = v[14] and (redis.call('HGET', v[14], 'v') or '')
      redis.call('HSET', taskKey, 'attempts', attempts, 'status', 'active', 'token', tokenText, 'owner', ARGV[3],
        'claimedAt', nowText, 'updatedAt', nowText)
      -- One concatenation (a chain of .. is one VM step); HMGET's nil (a missing field) is false.
      local numbers = id .. ' ' .. tokenText .. ' ' .. attempts .. ' ' .. (v[3] or '') .. ' ' .. (v[4] or '') .. ' ' ..
        (v[5] or '') .. ' ' .. (v[6] or '') .. ' ' .. (v[7] or '') .. ' ' .. (v[14] or '') .. ' ' .. (v[8] or '')
      reply[1] = reply[1] + 1
      -- false, not nil, for a missing field: a nil would end the reply there (it becomes a nil reply).
      local n = #reply
      reply[n + 1] = numbers
      reply[n + 2] = v[9] or false
      reply[n + 3] = v[10] or false
      reply[n + 4] = v[11] or false
      reply[n + 5] = v[12] or false
      reply[n + 6] = v[13] or false
      reply[n + 7] = part or false
      leases[#leases + 1] = deadline
      leases[#leases + 1] = id
    end
  end
end
zaddInSlices(KEYS[3], leases)

if reply[1] == max then
  -- Chain the wake-up: another idle worker takes the next task at once.
  if redis.call('ZCARD', KEYS[1]) > 0 then redis.call('ZADD', KEYS[4], 0, '0') end
  return reply
end

local nextWake = -1
local d = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #d > 0 then
  nextWake = tonumber(d[2])
else
  -- Nothing pending or delayed: a marker left by an enqueue whose task this call just took
  -- would only wake a worker into an empty claim. Any later enqueue sets it again.
  redis.call('DEL', KEYS[4])
end
local l = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if #l > 0 and (nextWake < 0 or tonumber(l[2]) < nextWake) then nextWake = tonumber(l[2]) end
reply[2] = nextWake
return reply
