--@include "includes/now-ms.lua"
--[[
  Redis' clock as an ISO-8601 UTC timestamp with milliseconds, exactly as JavaScript's
  Date#toISOString() prints it: the `at` of the events and records a script writes, so that
  every timestamp a script writes comes from the same clock as its due times and leases.
  Redis' Lua has no os.date; the date is Howard Hinnant's civil_from_days.
]]

-- Milliseconds since the epoch (>= 0) as "YYYY-MM-DDTHH:MM:SS.mmmZ".
local function isoFromMs(ms)
  local secs = math.floor(ms / 1000)
  local days = math.floor(secs / 86400)
  local sod = secs - days * 86400
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
    math.floor(sod / 3600), math.floor(sod % 3600 / 60), sod % 60, ms % 1000)
end

-- Now, by Redis' clock, as an ISO timestamp.
local function nowIso()
  return isoFromMs(nowMs())
end
