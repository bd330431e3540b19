--[[
  Whether a fencing token still holds a task's lease: its lock holds the token, or the lock
  expired and no claim has taken the task since (still active under the same token). A lease
  past its deadline is lost only once another worker's claim takes it over: until then the
  holder's result is the only one, and refusing it would send the notification again (a
  Redis paused or slow past the lease would turn every send in flight into a duplicate).
]]
local function holdsLease(lockKey, taskKey, token)
  local lock = redis.call('GET', lockKey)
  if lock then return lock == token end
  local task = redis.call('HMGET', taskKey, 'token', 'status')
  return task[1] == token and task[2] == 'active'
end
