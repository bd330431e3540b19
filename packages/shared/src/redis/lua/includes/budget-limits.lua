-- Send budgets (shared/src/flow): a subject's sliding-window log of sends (ZSET member -> ms)
-- checked against one or more limits "at most max sends in any window ms".

-- "20:60000;5:1000" -> { {max = 20, window = 60000}, {max = 5, window = 1000} }
local function parseLimits(spec)
  local out = {}
  for max, window in string.gmatch(spec, '(%d+):(%d+)') do
    out[#out + 1] = { max = tonumber(max), window = tonumber(window) }
  end
  return out
end

local function longestWindow(limits)
  local longest = 1
  for _, l in ipairs(limits) do if l.window > longest then longest = l.window end end
  return longest
end

-- When every limit has a free slot (now, when they all have one already). Forgets sends older
-- than the longest window first, so the log never grows past what a limit can still count.
local function budgetFreeAt(key, limits, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - longestWindow(limits))
  local freeAt = now
  for _, l in ipairs(limits) do
    local since = '(' .. (now - l.window)
    local used = redis.call('ZCOUNT', key, since, '+inf')
    if used >= l.max then
      -- The slot frees when the oldest send that keeps this window full leaves it.
      local blocking = redis.call('ZRANGEBYSCORE', key, since, '+inf', 'WITHSCORES', 'LIMIT', used - l.max, 1)
      local at = tonumber(blocking[2]) + l.window
      if at > freeAt then freeAt = at end
    end
  end
  return freeAt
end

local function takeBudgetSlot(key, limits, now, member)
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, longestWindow(limits))
end
