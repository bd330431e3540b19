--[[
  The one clock of every script: Redis' own (TIME), so replicas with drifting clocks agree.
  Read once per script run: a script is one atomic step, and Redis itself freezes its clock
  for key expiry while a script runs; a script that enqueues several tasks (an accept of a
  delivery for two channels, its escalation tiers) stamps them all with the same instant
  instead of calling TIME for each.
  Returns ms since the epoch.
]]
local clockMs
local function nowMs()
  if not clockMs then
    local t = redis.call('TIME')
    clockMs = t[1] * 1000 + math.floor(t[2] / 1000)
  end
  return clockMs
end
