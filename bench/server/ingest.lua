-- wrk script: POST /v1/items (the detection pipeline: decode, hash, match, rules, counters) with
-- one image, as multipart form data, a new item id per request.
-- Usage: wrk ... -s ingest.lua http://127.0.0.1:PORT -- <api key> <image file>
local key, image
local boundary = "vigil-soak-boundary"

function init(args)
  key = args[1]
  local f = assert(io.open(args[2], "rb"))
  image = f:read("*a")
  f:close()
end

local n = 0
function request()
  n = n + 1
  local id = tostring(math.random(1, 1000000000)) .. "-" .. n
  local body = "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="item_id"\r\n\r\n' .. id .. "\r\n" ..
      "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="account_id"\r\n\r\nsoak-account\r\n' ..
      "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="file"; filename="i.jpg"\r\n' ..
      "Content-Type: application/octet-stream\r\n\r\n" .. image .. "\r\n" ..
      "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/v1/items", {["Authorization"] = "Bearer " .. key,
                    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary}, body)
end

function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
