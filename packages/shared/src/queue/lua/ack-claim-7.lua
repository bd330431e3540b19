--[[
  Acks the tasks a worker finished, then claims up to N more: ack-2.lua and claim-6.lua in
  one call, so a busy worker's acks ride on its next claim instead of costing a round trip
  (and a socket write) of their own. Both run unchanged, each on its own KEYS and ARGV, so
  every ack is still checked against its fencing token: the acks go first, before the claim
  could take an expired lease back, and an ack whose lease another claim took is refused (0)
  whatever the claim then does.

  KEYS[1] pending  KEYS[2] delayed  KEYS[3] leases  KEYS[4] marker
  KEYS[5] fence (counter of tokens)  KEYS[6] dead  KEYS[7] completed

  ARGV[1] n, how many of the following values are ack-2.lua's ARGV
  ARGV[2 .. n+1] ack-2.lua's ARGV (key base, completed retention ms, then 4 values per task)
  ARGV[n+2 ..] claim-6.lua's ARGV

  Returns {ack-2.lua's reply, claim-6.lua's reply}.
]]
--@function ack = ack-2.lua
--@function claim = claim-6.lua
local split = tonumber(ARGV[1]) + 1
local ackArgv, claimArgv = {}, {}
for i = 2, split do ackArgv[i - 1] = ARGV[i] end
for i = split + 1, #ARGV do claimArgv[i - split] = ARGV[i] end
local acked = ack({KEYS[3], KEYS[7]}, ackArgv)
return {acked, claim({KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]}, claimArgv)}
