--[[
  Tells every replica that the acks changed: bumps ack:ver and publishes "ack:<version>" on
  the handling channel, where each replica's ack cache reloads. Returns the new version.
]]
local function bumpAckVersion(verKey, channel)
  local version = redis.call('INCR', verKey)
  redis.call('PUBLISH', channel, 'ack:' .. version)
  return version
end
