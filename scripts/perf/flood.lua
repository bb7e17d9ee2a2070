-- wrk script: one client flooding sign-in, as fast as it can: every request signs the
-- same account in from the same client address (X-Forwarded-For, for a server that
-- trusts 127.0.0.1 as its proxy). Counts the answers by status for scripts/perf.sh:
--   wrk -t1 -c16 -d10s -s flood.lua http://127.0.0.1:PORT/api/auth/login -- EMAIL PASSWORD
--   FLOOD total=… s200=… s429=… s503=… other=…
local body = ""
counts = { [200] = 0, [429] = 0, [503] = 0, other = 0 } -- global: done() reads it with thread:get
local threads = {}

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  body = "email=" .. encode(args[1]) .. "&password=" .. encode(args[2])
end

function request()
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = "10.66.0.1",
  }, body)
end

function response(status, headers, body)
  if counts[status] then
    counts[status] = counts[status] + 1
  else
    counts.other = counts.other + 1
  end
end

function done(summary, latency, requests)
  local s200, s429, s503, other = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    s200, s429, s503, other = s200 + c[200], s429 + c[429], s503 + c[503], other + c.other
  end
  io.write(string.format("FLOOD total=%d s200=%d s429=%d s503=%d other=%d rps=%.0f\n",
    summary.requests, s200, s429, s503, other, summary.requests / (summary.duration / 1e6)))
end
