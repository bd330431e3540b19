--[[
  Appends one event to an alert's timeline, if the alert's record still exists (an
  expired record must not leave an orphan timeline behind). The timeline keeps the
  record's remaining time to live.

  KEYS[1] a:<fingerprint>   HASH the record
  KEYS[2] tl:<fingerprint>  LIST the timeline

  ARGV[1] event JSON, ARGV[2] max timeline entries

  Returns 1 when appended, 0 when the record does not exist
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
