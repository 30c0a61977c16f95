-- wrk script for the palabre benchmark.
-- Cycles through the request paths given after `--` (one or more), so one
-- run can mix queries, and prints one machine-readable line at the end with
-- the throughput and latency percentiles (wrk's own --latency output has
-- no p99.9 and is harder to parse).
--   wrk -t2 -c16 -d10s -s wrk_queries.lua http://127.0.0.1:8080 -- '/search?q=a' '/search?q=b'

local paths = {}
local next_path = 0

function init(args)
  for _, path in ipairs(args) do
    paths[#paths + 1] = path
  end
  if #paths == 0 then
    paths[1] = "/"
  end
  -- Threads start at different places in the list, so a mix is mixed.
  next_path = math.random(0, #paths - 1)
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,' ..
    '"latency_mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
