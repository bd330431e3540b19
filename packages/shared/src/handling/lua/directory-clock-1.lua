--[[
  The directory's version and Redis' clock, read at one instant: what a notifier needs before
  resolving a task's send-time targets (it reads the document only when the version moved).

  KEYS[1] the directory's ver key

  Returns {version (0 = none stored), now ms}
]]
--@include "includes/now-ms.lua"
return { tonumber(redis.call('GET', KEYS[1]) or '0'), nowMs() }
