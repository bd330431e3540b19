--[[
  Upserts the records of every alert in one delivery, their indexes and timelines, and
  sweeps expired resolved records out of the indexes. Idempotent per delivery: a repeat
  of the same delivery (Alertmanager retry, HA twin) refreshes lastSeen but appends no
  second set of timeline events.

  Written for the common case, an alert seen again in the same state: then it costs three
  calls (HMGET, HSET, RPUSH). Index scores are the first-seen time, so they only change
  when an alert appears, changes status or disappears.

  KEYS[1] idx:all         ZSET fingerprint -> first seen ms
  KEYS[2] idx:expiry      ZSET fingerprint -> expiry ms (resolved records)
  KEYS[3] idx:severities  SET  severity values with an index

  ARGV[1] key base ("{p}:alerts:"), ARGV[2] now ms, ARGV[3] now ISO,
  ARGV[4] retention ms for resolved records, ARGV[5] max timeline entries,
  ARGV[6] delivery key, ARGV[7] receiver, ARGV[8] groupKey,
  ARGV[9] / ARGV[10] the `received` event JSON for a firing / a resolved alert,
  ARGV[11] n = number of tasks the delivery created or found, then 3 values per task:
  channel, task id, duplicate (1/0) — each becomes a `task-created` event,
  then 8 values per alert: fingerprint, status, severity, labels JSON, annotations JSON,
  startsAt, endsAt, generatorURL

  Returns {alerts upserted, expired records swept}
]]
local base = ARGV[1]
local now = tonumber(ARGV[2])
local nowIso = ARGV[3]
local retention = tonumber(ARGV[4])
local maxTimeline = tonumber(ARGV[5])
local delivery = ARGV[6]
local received = { firing = ARGV[9], resolved = ARGV[10] }
local nTasks = tonumber(ARGV[11])
local first = 12 + 3 * nTasks
-- Every alert of the delivery gets the same task-created events.
local shared = {}
for j = 12, first - 1, 3 do
  shared[#shared + 1] = '{"at":' .. cjson.encode(nowIso) .. ',"type":"task-created","channel":' .. cjson.encode(ARGV[j]) ..
    ',"taskId":' .. cjson.encode(ARGV[j + 1]) .. ',"duplicate":' .. (ARGV[j + 2] == '1' and 'true' or 'false') .. '}'
end

-- Sweep first, so a record resolved long ago and firing again now is not swept after its upsert.
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
if #due > 0 then
  local severities = redis.call('SMEMBERS', KEYS[3])
  for _, fp in ipairs(due) do
    redis.call('DEL', base .. 'a:' .. fp, base .. 'tl:' .. fp)
    redis.call('ZREM', KEYS[1], fp)
    redis.call('ZREM', base .. 'idx:status:firing', fp)
    redis.call('ZREM', base .. 'idx:status:resolved', fp)
    for _, sev in ipairs(severities) do redis.call('ZREM', base .. 'idx:severity:' .. sev, fp) end
    redis.call('ZREM', KEYS[2], fp)
  end
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

  -- A late "firing" for the same startsAt after we recorded its resolution is stale
  -- (HA twin or a retry overtaken by the resolve); a new firing has a new startsAt.
  if cur[1] == 'resolved' and status == 'firing' and cur[2] == startsAt then
    status = 'resolved'
    redis.call('HSET', rec, 'lastSeen', nowIso, 'receiver', ARGV[7], 'groupKey', ARGV[8], 'lastDelivery', delivery)
  else
    redis.call('HSET', rec,
      'fingerprint', fp, 'status', status, 'severity', severity,
      'labels', ARGV[i + 3], 'annotations', ARGV[i + 4],
      'startsAt', startsAt, 'endsAt', ARGV[i + 6], 'generatorURL', ARGV[i + 7],
      'receiver', ARGV[7], 'groupKey', ARGV[8], 'lastSeen', nowIso, 'lastDelivery', delivery)
  end

  if isNew then
    redis.call('HSET', rec, 'firstSeen', nowIso)
    redis.call('ZADD', KEYS[1], now, fp)
    redis.call('ZADD', base .. 'idx:status:' .. status, now, fp)
    if severity ~= '' then
      redis.call('ZADD', base .. 'idx:severity:' .. severity, now, fp)
      redis.call('SADD', KEYS[3], severity)
    end
  elseif cur[1] ~= status then
    local score = redis.call('ZSCORE', KEYS[1], fp) or now
    redis.call('ZREM', base .. 'idx:status:' .. cur[1], fp)
    redis.call('ZADD', base .. 'idx:status:' .. status, score, fp)
  end
  -- Fingerprints hash all labels, so only a record written before a relabel can get here.
  if not isNew and cur[3] ~= severity then
    if cur[3] and cur[3] ~= '' then redis.call('ZREM', base .. 'idx:severity:' .. cur[3], fp) end
    if severity ~= '' then
      redis.call('ZADD', base .. 'idx:severity:' .. severity, redis.call('ZSCORE', KEYS[1], fp) or now, fp)
      redis.call('SADD', KEYS[3], severity)
    end
  end

  if cur[4] ~= delivery then
    local len = redis.call('RPUSH', tl, event, unpack(shared))
    if len > maxTimeline then redis.call('LTRIM', tl, -maxTimeline, -1) end
  end

  if status == 'resolved' then
    redis.call('PEXPIRE', rec, retention)
    redis.call('PEXPIRE', tl, retention)
    redis.call('ZADD', KEYS[2], now + retention, fp)
  elseif cur[1] == 'resolved' then
    redis.call('PERSIST', rec)
    redis.call('PERSIST', tl)
    redis.call('ZREM', KEYS[2], fp)
  elseif isNew then
    -- A notifier's event may have created the timeline first, with a grace TTL: adopt it.
    redis.call('PERSIST', tl)
  end
  count = count + 1
end
return {count, #due}
