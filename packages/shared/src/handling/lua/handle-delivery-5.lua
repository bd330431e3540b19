--[[
  The handling step of one delivery, run right after the record upsert (same pipeline, so
  the records already say what this delivery made of each alert):
  - a firing alert (the record firing with this startsAt) gets the escalation tiers its
    routes ask for, each at most once per firing (HSETNX, and the task's idempotency key per
    alert, firing and tier), each a task of its channel (an SMS, or a chat robot's message) due
    after the tier's delay (Redis' clock) that checks at claim time that the alert still fires
    unacked; an ack from an earlier firing is
    ended; a suppressed reminder gets one `suppressed-acked` event per delivery;
  - a resolved alert ends its ack (its silence gets an expire-silence handling task) and
    cancels the tiers that have not fired.
  Publishes "ack:<version>" when acks changed.

  KEYS[1] ack:all  KEYS[2] ack:ver  KEYS[3] handling seq  KEYS[4] handling pending
  KEYS[5] handling delayed

  ARGV[1] key base ("{p}:alerts:"), ARGV[2] handling queue base ("{p}:handling:"),
  ARGV[3] the delivery's receivedAt (ISO: when ingest took the webhook delivery, the time its
  events carry, as its task payloads do), ARGV[4] max timeline, ARGV[5] delivery key, ARGV[6] dedup window ms,
  ARGV[7] pub/sub channel, ARGV[8] TTL of esc:a:<fp> and of a tier's idempotency key ms,
  ARGV[9] handling task max attempts, ARGV[10] queue key prefix ("{p}:"; a tier's queue is it +
  channel + ":"), ARGV[11] a tier task's max attempts, ARGV[12] rank base (RANK_BASE),
  then per alert: fingerprint, status, startsAt, suppressed (1/0), n tiers, then n times:
  tier id, channel (sms | chat), delay ms, severity rank, idempotency key, tier JSON (dueAt is
  added here, from Redis' clock like the task's own due time), task payload JSON

  Returns {acks changed (1/0), escalations scheduled}
]]
--@include "includes/now-iso.lua"
--@include "includes/timeline.lua"
--@include "includes/handling-task.lua"
--@include "includes/cancel-tiers.lua"
--@include "includes/bump-ack-version.lua"
local base = ARGV[1]
local queue = queueKeys(ARGV[2])
queue.seq, queue.pending, queue.delayed = KEYS[3], KEYS[4], KEYS[5]
local queuePrefix = ARGV[10]
local sms = queueKeys(queuePrefix .. 'sms:')
local tierMaxAttempts, rankBase = ARGV[11], tonumber(ARGV[12])
local maxAttempts = ARGV[9]
local nowIso = ARGV[3]
local maxTimeline = tonumber(ARGV[4])
local delivery = ARGV[5]
-- PX must be positive; a zero dedup window means every delivery counts.
local window = math.max(tonumber(ARGV[6]), 1)
local escTtl = tonumber(ARGV[8])
local ackChanged = false
local scheduledCount = 0

local function append(fp, event)
  appendTimeline(base .. 'a:' .. fp, base .. 'tl:' .. fp, maxTimeline, event)
end

-- Cancels every tier of fp that has not fired; returns their ids.
local function cancelTiersOf(fp)
  return cancelTiers(base .. 'esc:a:' .. fp, sms)
end

-- Enqueues a tier's task on its channel's queue (idempotent per alert, firing and tier);
-- returns its queue and {task id, duplicate (0|1)}.
local function enqueueTier(channel, delay, rank, dedupKey, payload)
  local q = queueKeys(queuePrefix .. channel .. ':')
  q.dedup = q.base .. 'dedup:' .. dedupKey
  return q, enqueueTask(q, { name = channel, rank = rank, rankBase = rankBase, payload = payload, maxAttempts = tierMaxAttempts,
    dedupTtl = escTtl, delay = delay, dedupKey = dedupKey })
end

