-- wrk script: a sign-in storm. Each request signs one of the prepared accounts in
-- (accounts.txt: one email per line, all with the same password), each account from
-- its own client address (X-Forwarded-For, for a server that trusts 127.0.0.1 as its
-- proxy): sixteen people signing in, not one client hammering.
--   wrk -t1 -c16 -d10s -s login.lua http://127.0.0.1:PORT/api/auth/login -- accounts.txt PASSWORD
local emails = {}
local password = ""
local next_one = 0
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "result.lua")

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  for line in io.lines(args[1]) do
    emails[#emails + 1] = line
  end
  password = args[2]
end

function request()
  next_one = next_one % #emails + 1
  local body = "email=" .. encode(emails[next_one]) .. "&password=" .. encode(password)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = "10.9.0." .. next_one,
  }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end
