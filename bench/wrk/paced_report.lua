-- delay_report.lua's load (1 request/s per connection on average) paced the way independent
-- clients are: each connection waits a random 0-2 s between requests, so 19,000 of them do
-- not stay in step and arrive in waves, as wrk's fixed 1 s timers make them.
dofile("bench/wrk/report.lua")
dofile("bench/wrk/seeded.lua")

function delay()
  return math.random(0, 2000)
end
