--[[
  Adds one task, unless its idempotency key was seen within the window.
  Idempotency check, task hash, ZADD and wake-up are one atomic step, so a crash
  can never record "seen" without the task (or the task without "seen").

  KEYS[1] seq       counter for ids and FIFO order
  KEYS[2] pending   ZSET score = rank * rank base + seq
  KEYS[3] delayed   ZSET id -> due ms
  KEYS[4] marker    ZSET idle workers block on
  KEYS[5] dedup     STRING idempotency key (ignored when ARGV[5] = 0)

  ARGV[1] key base ("{p}:email:"), ARGV[2] severity rank, ARGV[3] payload JSON,
  ARGV[4] max attempts, ARGV[5] dedup ttl ms (0 = no dedup), ARGV[6] delay ms,
  ARGV[7] queue name, ARGV[8] dedup key as given, ARGV[9] rank base (RANK_BASE in
  queue/severity.ts, its one source: TaskQueue reads its pending counts per rank with it),
  ARGV[10] key of the task's shared part ("" = none, see includes/task-part.lua),
  ARGV[11] the part's value ("" = the caller writes it in the same script)

  Returns {id, duplicate (0|1)}
]]
--@include "includes/enqueue-task.lua"
return enqueueTask(
  { base = ARGV[1], seq = KEYS[1], pending = KEYS[2], delayed = KEYS[3], marker = KEYS[4], dedup = KEYS[5] },
  { name = ARGV[7], rank = tonumber(ARGV[2]), rankBase = tonumber(ARGV[9]), payload = ARGV[3], maxAttempts = ARGV[4],
    dedupTtl = tonumber(ARGV[5]), delay = tonumber(ARGV[6]), dedupKey = ARGV[8], part = ARGV[10], partValue = ARGV[11] })
