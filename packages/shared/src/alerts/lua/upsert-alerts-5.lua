--[[
  Upserts the records of every alert in one delivery, their indexes and timelines, and
  sweeps expired resolved records out of the indexes. Idempotent per delivery: a repeat
  of the same delivery (Alertmanager retry, HA twin) refreshes lastSeen but appends no
  second set of timeline events.

  Written for the common case, an alert seen again in the same state: then it costs three
  calls (HMGET, HSET, RPUSH). Index scores are the first-seen time, so they only change
  when an alert appears, changes status or disappears.

  Severity indexes are bounded: at most ARGV[12] distinct severities get an index; a record
  whose severity would be one more goes to idx:severity-overflow instead (readers then find
  severities by reading records). A record's one index entry is found through its stored
  severity — never by looping over every severity — and an index that empties is dropped.

  KEYS[1] idx:all               ZSET fingerprint -> first seen ms
  KEYS[2] idx:expiry            ZSET fingerprint -> expiry ms (resolved records)
  KEYS[3] idx:severities        SET  severity values that have an index (at most ARGV[12])
  KEYS[4] idx:severity-overflow ZSET fingerprint -> first seen ms, records with no severity index
  KEYS[5] idx:expiry-severity   HASH fingerprint -> severity of a resolved record (for the sweep)

  ARGV[1] the tasks the delivery created or found, JSON: a list of [channel, task id, duplicate (1/0)]:
  each becomes a `task-created` event (accept-delivery-n.lua, which calls this script as a
  function, makes it from its enqueues and passes it as that list itself, a Lua table: no JSON),
  ARGV[2] key base ("{p}:alerts:"), ARGV[3] now ms, ARGV[4] now ISO,
  ARGV[5] retention ms for resolved records, ARGV[6] max timeline entries,
  ARGV[7] delivery key, ARGV[8] receiver, ARGV[9] groupKey,
  ARGV[10] / ARGV[11] the `received` event JSON for a firing / a resolved alert,
  ARGV[12] most distinct severities indexed,
  then 8 values per alert: fingerprint, status, severity, labels JSON, annotations JSON,
  startsAt, endsAt, generatorURL

  Returns {alerts upserted, expired records swept}
]]
--@include "includes/timeline.lua"
-- A local, not the global: ~40 calls per 10-alert delivery, each a global and a field lookup less.
local rcall = redis.call
local base = ARGV[2]
local now = tonumber(ARGV[3])
local nowIso = ARGV[4]
local retention = tonumber(ARGV[5])
local maxTimeline = tonumber(ARGV[6])
local delivery = ARGV[7]
local received = { firing = ARGV[10], resolved = ARGV[11] }
local maxSeverities = tonumber(ARGV[12])
local first = 13
-- Every alert of the delivery gets the same task-created events. The duplicate flag is 1 or 0,
-- a number (as the accept script or cjson gives it) or text: compared as both, since turning a
-- number into text costs an sprintf.
local shared = {}
local atJson = cjson.encode(nowIso)
for _, t in ipairs(type(ARGV[1]) == 'table' and ARGV[1] or cjson.decode(ARGV[1])) do
  shared[#shared + 1] = '{"at":' .. atJson .. ',"type":"task-created","channel":' .. cjson.encode(t[1]) ..
    ',"taskId":' .. cjson.encode(tostring(t[2])) .. ',"duplicate":' .. ((t[3] == 1 or t[3] == '1') and 'true' or 'false') .. '}'
end

local function severityIndex(sev)
  return base .. 'idx:severity:' .. sev
end

-- Puts fp in its severity's index, or in the overflow when maxSeverities others have one.
local function indexSeverity(fp, sev, score)
  if sev == '' then return end
  if rcall('SISMEMBER', KEYS[3], sev) == 0 then
    if rcall('SCARD', KEYS[3]) >= maxSeverities then
      -- The script before this bound never left the set: one member looked at per overflow
      -- (constant cost) gives its place up if its index is gone, so such a set heals.
      local other = rcall('SRANDMEMBER', KEYS[3])
      if rcall('EXISTS', severityIndex(other)) == 1 then
        rcall('ZADD', KEYS[4], score, fp)
        return
      end
      rcall('SREM', KEYS[3], other)
    end
    rcall('SADD', KEYS[3], sev)
  end
  rcall('ZADD', severityIndex(sev), score, fp)
end

-- Takes fp out of severity sev's index (dropping the index if that empties it) and the overflow.
local function unindexSeverity(fp, sev)
  rcall('ZREM', KEYS[4], fp)
  if not sev or sev == '' then return end
  local idx = severityIndex(sev)
  if rcall('ZREM', idx, fp) == 1 and rcall('EXISTS', idx) == 0 then rcall('SREM', KEYS[3], sev) end
end

-- Removes every index entry of a resolved record (its keys are the caller's business).
local function unindex(fp)
  -- A record resolved before idx:expiry-severity existed still has its severity, unless expired.
  unindexSeverity(fp, rcall('HGET', KEYS[5], fp) or rcall('HGET', base .. 'a:' .. fp, 'severity'))
  rcall('HDEL', KEYS[5], fp)
  rcall('ZREM', KEYS[1], fp)
  rcall('ZREM', base .. 'idx:status:firing', fp)
  rcall('ZREM', base .. 'idx:status:resolved', fp)
  rcall('ZREM', KEYS[2], fp)
end

-- Sweep first, so a record resolved long ago and firing again now is not swept after its upsert.
-- Numbers go to redis.call as text (ARGV[3] is now): Redis would format each with %.17g.
local due = rcall('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3], 'LIMIT', '0', '100')
for _, fp in ipairs(due) do
  unindex(fp)
  rcall('DEL', base .. 'a:' .. fp, base .. 'tl:' .. fp)
end

local count = 0
for i = first, #ARGV, 8 do
  local fp, status, severity = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local startsAt = ARGV[i + 5]
  local event = received[status]
  local rec = base .. 'a:' .. fp
  local tl = base .. 'tl:' .. fp
  local cur = rcall('HMGET', rec, 'status', 'startsAt', 'severity', 'lastDelivery')
  local isNew = not cur[1]
  -- The severity the record holds after this upsert (a stale firing keeps the stored one).
  local stored = severity

  -- A late "firing" for the same startsAt after we recorded its resolution is stale
  -- (HA twin or a retry overtaken by the resolve); a new firing has a new startsAt.
  if cur[1] == 'resolved' and status == 'firing' and cur[2] == startsAt then
    status = 'resolved'
    stored = cur[3] or ''
    rcall('HSET', rec, 'lastSeen', nowIso, 'receiver', ARGV[8], 'groupKey', ARGV[9], 'lastDelivery', delivery)
  elseif cur[1] == status and cur[2] == startsAt and cur[3] == severity then
    -- Seen again as it was (the common case): its fingerprint, status, severity and startsAt
    -- already hold these values, so only the fields that can change are written (each field
    -- costs an HSET about as much as reading it would).
    rcall('HSET', rec,
      'labels', ARGV[i + 3], 'annotations', ARGV[i + 4], 'endsAt', ARGV[i + 6], 'generatorURL', ARGV[i + 7],
      'receiver', ARGV[8], 'groupKey', ARGV[9], 'lastSeen', nowIso, 'lastDelivery', delivery)
  else
    rcall('HSET', rec,
      'fingerprint', fp, 'status', status, 'severity', severity,
      'labels', ARGV[i + 3], 'annotations', ARGV[i + 4],
      'startsAt', startsAt, 'endsAt', ARGV[i + 6], 'generatorURL', ARGV[i + 7],
      'receiver', ARGV[8], 'groupKey', ARGV[9], 'lastSeen', nowIso, 'lastDelivery', delivery)
  end

  if isNew then
    -- Redis expired the resolved hash before the sweep got to it (100 per call, clocks of other
    -- replicas): drop its old entries now, or the sweep would later delete this new record.
    if rcall('ZSCORE', KEYS[2], fp) then unindex(fp) end
    rcall('HSET', rec, 'firstSeen', nowIso)
    rcall('ZADD', KEYS[1], now, fp)
    rcall('ZADD', base .. 'idx:status:' .. status, now, fp)
    indexSeverity(fp, stored, now)
  elseif cur[1] ~= status then
    local score = rcall('ZSCORE', KEYS[1], fp) or now
    rcall('ZREM', base .. 'idx:status:' .. cur[1], fp)
    rcall('ZADD', base .. 'idx:status:' .. status, score, fp)
  end
  -- Fingerprints hash all labels, so only a record written before a relabel can get here.
  if not isNew and cur[3] ~= stored then
    unindexSeverity(fp, cur[3])
    indexSeverity(fp, stored, rcall('ZSCORE', KEYS[1], fp) or now)
  end

  if cur[4] ~= delivery then
    pushTimeline(tl, maxTimeline, event, unpack(shared))
  end

  if status == 'resolved' then
    rcall('PEXPIRE', rec, retention)
    rcall('PEXPIRE', tl, retention)
    rcall('ZADD', KEYS[2], now + retention, fp)
    if stored ~= '' then rcall('HSET', KEYS[5], fp, stored) end
  elseif cur[1] == 'resolved' then
    rcall('PERSIST', rec)
    rcall('PERSIST', tl)
    rcall('ZREM', KEYS[2], fp)
    rcall('HDEL', KEYS[5], fp)
  elseif isNew then
    -- A notifier's event may have created the timeline first, with a grace TTL: adopt it.
    rcall('PERSIST', tl)
  end
  count = count + 1
end
return {count, #due}
