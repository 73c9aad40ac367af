-- wrk script: each request takes the next path of the file named by $PATHS (one path a line),
-- each wrk thread starting at another place in the list.
--   PATHS=/tmp/bench.sqlite.ids wrk -t2 -c32 -d20s --latency -s wrk-paths.lua http://127.0.0.1:8080
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  paths[#paths + 1] = line
end
local i = 0

function setup(thread)
  thread:set("offset", math.random(1, #paths))
end

function init(args)
  i = tonumber(offset) or 0
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. "\n")
  end
end
