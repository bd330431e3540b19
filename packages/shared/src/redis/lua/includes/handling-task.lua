--@include "includes/enqueue-task.lua"
--[[
  Delayed work of alert handling (an escalation tier, a silence to expire) is a task on the
  channel-less `handling` queue (HandlingKeys.queue; ingest's handling Worker runs it). The
  scripts that schedule it get the queue's key base; its keys follow QueueKeys.
]]

-- The handling queue's keys, from its key base ("{p}:handling:").
local function handlingQueue(base)
  return { base = base, seq = base .. 'seq', pending = base .. 'pending', delayed = base .. 'delayed', marker = base .. 'marker', dedup = false }
end

-- Enqueues a handling task (rank 0, no idempotency key) due in delay ms; returns its id.
local function enqueueHandlingTask(q, payload, delay, maxAttempts)
  return enqueueTask(q, { name = 'handling', rank = 0, rankBase = 0, payload = cjson.encode(payload), maxAttempts = maxAttempts,
    dedupTtl = 0, delay = delay, dedupKey = '' })[1]
end
