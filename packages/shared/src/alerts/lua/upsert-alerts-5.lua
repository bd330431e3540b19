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
local base = ARGV[2]
local now = tonumber(ARGV[3])
local nowIso = ARGV[4]
local retention = tonumber(ARGV[5])
local maxTimeline = tonumber(ARGV[6])
local delivery = ARGV[7]
local received = { firing = ARGV[10], resolved = ARGV[11] }
local maxSeverities = tonumber(ARGV[12])
local first = 13
-- Every alert of the delivery gets the same task-created events.
local shared = {}
for _, t in ipairs(type(ARGV[1]) == 'table' and ARGV[1] or cjson.decode(ARGV[1])) do
  shared[#shared + 1] = '{"at":' .. cjson.encode(nowIso) .. ',"type":"task-created","channel":' .. cjson.encode(t[1]) ..
    ',"taskId":' .. cjson.encode(tostring(t[2])) .. ',"duplicate":' .. (tostring(t[3]) == '1' and 'true' or 'false') .. '}'
end

local function severityIndex(sev)
  return base .. 'idx:severity:' .. sev
end

-- Puts fp in its severity's index, or in the overflow when maxSeverities others have one.
local function indexSeverity(fp, sev, score)
  if sev == '' then return end
  if redis.call('SISMEMBER', KEYS[3], sev) == 0 then
    if redis.call('SCARD', KEYS[3]) >= maxSeverities then
      -- The script before this bound never left the set: one member looked at per overflow
      -- (constant cost) gives its place up if its index is gone, so such a set heals.
      local other = redis.call('SRANDMEMBER', KEYS[3])
      if redis.call('EXISTS', severityIndex(other)) == 1 then
        redis.call('ZADD', KEYS[4], score, fp)
        return
      end
      redis.call('SREM', KEYS[3], other)
    end
    redis.call('SADD', KEYS[3], sev)
  end
  redis.call('ZADD', severityIndex(sev), score, fp)
end

-- Takes fp out of severity sev's index (dropping the index if that empties it) and the overflow.
local function unindexSeverity(fp, sev)
  redis.call('ZREM', KEYS[4], fp)
  if not sev or sev == '' then return end
  local idx = severityIndex(sev)
  if redis.call('ZREM', idx, fp) == 1 and redis.call('EXISTS', idx) == 0 then redis.call('SREM', KEYS[3], sev) end
end

-- Removes every index entry of a resolved record (its keys are the caller's business).
local function unindex(fp)
  -- A record resolved before idx:expiry-severity existed still has its severity, unless expired.
  unindexSeverity(fp, redis.call('HGET', KEYS[5], fp) or redis.call('HGET', base .. 'a:' .. fp, 'severity'))
  redis.call('HDEL', KEYS[5], fp)
  redis.call('ZREM', KEYS[1], fp)
  redis.call('ZREM', base .. 'idx:status:firing', fp)
  redis.call('ZREM', base .. 'idx:status:resolved', fp)
  redis.call('ZREM', KEYS[2], fp)
end

-- Sweep first, so a record resolved long ago and firing again now is not swept after its upsert.
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, fp in ipairs(due) do
  unindex(fp)
  redis.call('DEL', base .. 'a:' .. fp, base .. 'tl:' .. fp)
end

local count = 0
for i = first, #ARGV, 8 do
  local fp, status, severity = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local startsAt = ARGV[i + 5]
  local event = received[status]
  local rec = base .. 'a:' .. fp
  local tl = base .. 'tl:' .. fp
  local cur = redis.call('HMGET', rec, 'status', 'startsAt', 'severity', 'lastDelivery')
  local isNew = not cur[1]
  -- The severity the record holds after this upsert (a stale firing keeps the stored one).
  local stored = severity

  -- A late "firing" for the same startsAt after we recorded its resolution is stale
  -- (HA twin or a retry overtaken by the resolve); a new firing has a new startsAt.
  if cur[1] == 'resolved' and status == 'firing' and cur[2] == startsAt then
    status = 'resolved'
    stored = cur[3] or ''
    redis.call('HSET', rec, 'lastSeen', nowIso, 'receiver', ARGV[8], 'groupKey', ARGV[9], 'lastDelivery', delivery)
  else
    redis.call('HSET', rec,
      'fingerprint', fp, 'status', status, 'severity', severity,
      'labels', ARGV[i + 3], 'annotations', ARGV[i + 4],
      'startsAt', startsAt, 'endsAt', ARGV[i + 6], 'generatorURL', ARGV[i + 7],
      'receiver', ARGV[8], 'groupKey', ARGV[9], 'lastSeen', nowIso, 'lastDelivery', delivery)
  end

  if isNew then
    -- Redis expired the resolved hash before the sweep got to it (100 per call, clocks of other
    -- replicas): drop its old entries now, or the sweep would later delete this new record.
    if redis.call('ZSCORE', KEYS[2], fp) then unindex(fp) end
    redis.call('HSET', rec, 'firstSeen', nowIso)
    redis.call('ZADD', KEYS[1], now, fp)
    redis.call('ZADD', base .. 'idx:status:' .. status, now, fp)
    indexSeverity(fp, stored, now)
  elseif cur[1] ~= status then
    local score = redis.call('ZSCORE', KEYS[1], fp) or now
    redis.call('ZREM', base .. 'idx:status:' .. cur[1], fp)
    redis.call('ZADD', base .. 'idx:status:' .. status, score, fp)
  end
  -- Fingerprints hash all labels, so only a record written before a relabel can get here.
  if not isNew and cur[3] ~= stored then
    unindexSeverity(fp, cur[3])
    indexSeverity(fp, stored, redis.call('ZSCORE', KEYS[1], fp) or now)
  end

  if cur[4] ~= delivery then
    pushTimeline(tl, maxTimeline, event, unpack(shared))
  end

  if status == 'resolved' then
    redis.call('PEXPIRE', rec, retention)
    redis.call('PEXPIRE', tl, retention)
    redis.call('ZADD', KEYS[2], now + retention, fp)
    if stored ~= '' then redis.call('HSET', KEYS[5], fp, stored) end
  elseif cur[1] == 'resolved' then
    redis.call('PERSIST', rec)
    redis.call('PERSIST', tl)
    redis.call('ZREM', KEYS[2], fp)
    redis.call('HDEL', KEYS[5], fp)
  elseif isNew then
    -- A notifier's event may have created the timeline first, with a grace TTL: adopt it.
    redis.call('PERSIST', tl)
  end
  count = count + 1
end
return {count, #due}
