-- wrk script: counts non-2xx answers (or answers other than `expect`) as failures and
-- prints one RESULT line. wrk -s plain.lua URL -- [expected status]
local expect = nil
failures = 0 -- global: done() reads it with thread:get

function init(args)
  expect = tonumber(args[1])
end

function response(status, headers, body)
  local good = expect and status == expect or (not expect and status >= 200 and status < 300)
  if not good then
    failures = failures + 1
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  local ok = summary.requests - failed
  io.write(string.format("RESULT ok=%d failed=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
    ok, failed, ok / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
