--[[
  A counting semaphore whose permits are leases, shared by the replicas of a service: a
  permit is a member "<holder>/<n>" of the slots ZSET scored with its expiry (Redis TIME, ms),
  and every live holder is a member of the holders ZSET scored the same way. Nothing is freed
  by a holder's goodwill alone: a dead holder's permits and its place expire with their lease.
  The permits are split fairly: each live holder may hold its share of the total, the
  remainder going to the first holders in name order, so replicas do not starve each other.
]]

-- Drops permits and holders whose lease ran out.
local function semaphorePurge(slotsKey, holdersKey, now)
  redis.call('ZREMRANGEBYSCORE', slotsKey, '-inf', now)
  redis.call('ZREMRANGEBYSCORE', holdersKey, '-inf', now)
end

-- Marks `holder` alive until now + lease, and lets both keys outlive the longest lease only.
local function semaphoreHeartbeat(slotsKey, holdersKey, holder, now, lease)
  redis.call('ZADD', holdersKey, now + lease, holder)
  redis.call('PEXPIRE', holdersKey, lease)
  if redis.call('EXISTS', slotsKey) == 1 then redis.call('PEXPIRE', slotsKey, lease) end
end

-- How many of `total` permits `holder` may hold: total ÷ live holders, at least 1.
local function semaphoreShare(holdersKey, holder, total)
  local holders = redis.call('ZRANGE', holdersKey, 0, -1)
  table.sort(holders)
  local index = #holders
  for i, name in ipairs(holders) do
    if name == holder then index = i - 1 end
  end
  local n = math.max(1, #holders)
  local share = math.floor(total / n)
  if index < total % n then share = share + 1 end
  return math.max(1, share)
end

-- Permits `holder` holds now.
local function semaphoreHeldBy(slotsKey, holder)
  local mine = 0
  local prefix = holder .. '/'
  for _, member in ipairs(redis.call('ZRANGE', slotsKey, 0, -1)) do
    if string.sub(member, 1, #prefix) == prefix then mine = mine + 1 end
  end
  return mine
end
