-- Shared by the wrk scripts here: each counts its failures in the global `failures`;
-- `done` adds them up over wrk's threads and prints one line for scripts/perf.sh:
--   RESULT ok=… failed=… rps=… p50_ms=… p99_ms=…
-- Loaded with dofile() from the folder of the script that loads it.
failures = 0 -- global: done() reads it with thread:get

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
