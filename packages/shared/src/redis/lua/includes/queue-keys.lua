--[[
  A queue's keys from its key base ("{p}:<queue>:"), named as QueueKeys (queue/keys.ts) names
  them, for scripts that reach a queue other than the one whose keys they were given.
]]
local function queueKeys(base)
  return { base = base, seq = base .. 'seq', pending = base .. 'pending', delayed = base .. 'delayed', marker = base .. 'marker', dedup = false }
end
