--[[
  A task's shared part (queue/shared-part.ts): payload fields that several tasks of one webhook
  delivery have in common (its alerts, above all), stored once in a HASH
  {v = the value, refs, until} under the deployment's hash tag, and named by each task hash's
  `part` field. It lives exactly as long as the last task hash that names it:

    refs   how many task hashes naming it have no expiry (pending, delayed, active, or dead
           letters kept for good)
    until  the latest expiry (ms, Redis clock) given to a task hash naming it

  While refs > 0 the part has no expiry; when refs drops to 0 it expires at `until`, so never
  before a task (a completed one kept for the API, a dead letter kept for replay) that names
  it. refs changes exactly when a task hash gains an expiry (ack, dead letter: releasePart) or
  loses one (creation, replay: holdPart), in the same script, so no crash can leave the count
  wrong. A script that deletes a task hash must releasePart(taskKey, now) first.
]]
--@include "includes/now-ms.lua"

-- A new or revived task hash names `part`: the part keeps no expiry while it does. Only the
-- first holder can find an expiry to remove (while refs > 0 the part has none), so the others
-- skip the PERSIST; a count at or below 0 before (it never should be) persists it all the same.
local function holdPart(part)
  -- '1' as text: Redis formats a Lua number argument with %.17g.
  if redis.call('HINCRBY', part, 'refs', '1') <= 1 then redis.call('PERSIST', part) end
end

-- A task hash naming `part` was just given the expiry expiresAt (ms): the part follows it, a
-- second later (PEXPIRE counts from the script's frozen clock, expiresAt from TIME: they can
-- differ by a millisecond or so).
local function releaseNamedPart(part, expiresAt)
  expiresAt = expiresAt + 1000
  local refs = redis.call('HINCRBY', part, 'refs', '-1')
  local untilMs = tonumber(redis.call('HGET', part, 'until') or '0')
  if expiresAt > untilMs then
    untilMs = expiresAt
    redis.call('HSET', part, 'until', string.format('%.0f', untilMs))
  end
  -- PEXPIRE, relative to the same clock: the ACL (redis/acl-rules.ts) grants no PEXPIREAT.
  if refs <= 0 then redis.call('PEXPIRE', part, string.format('%.0f', math.max(1, untilMs - nowMs()))) end
end

-- The same, reading which part the task hash names (nothing to do when it names none).
local function releasePart(taskKey, expiresAt)
  local part = redis.call('HGET', taskKey, 'part')
  if part then releaseNamedPart(part, expiresAt) end
end

-- A task hash that had an expiry is made permanent again (replay): it names its part again.
local function reviveTask(taskKey)
  if redis.call('PTTL', taskKey) < 0 then return end
  redis.call('PERSIST', taskKey)
  local part = redis.call('HGET', taskKey, 'part')
  if part then holdPart(part) end
end
