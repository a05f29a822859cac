-- delay.lua's pacing plus report.lua's RESULT line (wrk takes one script).
dofile("bench/wrk/report.lua")

-- Each connection waits 1 s between requests: many mostly idle clients, as a phone app has.
function delay()
  return 1000
end
