-- wrk script: GET /m/lookup (HMA's single-hash match) with a random PDQ hash per request, from
-- a pool generated at start so the client spends its CPU on requests, not on random numbers.
-- Usage: wrk ... -s lookup.lua http://127.0.0.1:PORT -- <api key> [<hash>]
-- With a hash argument, every request queries that hash (a guaranteed match).
local key, fixed
local pool = {}

function init(args)
  key = args[1]
  fixed = args[2]
  math.randomseed(7 + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 1000)
  local digits = "0123456789abcdef"
  for i = 1, 4096 do
    local t = {}
    for j = 1, 64 do
      local d = math.random(1, 16)
      t[j] = digits:sub(d, d)
    end
    pool[i] = table.concat(t)
  end
end

local n = 0
function request()
  n = n + 1
  local h = fixed or pool[(n % #pool) + 1]
  return wrk.format("GET", "/m/lookup?signal_type=pdq&signal=" .. h,
                    {["Authorization"] = "Bearer " .. key})
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
