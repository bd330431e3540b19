--[[
  unpack() has a stack limit (a few thousand values): a command over a long list of members
  goes in slices of 1000 values (an even number, so ZADD's score/member pairs stay whole).
]]

-- ZADD key with a flat list {score, member, score, member, ...}.
local function zaddInSlices(key, list)
  for i = 1, #list, 1000 do redis.call('ZADD', key, unpack(list, i, math.min(i + 999, #list))) end
end

-- ZREM key with a list of members.
local function zremInSlices(key, list)
  for i = 1, #list, 1000 do redis.call('ZREM', key, unpack(list, i, math.min(i + 999, #list))) end
end
