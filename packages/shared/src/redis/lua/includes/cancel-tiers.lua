--[[
  Cancels every escalation tier of an alert that has not fired (scheduled, or claimed and
  firing): marks it cancelled in esc:a:<fp> and deletes its handling task while it is still
  delayed (one claimed meanwhile finds the tier cancelled and settles as suppressed).
  q is handlingQueue() of includes/handling-task.lua. Returns the cancelled tier ids.
]]
local function cancelTiers(esc, q)
  local fields = redis.call('HGETALL', esc)
  local cancelled = {}
  for j = 1, #fields, 2 do
    local f, v = fields[j], fields[j + 1]
    if string.sub(f, 1, 2) == 's:' and (v == 'scheduled' or v == 'firing') then
      local tier = string.sub(f, 3)
      redis.call('HSET', esc, f, 'cancelled')
      local id = redis.call('HGET', esc, 't:' .. tier)
      if id and redis.call('HGET', q.base .. 'task:' .. id, 'status') == 'delayed' then
        redis.call('ZREM', q.delayed, id)
        redis.call('DEL', q.base .. 'task:' .. id)
      end
      cancelled[#cancelled + 1] = tier
    end
  end
  return cancelled
end
