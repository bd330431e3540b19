--[[
  Writes the directory document if nobody wrote another version since the caller read it
  (compare-and-set), bumps the version and publishes it.

  KEYS[1] doc  KEYS[2] ver

  ARGV[1] expected version (0: only if never written; -1: whatever is there),
  ARGV[2] document JSON, ARGV[3] pub/sub channel

  Returns {1, new version} or {0, current version}
]]
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local expected = tonumber(ARGV[1])
if expected >= 0 and current ~= expected then return { 0, current } end
redis.call('SET', KEYS[1], ARGV[2])
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], tostring(version))
return { 1, version }
