--[[
  Acks one alert for its current firing: stores the ack, cancels the escalation tiers that
  have not fired, appends the `ack` event (and `escalation-cancelled` if any), bumps the ack
  version and publishes it. Refuses when the alert is unknown, resolved, fired again since
  the caller read it, or already acked for this firing.

  KEYS[1] ack:all  KEYS[2] ack:ver  KEYS[3] esc:due  KEYS[4] esc:inflight
  KEYS[5] a:<fp>   KEYS[6] tl:<fp>  KEYS[7] esc:a:<fp>

  ARGV[1] fingerprint, ARGV[2] ack JSON (its startsAt = ARGV[3]), ARGV[3] startsAt the caller
  read, ARGV[4] ack event JSON, ARGV[5] now ISO, ARGV[6] max timeline, ARGV[7] pub/sub channel

  Returns {1, version} | {0, "missing"} | {0, "resolved"} | {0, "changed"} | {0, "acked", ack JSON}
]]
local fp = ARGV[1]
local cur = redis.call('HMGET', KEYS[5], 'status', 'startsAt')
if not cur[1] then return { 0, 'missing' } end
if cur[1] ~= 'firing' then return { 0, 'resolved' } end
if cur[2] ~= ARGV[3] then return { 0, 'changed' } end
local existing = redis.call('HGET', KEYS[1], fp)
if existing and cjson.decode(existing).startsAt == cur[2] then return { 0, 'acked', existing } end

local maxTimeline = tonumber(ARGV[6])
local function append(event)
  local len = redis.call('RPUSH', KEYS[6], event)
  if len > maxTimeline then redis.call('LTRIM', KEYS[6], -maxTimeline, -1) end
end

redis.call('HSET', KEYS[1], fp, ARGV[2])
redis.call('HSET', KEYS[5], 'ack', ARGV[2])
append(ARGV[4])

local fields = redis.call('HGETALL', KEYS[7])
local cancelled = {}
for j = 1, #fields, 2 do
  local f, v = fields[j], fields[j + 1]
  if string.sub(f, 1, 2) == 's:' and (v == 'scheduled' or v == 'firing') then
    local tier = string.sub(f, 3)
    local member = string.len(fp) .. ':' .. fp .. tier
    redis.call('HSET', KEYS[7], f, 'cancelled')
    redis.call('ZREM', KEYS[3], member)
    redis.call('ZREM', KEYS[4], member)
    cancelled[#cancelled + 1] = tier
  end
end
if #cancelled > 0 then
  append(cjson.encode({ at = ARGV[5], type = 'escalation-cancelled', by = cjson.decode(ARGV[2]).by, reason = 'acked', tiers = cancelled }))
end
local ttl = redis.call('PTTL', KEYS[5])
if ttl > 0 then redis.call('PEXPIRE', KEYS[6], ttl) end

local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[7], 'ack:' .. version)
return { 1, version }
