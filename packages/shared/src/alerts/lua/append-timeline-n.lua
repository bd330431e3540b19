--[[
  Appends one event to the timelines of one or more alerts: a notifier's result goes to every
  alert of its group in one call. Ingest writes a task and its records in one script, but a
  task can outlive a record (a dead letter replayed after a resolved record's retention), so a
  missing record does not fail the append: that timeline then lives for ARGV[3] ms, and a
  record upserted meanwhile takes it over. An alert that never gets a record again leaves
  nothing behind after the grace period. With a record, the timeline keeps the record's
  remaining time to live. Readers order events by their `at`.

  KEYS[2i-1] a:<fingerprint>   HASH the record of alert i
  KEYS[2i]   tl:<fingerprint>  LIST its timeline

  ARGV[1] event JSON, ARGV[2] max timeline entries, ARGV[3] grace ms without a record

  Returns, per alert in KEYS order, 1 when appended to an existing record's timeline, 2 when
  kept for a record not written yet
]]
--@include "includes/timeline.lua"
local maxTimeline = tonumber(ARGV[2])
local replies = {}
for i = 1, #KEYS, 2 do
  if appendTimeline(KEYS[i], KEYS[i + 1], maxTimeline, ARGV[1]) == -2 then
    redis.call('PEXPIRE', KEYS[i + 1], ARGV[3])
    replies[#replies + 1] = 2
  else
    replies[#replies + 1] = 1
  end
end
return replies
