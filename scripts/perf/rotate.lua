-- wrk script: refresh-token rotation. Every request presents a refresh cookie that has
-- never been used; every 200 puts its new cookie back, so each token is spent exactly
-- once and the sessions rotate as fast as the server answers.
--   wrk -t1 -c16 -d10s -s rotate.lua http://127.0.0.1:PORT/api/auth/refresh -- cookies.txt
-- cookies.txt holds one refresh token per line: one per connection and one more, as
-- wrk asks for one request more than it has connections when it starts.

local name = "__Host-refresh_token"
-- The same, as a Lua pattern ("-" is a quantifier there).
local pattern = "__Host%-refresh_token=([^;]+)"
local tokens = {}
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "result.lua")

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
end

function request()
  local token = table.remove(tokens, 1) or "none"
  return wrk.format("POST", nil, {
    ["Cookie"] = name .. "=" .. token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "")
end

function response(status, headers, body)
  local set = headers["Set-Cookie"] or headers["set-cookie"]
  local token = set and set:match(pattern)
  if status == 200 and token then
    tokens[#tokens + 1] = token
  else
    failures = failures + 1
  end
end
