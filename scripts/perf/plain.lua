-- wrk script: counts non-2xx answers (or answers other than `expect`) as failures and
-- prints one RESULT line. wrk -s plain.lua URL -- [expected status]
local expect = nil
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "result.lua")

function init(args)
  expect = tonumber(args[1])
end

function response(status, headers, body)
  local good = expect and status == expect or (not expect and status >= 200 and status < 300)
  if not good then
    failures = failures + 1
  end
end
