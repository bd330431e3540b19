--[[
  Redis' clock as the ISO 8601 text timeline events carry ("2026-11-30T15:04:05.123Z", as
  JavaScript's toISOString writes it), so a script stamps its own events with TIME instead of
  a time its caller read from its own clock. The date is the proleptic Gregorian calendar
  (H. Hinnant's civil_from_days): integer arithmetic on Lua numbers, exact far past 9999.
]]

-- ms since the epoch → "YYYY-MM-DDTHH:MM:SS.mmmZ".
local function isoTime(ms)
  local s = math.floor(ms / 1000)
  local days = math.floor(s / 86400)
  local secs = s - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local day = doy - math.floor((153 * mp + 2) / 5) + 1
  local month = mp < 10 and mp + 3 or mp - 9
  local year = yoe + era * 400 + (month <= 2 and 1 or 0)
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', year, month, day,
    math.floor(secs / 3600), math.floor(secs % 3600 / 60), secs % 60, ms % 1000)
end
