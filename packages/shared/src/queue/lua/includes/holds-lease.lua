--[[
  Whether a fencing token still holds a task's lease: its lock holds the token, or the lock
  expired and no claim has taken the task since (still active under the same token). A lease
  past its deadline is lost only once another worker's claim takes it over: until then the
  holder's result is the only one, and refusing it would send the notification again (a
  Redis paused or slow past the lease would turn every send in flight into a duplicate).

  KEYS[1] lock:<id>  KEYS[2] task:<id>
  ARGV[1] fencing token

  Returns true when the token holds the lease.
]]
local lock = redis.call('GET', KEYS[1])
if lock then return lock == ARGV[1] end
local task = redis.call('HMGET', KEYS[2], 'token', 'status')
return task[1] == ARGV[1] and task[2] == 'active'
