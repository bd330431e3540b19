--[[
  Accepts one delivery atomically: each channel's enqueue (idempotency check + task),
  then the alert records with a `task-created` event per task, then the handling step
  (escalations, acks). Each part is the very script that does it alone, called as a
  function (see --@function in redis/lua-scripts.ts), so this adds no second copy of
  their logic. One script, one round trip, and no moment where a task exists without
  the records that say so.

  KEYS: 5 per channel (enqueue-5), then 5 (upsert-alerts-5), then 5 (handle-delivery-5)
  when there is a handling step.

  ARGV[1] number of channels, ARGV[2] handling step (1/0),
  ARGV[3] the delivery's alerts JSON, shared by the payloads that carry all of them,
  then per channel 10 values: enqueue-5's 9 ARGV, and 1 when its payload (ARGV 3) is a head
  that the alerts JSON and a closing brace complete, else 0;
  then n = number of upsert-alerts-5 ARGV, and those n (with no tasks: they are filled in
  here, once the task ids are known); then handle-delivery-5's ARGV, if any.

  Returns per channel: task id, duplicate (1/0)
]]
--@function enqueue = ../../queue/lua/enqueue-5.lua
--@function upsertAlerts = ../../alerts/lua/upsert-alerts-5.lua
--@function handleDelivery = ../../handling/lua/handle-delivery-5.lua

local nChannels = tonumber(ARGV[1])
local alertsJson = ARGV[3]
local reply, tasks = {}, {}
local at = 4

for c = 0, nChannels - 1 do
  local keys = { KEYS[c * 5 + 1], KEYS[c * 5 + 2], KEYS[c * 5 + 3], KEYS[c * 5 + 4], KEYS[c * 5 + 5] }
  local args = {}
  for j = 0, 8 do args[j + 1] = ARGV[at + j] end
  if ARGV[at + 9] == '1' then args[3] = args[3] .. alertsJson .. '}' end
  at = at + 10
  local r = enqueue(keys, args)
  reply[#reply + 1] = r[1]
  reply[#reply + 1] = r[2]
  -- channel (the queue name), task id, duplicate: upsert-alerts-5 makes the task-created events.
  tasks[#tasks + 1] = args[7]
  tasks[#tasks + 1] = r[1]
  tasks[#tasks + 1] = tostring(r[2])
end

-- upsert-alerts-5 ARGV: 11 fixed values, the number of tasks and 3 values per task, then the alerts.
local n = tonumber(ARGV[at])
local first, last = at + 1, at + n
local upsertArgs = {}
for j = first, first + 10 do upsertArgs[#upsertArgs + 1] = ARGV[j] end
upsertArgs[#upsertArgs + 1] = #tasks / 3
for _, v in ipairs(tasks) do upsertArgs[#upsertArgs + 1] = v end
for j = first + 12 + 3 * tonumber(ARGV[first + 11]), last do upsertArgs[#upsertArgs + 1] = ARGV[j] end
local k = nChannels * 5
upsertAlerts({ KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5] }, upsertArgs)

if ARGV[2] == '1' then
  local handlingArgs = {}
  for j = last + 1, #ARGV do handlingArgs[#handlingArgs + 1] = ARGV[j] end
  handleDelivery({ KEYS[k + 6], KEYS[k + 7], KEYS[k + 8], KEYS[k + 9], KEYS[k + 10] }, handlingArgs)
end
return reply
