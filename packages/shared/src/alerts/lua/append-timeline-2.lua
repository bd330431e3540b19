--[[
  Appends one event to an alert's timeline. Ingest writes a task and its records in one
  script, but a task can outlive the record (a dead letter replayed after a resolved
  record's retention), so a missing record does not fail the append: the timeline then
  lives for ARGV[3] ms, and a record upserted meanwhile takes it over. An alert that
  never gets a record again leaves nothing behind after the grace period. With a record, the timeline keeps the
  record's remaining time to live. Readers order events by their `at`.

  KEYS[1] a:<fingerprint>   HASH the record
  KEYS[2] tl:<fingerprint>  LIST the timeline

  ARGV[1] event JSON, ARGV[2] max timeline entries, ARGV[3] grace ms without a record

  Returns 1 when appended to an existing record's timeline, 2 when kept for a record not written yet
]]
--@include "includes/timeline.lua"
if appendTimeline(KEYS[1], KEYS[2], tonumber(ARGV[2]), ARGV[1]) == -2 then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return 2
end
return 1
