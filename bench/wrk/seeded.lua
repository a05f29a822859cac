-- Gives each wrk thread its own random sequence (math.random), for the scripts that draw.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(os.time() * 100 + (seed or 0))
end
