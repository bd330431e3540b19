--@include "includes/enqueue-task.lua"
--@include "includes/queue-keys.lua"
--[[
  Delayed work of alert handling (a silence to expire) is a task on the channel-less
  `handling` queue (HandlingKeys.queue; ingest's handling Worker runs it). The scripts that
  schedule it get the queue's key base; its keys follow QueueKeys (queueKeys()).
]]

-- Enqueues a handling task (rank 0, no idempotency key) due in delay ms; returns its id.
local function enqueueHandlingTask(q, payload, delay, maxAttempts)
  return enqueueTask(q, { name = 'handling', rank = 0, rankBase = 0, payload = cjson.encode(payload), maxAttempts = maxAttempts,
    dedupTtl = 0, delay = delay, dedupKey = '' })[1]
end
