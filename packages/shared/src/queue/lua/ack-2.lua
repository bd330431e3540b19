--[[
  Completes tasks, each only for the holder of its lease (fencing token). TaskQueue sends
  the acks of every task that finished in the same tick as one call, so a busy worker
  pays one round trip for many acks.

  KEYS[1] leases  KEYS[2] completed
  ARGV[1] key base ("{p}:email:"), ARGV[2] completed retention ms,
  then 5 values per task: id, token, results JSON, info JSON ("" = none), and the task's
  shared part as its claim read it: the part's key, "-" when the task names none, "" when the
  caller does not know (the script reads it from the task hash). A task's part is written once,
  when the hash is made, and the token check below proves this is the hash that claim read, so
  the claim's answer saves an HGET per task.

  Returns one value per task, in order: 1 when completed, 0 when the token no longer
  holds the lease (another claim took it over; an expired lease nobody took is still held).
]]
--@include "includes/now-ms.lua"
--@include "includes/holds-lease.lua"
--@include "includes/in-slices.lua"
--@include "includes/task-part.lua"
local base = ARGV[1]
local retention = tonumber(ARGV[2])
local now = nowMs()
-- Formatted once per call (Redis 7.0 formats each Lua number argument with "%.17g").
local nowText = string.format('%d', now)
local out = {}
local done = {}
local stamped = {}
for i = 3, #ARGV, 5 do
  local id = ARGV[i]
  local lockKey = base .. 'lock:' .. id
  local taskKey = base .. 'task:' .. id
  if not holdsLease(lockKey, taskKey, ARGV[i + 1]) then
    out[#out + 1] = 0
  else
    redis.call('DEL', lockKey)
    if ARGV[i + 3] ~= '' then
      redis.call('HSET', taskKey, 'status', 'completed', 'results', ARGV[i + 2], 'finishedAt', nowText, 'updatedAt', nowText, 'info', ARGV[i + 3])
    else
      redis.call('HSET', taskKey, 'status', 'completed', 'results', ARGV[i + 2], 'finishedAt', nowText, 'updatedAt', nowText)
    end
    redis.call('PEXPIRE', taskKey, ARGV[2])
    local part = ARGV[i + 4]
    if part == '' then
      releasePart(taskKey, now + retention)
    elseif part ~= '-' then
      releaseNamedPart(part, now + retention)
    end
    done[#done + 1] = id
    stamped[#stamped + 1] = nowText
    stamped[#stamped + 1] = id
    out[#out + 1] = 1
  end
end
-- One ZREM and one ZADD for the whole batch (in slices, for unpack()'s stack limit).
zremInSlices(KEYS[1], done)
zaddInSlices(KEYS[2], stamped)
-- The index forgets what the hashes forgot, so it stays bounded too.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - retention)
return out
