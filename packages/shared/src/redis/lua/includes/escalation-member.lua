--[[
  An escalation's member in esc:due / esc:inflight: "<length of fp>:<fp><tier id>", so a
  fingerprint holding ':' still parses. The TS twin is escalationMember() in
  handling/handling-keys.ts; test/redis/lua-includes.int.test.ts checks they agree.
]]

-- The member of fingerprint fp's tier.
local function escalationMember(fp, tier)
  return string.len(fp) .. ':' .. fp .. tier
end

-- The fingerprint and tier id of a member.
local function parseEscalationMember(m)
  local colon = string.find(m, ':', 1, true)
  local len = tonumber(string.sub(m, 1, colon - 1))
  return string.sub(m, colon + 1, colon + len), string.sub(m, colon + len + 1)
end
