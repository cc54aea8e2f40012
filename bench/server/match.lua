-- wrk script: POST /v1/match with a random PDQ hash per request (from a pool made at start).
-- Usage: wrk ... -s match.lua http://127.0.0.1:PORT -- <api key>
local key
local pool = {}
errors = 0

function init(args)
  key = args[1]
  math.randomseed(11 + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 1000)
  local digits = "0123456789abcdef"
  for i = 1, 4096 do
    local t = {}
    for j = 1, 64 do
      local d = math.random(1, 16)
      t[j] = digits:sub(d, d)
    end
    pool[i] = '{"signal_type":"pdq","signal":"' .. table.concat(t) .. '"}'
  end
end

local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/v1/match", {["Authorization"] = "Bearer " .. key,
                                          ["Content-Type"] = "application/json"},
                    pool[(n % #pool) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
