--[[
  The one clock of every script: Redis' own (TIME), so replicas with drifting clocks agree.
  Returns ms since the epoch.
]]
local function nowMs()
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000)
end
