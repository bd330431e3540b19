--@include "includes/escalation-member.lua"
--[[
  Cancels every escalation tier of an alert that has not fired (scheduled, or claimed and
  firing): marks it cancelled in esc:a:<fp> and takes it out of esc:due and esc:inflight.
  Returns the cancelled tier ids.
]]
local function cancelTiers(esc, fp, dueKey, inflightKey)
  local fields = redis.call('HGETALL', esc)
  local cancelled = {}
  for j = 1, #fields, 2 do
    local f, v = fields[j], fields[j + 1]
    if string.sub(f, 1, 2) == 's:' and (v == 'scheduled' or v == 'firing') then
      local tier = string.sub(f, 3)
      local member = escalationMember(fp, tier)
      redis.call('HSET', esc, f, 'cancelled')
      redis.call('ZREM', dueKey, member)
      redis.call('ZREM', inflightKey, member)
      cancelled[#cancelled + 1] = tier
    end
  end
  return cancelled
end
