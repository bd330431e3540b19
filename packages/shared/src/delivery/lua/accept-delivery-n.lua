--[[
  Accepts one webhook delivery atomically: each channel's enqueue (idempotency check +
  task), then the alert records with a `task-created` event per task, then the handling step
  (escalations, acks). Each part is the very script that does it alone, called as a function
  (see --@function in redis/read-script.ts), so this adds no second copy of their logic. One
  script, one round trip, and no moment where a task exists without the records that say so.

  Each sub-script gets its own KEYS (5 each: the file names say so) and its own ARGV slice,
  prefixed by its length, exactly as TS built it for that script; this script only hands the
  tasks the enqueues made to the upsert, as its first ARGV (a Lua table, which the upsert takes
  as readily as the JSON text its callers from TS send).

  KEYS: 5 per channel (enqueue-5), then 5 (upsert-alerts-5), then 5 (handle-delivery-5) when
  there is a handling step.

  ARGV[1] number of channels, then per channel: n, enqueue-5's n ARGV;
  then n, upsert-alerts-5's ARGV from its second on (the first, its tasks, is made here);
  then n, handle-delivery-5's n ARGV (n = 0: no handling step);
  then the key and the value of the shared part the enqueues name ("" = none): written here,
  once, when an enqueue created a task (and so counted its reference to it), never for duplicates.

  Returns per channel: task id, duplicate (1/0)
]]
--@function enqueue = ../../queue/lua/enqueue-5.lua
--@function upsertAlerts = ../../alerts/lua/upsert-alerts-5.lua
--@function handleDelivery = ../../handling/lua/handle-delivery-5.lua

-- unpack() puts its values on Lua's C stack, which holds ~8,000: a longer slice goes in parts.
local UNPACK_MAX = 4000
local nextArg, nextKey = 2, 1
-- The next sub-script's KEYS (5) and its ARGV slice, with room for `lead` (0 or 1) values before
-- it. The slice is one table constructor, sized once: filled value by value, a table regrows at
-- every power of two (~50k instructions for the upsert's ~90 values, more than its HSETs).
local function call(lead)
  local keys = { KEYS[nextKey], KEYS[nextKey + 1], KEYS[nextKey + 2], KEYS[nextKey + 3], KEYS[nextKey + 4] }
  local n = tonumber(ARGV[nextArg])
  local first, last = nextArg + 1, nextArg + n
  local head = math.min(last, first + UNPACK_MAX - 1)
  local args = lead == 1 and { false, unpack(ARGV, first, head) } or { unpack(ARGV, first, head) }
  for j = head + 1, last do args[lead + j - nextArg] = ARGV[j] end
  nextKey, nextArg = nextKey + 5, last + 1
  return keys, args, n
end

local reply, tasks, created = {}, {}, false
for c = 1, tonumber(ARGV[1]) do
  local keys, args = call(0)
  local r = enqueue(keys, args)
  reply[#reply + 1] = r[1]
  reply[#reply + 1] = r[2]
  created = created or r[2] == 0
  -- channel (the queue name, enqueue-5's ARGV[7]), task id, duplicate: each a task-created event.
  tasks[#tasks + 1] = { args[7], r[1], r[2] }
end

local upsertKeys, upsertArgs = call(1)
upsertArgs[1] = tasks
upsertAlerts(upsertKeys, upsertArgs)

local handlingKeys, handlingArgs, n = call(0)
if n > 0 then handleDelivery(handlingKeys, handlingArgs) end

local part, partValue = ARGV[nextArg], ARGV[nextArg + 1]
if part ~= '' and created then redis.call('HSET', part, 'v', partValue) end
return reply
