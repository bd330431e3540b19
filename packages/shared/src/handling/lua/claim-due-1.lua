--[[
  Claims members of a "due at" ZSET for a while: members due now get the score now + lease,
  so exactly one caller works on each, and one that crashes or fails is retried after the
  lease. The caller removes a member when done.

  KEYS[1] the ZSET (e.g. sil:expire)

  ARGV[1] now ms, ARGV[2] lease ms, ARGV[3] most to claim

  Returns the claimed members
]]
local now = tonumber(ARGV[1])
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(members) do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), m) end
return members
