-- GET /api/v1/explorer/blocks/{n} at a random height from 0 to BENCH_TOP_BLOCK (each wrk
-- thread its own sequence), plus report.lua's RESULT line.
dofile("bench/wrk/report.lua")
dofile("bench/wrk/seeded.lua")

local top = tonumber(os.getenv("BENCH_TOP_BLOCK") or "20000")

function request()
  return wrk.format("GET", "/api/v1/explorer/blocks/" .. math.random(0, top))
end
