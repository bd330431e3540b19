--@include "includes/queue-keys.lua"
--[[
  Cancels every escalation tier of an alert that has not fired: marks it cancelled in
  esc:a:<fp> and deletes its SMS task while the task still waits (delayed, or due and pending).
  A task claimed meanwhile finds the tier cancelled at its claim-time check
  (handling/lua/check-escalation-4.lua) and settles as suppressed. A tier that passed its check
  and whose task is no longer waiting or running was sent (or failed for good): it is marked
  fired and not listed. q is the SMS queue's keys (queueKeys() of includes/queue-keys.lua); a
  tier whose task waits on another channel's queue names its key base in q:<tier>.
  Returns the cancelled tier ids.
]]
local function cancelTiers(esc, q)
  local fields = redis.call('HGETALL', esc)
  local cancelled = {}
  for j = 1, #fields, 2 do
    local f, v = fields[j], fields[j + 1]
    if string.sub(f, 1, 2) == 's:' and (v == 'scheduled' or v == 'firing') then
      local tier = string.sub(f, 3)
      local at = redis.call('HMGET', esc, 't:' .. tier, 'q:' .. tier)
      local id, tq = at[1], at[2] and queueKeys(at[2]) or q
      local taskKey = id and (tq.base .. 'task:' .. id)
      local status = taskKey and redis.call('HGET', taskKey, 'status')
      if v == 'firing' and status ~= 'active' and status ~= 'delayed' and status ~= 'pending' then
        redis.call('HSET', esc, f, 'fired')
      else
        redis.call('HSET', esc, f, 'cancelled')
        if status == 'delayed' or status == 'pending' then
          redis.call('ZREM', status == 'delayed' and tq.delayed or tq.pending, id)
          redis.call('DEL', taskKey)
        end
        cancelled[#cancelled + 1] = tier
      end
    end
  end
  return cancelled
end