local function endAck(fp, ack, reason)
  redis.call('HDEL', KEYS[1], fp)
  redis.call('HDEL', base .. 'a:' .. fp, 'ack')
  ackChanged = true
  local event = { at = nowIso, type = 'ack-ended', by = 'system', reason = reason, ackedBy = ack.by }
  if type(ack.silence) == 'table' and ack.silence.id then
    enqueueHandlingTask(queue, { kind = 'expire-silence', silenceId = ack.silence.id }, 0, maxAttempts)
    event.silenceId = ack.silence.id
  end
  append(fp, cjson.encode(event))
end

local i = 13
while i <= #ARGV do
  local fp, status, startsAt, suppressed, n = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4])
  local tiers = i + 5
  i = tiers + 7 * n
  local rec = base .. 'a:' .. fp
  local cur = redis.call('HMGET', rec, 'status', 'startsAt')
  local ackJson = redis.call('HGET', KEYS[1], fp)
  local ack = ackJson and cjson.decode(ackJson) or nil

  if status == 'firing' and cur[1] == 'firing' and cur[2] == startsAt then
    if ack and ack.startsAt ~= startsAt then
      -- Fired again after a resolve nobody told us about (a silenced alert's resolve is not sent).
      endAck(fp, ack, 'fired again')
      ack = nil
    end
    if suppressed == '1' and ack then
      if redis.call('SET', base .. 'sup:' .. fp .. ':' .. delivery, '1', 'NX', 'PX', window) then
        append(fp, cjson.encode({ at = nowIso, type = 'suppressed-acked', deliveryKey = delivery, ackedBy = ack.by, ackedAt = ack.at }))
      end
    end
    if n > 0 then
      local esc = base .. 'esc:a:' .. fp
      local epoch = redis.call('HGET', esc, 'startsAt')
      if epoch ~= startsAt then
        if epoch then
          cancelTiersOf(fp)
          redis.call('DEL', esc)
        end
        redis.call('HSET', esc, 'startsAt', startsAt)
      end
      local scheduled = {}
      for t = tiers, tiers + 7 * (n - 1), 7 do
        local tier, channel, data = ARGV[t], ARGV[t + 1], ARGV[t + 5]
        if redis.call('HSETNX', esc, 's:' .. tier, ack and 'cancelled' or 'scheduled') == 1 then
          if not ack then
            local delay = tonumber(ARGV[t + 2])
            local q, task = enqueueTier(channel, delay, tonumber(ARGV[t + 3]), ARGV[t + 4], ARGV[t + 6])
            -- The tier JSON is an object: its due time goes in before the closing brace.
            data = string.sub(data, 1, -2) .. ',"dueAt":' .. cjson.encode(isoFromMs(nowMs() + delay)) .. '}'
            redis.call('HSET', esc, 't:' .. tier, task[1])
            -- A tier off the SMS queue says which queue it waits on, for cancelTiers.
            if q.base ~= sms.base then redis.call('HSET', esc, 'q:' .. tier, q.base) end
            if task[2] == 0 then scheduled[#scheduled + 1] = data end
          end
          redis.call('HSET', esc, 'd:' .. tier, data)
        end
      end
      redis.call('PEXPIRE', esc, escTtl)
      if #scheduled > 0 then
        append(fp, '{"at":' .. cjson.encode(nowIso) .. ',"type":"escalation-scheduled","tiers":[' .. table.concat(scheduled, ',') .. ']}')
        scheduledCount = scheduledCount + #scheduled
      end
    end
  elseif status == 'resolved' and cur[1] == 'resolved' then
    if ack then endAck(fp, ack, 'resolved') end
    local cancelled = cancelTiersOf(fp)
    if #cancelled > 0 then
      append(fp, cjson.encode({ at = nowIso, type = 'escalation-cancelled', by = 'system', reason = 'resolved', tiers = cancelled }))
    end
  end
end

if ackChanged then bumpAckVersion(KEYS[2], ARGV[7]) end
return { ackChanged and 1 or 0, scheduledCount }
