--[[
  Ends an ack that is still the one the caller saw (the silence watcher found its alert gone
  from Alertmanager): removes it, queues its silence for expiry, cancels the tiers that have
  not fired, appends `ack-ended`, bumps and publishes the ack version.

  KEYS[1] ack:all  KEYS[2] ack:ver  KEYS[3] sil:expire  KEYS[4] esc:due  KEYS[5] esc:inflight
  KEYS[6] a:<fp>   KEYS[7] tl:<fp>  KEYS[8] esc:a:<fp>

  ARGV[1] fingerprint, ARGV[2] the ack JSON as read, ARGV[3] reason, ARGV[4] now ms,
  ARGV[5] now ISO, ARGV[6] max timeline, ARGV[7] pub/sub channel

  Returns 1 when ended, 0 when the ack changed or is gone
]]
local fp = ARGV[1]
if redis.call('HGET', KEYS[1], fp) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], fp)
redis.call('HDEL', KEYS[6], 'ack')
local ack = cjson.decode(ARGV[2])
local event = { at = ARGV[5], type = 'ack-ended', by = 'system', reason = ARGV[3], ackedBy = ack.by }
if type(ack.silence) == 'table' and ack.silence.id then
  redis.call('ZADD', KEYS[3], tonumber(ARGV[4]), ack.silence.id)
  event.silenceId = ack.silence.id
end
local maxTimeline = tonumber(ARGV[6])
local function append(e)
  if redis.call('EXISTS', KEYS[6]) == 0 then return end
  local len = redis.call('RPUSH', KEYS[7], e)
  if len > maxTimeline then redis.call('LTRIM', KEYS[7], -maxTimeline, -1) end
end
append(cjson.encode(event))
local fields = redis.call('HGETALL', KEYS[8])
local cancelled = {}
for j = 1, #fields, 2 do
  local f, v = fields[j], fields[j + 1]
  if string.sub(f, 1, 2) == 's:' and (v == 'scheduled' or v == 'firing') then
    local tier = string.sub(f, 3)
    local member = string.len(fp) .. ':' .. fp .. tier
    redis.call('HSET', KEYS[8], f, 'cancelled')
    redis.call('ZREM', KEYS[4], member)
    redis.call('ZREM', KEYS[5], member)
    cancelled[#cancelled + 1] = tier
  end
end
if #cancelled > 0 then append(cjson.encode({ at = ARGV[5], type = 'escalation-cancelled', by = 'system', reason = ARGV[3], tiers = cancelled })) end
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[7], 'ack:' .. version)
return 1
